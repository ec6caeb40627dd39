/** The offset cache of local-time: bounded in zones and in buckets per zone, and never wrong. */
import { describe, expect, it } from 'vitest';
import { offsetCacheSize, toLocal } from '../../src/domain/local-time.js';

describe('the offset cache', () => {
  it('keeps exactly the 64 most recent zones, and each zone\'s buckets', () => {
    const zones = Intl.supportedValuesOf('timeZone').slice(0, 100);
    for (const z of zones) toLocal(new Date('2020-03-08T07:30:00Z'), z);
    for (let i = 0; i < 10; i++) toLocal(new Date(Date.UTC(2020, 0, 1) + i * 3_600_000), 'Asia/Jakarta');
    const size = offsetCacheSize();
    expect(size.zones).toBe(64);
    expect(size.largest).toBe(10);
  });

  it('holds at most 100,000 buckets of one zone, and answers right after starting afresh', () => {
    const start = Date.UTC(2000, 0, 1);
    const step = 15 * 60_000;
    for (let i = 0; i <= 100_001; i++) toLocal(new Date(start + i * step), 'Europe/Paris');
    expect(offsetCacheSize().largest).toBeLessThanOrEqual(100_000);
    expect(offsetCacheSize().largest).toBeGreaterThan(0);
    expect(toLocal(new Date('2000-01-01T00:00:00Z'), 'Europe/Paris').time.h).toBe(1);
    expect(toLocal(new Date('2000-07-01T00:00:00Z'), 'Europe/Paris').time.h).toBe(2);
  });
});
