import { describe, expect, it } from 'vitest';
import { SendReminderPayloadSchema, reminderGroupJobId, reminderJobId } from '../../jobs/reminder-jobs.js';
import { MAIL_ATTEMPTS, mailTries } from '../../jobs/retry.js';

const parse = (data: unknown) => SendReminderPayloadSchema.safeParse(data);

describe('the reminder job payload', () => {
  it('when a payload is a group (step and instant) or one send (party), then it is accepted as it is', () => {
    const group = { c: 'ahg-1', v: 2, k: 'before-P7D', t: Date.parse('2009-12-24T02:00:00Z') };
    expect(parse(group)).toMatchObject({ success: true, data: group });
    expect(parse({ c: 'ahg-1', v: 2, p: 'AUS' })).toMatchObject({ success: true, data: { c: 'ahg-1', v: 2, p: 'AUS' } });
    expect(parse({ c: 'ahg-1', v: 2, p: 'AUS', m: 1 })).toMatchObject({ success: true, data: { c: 'ahg-1', v: 2, p: 'AUS', m: 1 } });
  });

  it('when a job has waited for a later send, then the wait count is accepted and left out of its mail tries', () => {
    const group = { c: 'ahg-1', v: 2, k: 'overdue-1', t: 1_000, w: 2 };
    expect(parse(group)).toMatchObject({ success: true, data: group });
    expect(parse({ ...group, w: 0 }).success).toBe(false);
    expect(parse({ ...group, w: 1.5 }).success).toBe(false);
    // Third run after two waits: its first mail try. Without waits every run is a try.
    expect(mailTries(3, { w: 2 })).toBe(1);
    expect(mailTries(3, {})).toBe(3);
    // A group that waited twice still gets MAIL_ATTEMPTS tries before its last one.
    expect(mailTries(MAIL_ATTEMPTS + 1, { w: 2 })).toBeLessThan(MAIL_ATTEMPTS);
    expect(mailTries(MAIL_ATTEMPTS + 2, { w: 2 })).toBe(MAIL_ATTEMPTS);
  });

  it('when a payload is malformed, then it is refused with issues (unknown key, bad id, version 0, both shapes mixed, bad step)', () => {
    for (const bad of [
      { c: 'ahg-1', v: 2, p: 'AUS', x: 1 },
      { c: 'AHG:1', v: 2, p: 'AUS' },
      { c: 'ahg-1', v: 0, p: 'AUS' },
      { c: 'ahg-1', v: 1, k: 'due', t: 1, p: 'AUS' },
      { c: 'ahg-1', v: 1, k: 'due:now', t: 1 },
      { c: 'ahg-1', v: 1, k: 'due', t: 1.5 },
      { c: 'ahg-1', v: 1, k: 'due' },
      null,
      'r123',
    ]) {
      const r = parse(bad);
      expect(r.success, JSON.stringify(bad)).toBe(false);
      expect(r.error?.issues.length).toBeGreaterThan(0);
    }
  });

  it('when ids are made for groups and sends, then they are short, stable, distinct, and change with the instant', () => {
    const g = { commitmentId: 'ahg-1', dueVersion: 1, stepKey: 'due', at: 1000 };
    const id = reminderGroupJobId(g);
    expect(id).toMatch(/^r[A-Za-z0-9_-]{16}$/);
    expect(reminderGroupJobId({ ...g })).toBe(id);
    expect(reminderGroupJobId({ ...g, at: 1001 })).not.toBe(id);
    expect(reminderGroupJobId({ ...g, dueVersion: 2 })).not.toBe(id);
    expect(reminderGroupJobId({ ...g, stepKey: 'overdue-1' })).not.toBe(id);
    expect(reminderJobId('ahg-1--d1--due--AUS')).not.toBe(id);
  });
});
