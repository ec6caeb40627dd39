/**
 * Counters start at 0: before the first reminder, digest or failure, /metrics already has a sample
 * of every known series (each step of the configured reminder policy, each digest audience), so
 * a rate() or an alert on them works from the first scrape.
 */
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { TOKENS, bearer, createTestContext } from '../support/app.js';

const ctx = createTestContext('metrics-zero', { REMINDER_BEFORE: 'P14D,P1D', REMINDER_OVERDUE_MAX: '2' });
afterAll(() => ctx.cleanup());

describe('metrics before the first event', () => {
  it('every reminder counter has a 0 sample per step of the configured policy, and the digest counter per audience', async () => {
    const text = (await request(ctx.app).get('/metrics').set(bearer(TOKENS.admin)).expect(200)).text;
    for (const name of ['reminders_sent_total', 'reminders_skipped_total', 'reminders_failed_total']) {
      const steps = [...text.matchAll(new RegExp(`^followup_${name}\\{step="([^"]+)"\\} 0$`, 'gm'))].map((m) => m[1]).sort();
      expect(steps, name).toEqual(['before-P14D', 'before-P1D', 'due', 'escalation', 'overdue-1', 'overdue-2'].sort());
    }
    expect(text).toMatch(/^followup_digests_sent_total\{audience="steering-group"\} 0$/m);
    expect(text).toMatch(/^followup_digests_sent_total\{audience="party"\} 0$/m);
    expect(text).toMatch(/^followup_reschedule_deferred_total 0$/m);
    expect(text).toMatch(/^followup_commitment_errors_total\{where="reconcile"\} 0$/m);
  });
});
