import { afterEach, describe, expect, it } from 'vitest';
import { DueSchema, dueInstant, isRealDate, isoDateSchema, normaliseDue, sameDue } from '../../src/domain/deadline.js';
import { isValidTimeZone } from '../../src/domain/time-zone.js';

describe('dueInstant', () => {
  it('has no instant without a deadline', () => {
    expect(dueInstant(null)).toBeNull();
  });

  it('a date deadline ends at 23:59:59.999 local time: 31 Dec 2009 in Jakarta is 16:59:59.999Z', () => {
    expect(dueInstant({ date: '2009-12-31', timeZone: 'Asia/Jakarta' })!.toISOString()).toBe('2009-12-31T16:59:59.999Z');
  });

  it('an exact instant is taken as given, whatever its offset', () => {
    expect(dueInstant({ at: '2026-11-27T07:30:00+13:00' })!.toISOString()).toBe('2026-11-26T18:30:00.000Z');
  });

  it('across the end of DST in Auckland (5 Apr 2026) the local day ends at +13 before and +12 on the day', () => {
    expect(dueInstant({ date: '2026-04-04', timeZone: 'Pacific/Auckland' })!.toISOString()).toBe('2026-04-04T10:59:59.999Z');
    expect(dueInstant({ date: '2026-04-05', timeZone: 'Pacific/Auckland' })!.toISOString()).toBe('2026-04-05T11:59:59.999Z');
  });

  it('across the start of DST in Sydney (4 Oct 2026) the changeover day is 23 hours long', () => {
    const before = dueInstant({ date: '2026-10-03', timeZone: 'Australia/Sydney' })!;
    const on = dueInstant({ date: '2026-10-04', timeZone: 'Australia/Sydney' })!;
    expect(before.toISOString()).toBe('2026-10-03T13:59:59.999Z');
    expect(on.toISOString()).toBe('2026-10-04T12:59:59.999Z');
    expect(on.getTime() - before.getTime()).toBe(23 * 3600_000);
  });

  it('does not depend on the zone the server runs in', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'America/Los_Angeles', 'UTC']) {
        process.env.TZ = tz;
        expect(dueInstant({ date: '2009-12-31', timeZone: 'Asia/Jakarta' })!.toISOString()).toBe('2009-12-31T16:59:59.999Z');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('date validation', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it.each(['2009-12-31', '2024-02-29', '2000-02-29'])('accepts the real date %s', (d) => {
    expect(isoDateSchema.safeParse(d).success).toBe(true);
  });

  it.each(['2009-02-29', '2009-02-30', '2009-13-01', '2009-00-10', '2009-04-31', '1900-02-29', '2009-1-1', '31/12/2009', '2009-12-31T00:00:00Z', ''])(
    'rejects %j',
    (d) => {
      expect(isoDateSchema.safeParse(d).success).toBe(false);
    },
  );

  it('accepts a valid date when the server runs east of UTC (regression: parseISO read local midnight)', () => {
    process.env.TZ = 'Asia/Jakarta';
    expect(isRealDate('2009-12-31')).toBe(true);
    expect(isoDateSchema.safeParse('2009-07-27').success).toBe(true);
  });
});

describe('the deadline schema', () => {
  it('takes null, a date with an IANA zone, or an instant with an offset', () => {
    expect(DueSchema.parse(null)).toBeNull();
    expect(DueSchema.parse({ date: '2009-12-31', timeZone: 'Asia/Jakarta' })).toEqual({ date: '2009-12-31', timeZone: 'Asia/Jakarta' });
    expect(DueSchema.parse({ at: '2026-11-26T18:30:00Z' })).toEqual({ at: '2026-11-26T18:30:00Z' });
  });

  it('names the bad field: due.date for an unreal date, due.timeZone for an unknown zone, due.at for a bad instant', () => {
    const path = (v: unknown) => DueSchema.safeParse(v).error!.issues.map((i) => i.path.join('.'));
    expect(path({ date: '2009-02-30', timeZone: 'Asia/Jakarta' })).toEqual(['date']);
    expect(path({ date: '2009-12-31', timeZone: 'Mars/Olympus' })).toEqual(['timeZone']);
    expect(path({ at: 'tomorrow' })).toEqual(['at']);
  });

  it('rejects a deadline that mixes both kinds', () => {
    expect(DueSchema.safeParse({ date: '2009-12-31', timeZone: 'Asia/Jakarta', at: '2026-11-26T18:30:00Z' }).success).toBe(false);
  });

  it('normalises instants to UTC so the same moment compares equal', () => {
    expect(normaliseDue({ at: '2026-11-27T07:30:00+13:00' })).toEqual({ at: '2026-11-26T18:30:00.000Z' });
    expect(sameDue({ at: '2026-11-27T07:30:00+13:00' }, { at: '2026-11-26T18:30:00Z' })).toBe(true);
    expect(sameDue({ date: '2009-12-31', timeZone: 'Asia/Jakarta' }, { date: '2009-12-31', timeZone: 'Asia/Bangkok' })).toBe(false);
    expect(sameDue(null, null)).toBe(true);
  });
});

describe('isValidTimeZone', () => {
  it('knows IANA zones and rejects others', () => {
    expect(isValidTimeZone('Pacific/Auckland')).toBe(true);
    expect(isValidTimeZone('Australia/Sydney')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false); // cached answer
  });
});
