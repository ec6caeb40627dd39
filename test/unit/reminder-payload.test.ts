import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendReminderPayloadSchema, parseSendReminderPayload } from '../../jobs/reminder-jobs.js';

// Values near the edges of what the schema accepts, so both outcomes are well covered.
const value = fc.oneof(
  fc.constantFrom('bench-1', 'a', 'A', 'B00', 'AUS', 'x'.repeat(81), 'has:colon', '', 'IDN-2', 'b0', 'TOOLONGPARTYIDXXX'),
  fc.constantFrom(0, 1, 2, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 2 ** 53 - 1),
  fc.constantFrom(null, undefined, true, '1', [], {}),
);
const payload = fc.oneof(
  fc.record({ c: value, v: value, p: value, m: value }, { requiredKeys: [] }),
  fc.record({ c: value, v: value, p: value, extra: value }, { requiredKeys: ['c', 'v', 'p'] }),
  value,
);

describe('the reminder job payload check', () => {
  it('when a payload is valid, then the fast check returns the same data as the schema', () => {
    expect(parseSendReminderPayload({ c: 'ahg-1', v: 2, p: 'AUS' })).toEqual({ success: true, data: { c: 'ahg-1', v: 2, p: 'AUS' } });
    expect(parseSendReminderPayload({ c: 'ahg-1', v: 2, p: 'AUS', m: 1 })).toEqual({ success: true, data: { c: 'ahg-1', v: 2, p: 'AUS', m: 1 } });
  });

  it('when a payload is malformed, then it is refused with the schema issues (unknown key, bad id, version 0)', () => {
    for (const bad of [{ c: 'ahg-1', v: 2, p: 'AUS', x: 1 }, { c: 'AHG:1', v: 2, p: 'AUS' }, { c: 'ahg-1', v: 0, p: 'AUS' }, null, 'r123']) {
      const r = parseSendReminderPayload(bad);
      expect(r.success).toBe(false);
      expect(r.error?.issues.length).toBeGreaterThan(0);
    }
  });

  it('for any input, the fast check accepts exactly what SendReminderPayloadSchema accepts, with the same data', () => {
    fc.assert(
      fc.property(payload, (data) => {
        const fast = parseSendReminderPayload(data);
        const slow = SendReminderPayloadSchema.safeParse(data);
        expect(fast.success).toBe(slow.success);
        if (slow.success) expect(fast.data).toEqual(slow.data);
      }),
      { numRuns: 2000 },
    );
  });
});
