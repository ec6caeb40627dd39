import fc from 'fast-check';
import './fc-seed.js';
import { describe, expect, it } from 'vitest';
import { durationToMs, isoDurationSchema, parseIsoDuration } from '../../src/domain/duration.js';

describe('ISO 8601 durations', () => {
  it.each([
    ['P30D', { days: 30 }],
    ['PT5S', { seconds: 5 }],
    ['P1W', { weeks: 1 }],
    ['PT12H', { hours: 12 }],
    ['PT15M', { minutes: 15 }],
    ['P1Y2M3DT4H5M6S', { years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6 }],
  ])('parses %s', (text, expected) => {
    expect(parseIsoDuration(text)).toEqual(expected);
  });

  it.each(['', 'P', 'PT', '30D', 'P-1D', 'P1.5D', 'P1DT', 'p1d', 'P1H', 'PT1D'])('rejects %j', (text) => {
    expect(parseIsoDuration(text)).toBeNull();
    expect(isoDurationSchema.safeParse(text).success).toBe(false);
  });

  it('converts to milliseconds with weeks of 7 days and months of 30', () => {
    expect(durationToMs(parseIsoDuration('PT5S')!)).toBe(5000);
    expect(durationToMs(parseIsoDuration('P1W')!)).toBe(7 * 86_400_000);
    expect(durationToMs(parseIsoDuration('P1M')!)).toBe(30 * 86_400_000);
    expect(durationToMs(parseIsoDuration('P1DT1H1M1S')!)).toBe(86_400_000 + 3_600_000 + 60_000 + 1000);
    expect(durationToMs({})).toBe(0);
  });

  it('round-trips any day/hour/minute/second combination', () => {
    fc.assert(
      fc.property(fc.nat(400), fc.nat(23), fc.nat(59), fc.nat(59), (d, h, m, s) => {
        fc.pre(d + h + m + s > 0);
        const text = `P${d ? `${d}D` : ''}${h || m || s ? `T${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}` : ''}`;
        expect(durationToMs(parseIsoDuration(text)!)).toBe(((d * 24 + h) * 60 + m) * 60_000 + s * 1000);
      }),
    );
  });
});
