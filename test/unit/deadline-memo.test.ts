/** dueInstant remembers the zone arithmetic of date deadlines: the answers stay those of a fresh computation. */
import { TZDate } from '@date-fns/tz';
import { endOfDay } from 'date-fns';
import { describe, expect, it } from 'vitest';
import { dueInstant } from '../../src/domain/deadline.js';

const fresh = (date: string, timeZone: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(endOfDay(new TZDate(y, m - 1, d, timeZone)).getTime()).toISOString();
};

describe('dueInstant on date deadlines, remembered', () => {
  it('answers as a fresh computation, across DST changes, zones and more dates than it remembers', () => {
    const zones = ['Asia/Jakarta', 'Australia/Sydney', 'America/New_York', 'Pacific/Auckland', 'Asia/Kathmandu'];
    const day = Date.UTC(2009, 0, 1);
    // 5 zones × 1,000 days: more entries than the memo keeps, so evicted ones are computed again.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 1000; i += 1) {
        const date = new Date(day + i * 86_400_000).toISOString().slice(0, 10);
        for (const tz of zones) expect(dueInstant({ date, timeZone: tz })!.toISOString()).toBe(fresh(date, tz));
      }
    }
  });

  it('hands out a new Date each time, so a caller that changes one changes nothing else', () => {
    const a = dueInstant({ date: '2009-12-31', timeZone: 'Asia/Jakarta' })!;
    a.setTime(0);
    expect(dueInstant({ date: '2009-12-31', timeZone: 'Asia/Jakarta' })!.toISOString()).toBe('2009-12-31T16:59:59.999Z');
  });
});
