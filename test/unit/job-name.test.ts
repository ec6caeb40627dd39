import { describe, expect, it } from 'vitest';
import { JOB_NAMES, jobName } from '../../jobs/reminder-jobs.js';

describe('jobName', () => {
  it('when the parts fit, then the name is the kind, the commitment and the step, space-separated', () => {
    expect(jobName(JOB_NAMES.send, 'workshop-information-campaigns', 'before-P7D')).toBe('reminder workshop-information-campaigns before-P7D');
    expect(jobName(JOB_NAMES.statusCheck, 'workshop-information-campaigns')).toBe('status-check workshop-information-campaigns');
    expect(jobName(JOB_NAMES.fullReconcile)).toBe('full-reconcile');
  });

  it('when the commitment id is long, then it is shortened with an ellipsis so the name stays within 64 bytes and keeps its step', () => {
    const id = 'a'.repeat(80);
    const name = jobName(JOB_NAMES.send, id, 'before-P14D');
    expect(Buffer.byteLength(name)).toBe(64);
    expect(name.startsWith('reminder aaaa')).toBe(true);
    expect(name.endsWith('… before-P14D')).toBe(true);
  });

  it('when even the step and party leave almost no room, then the name is cut at 64 bytes', () => {
    const name = jobName(JOB_NAMES.send, 'b'.repeat(80), 'x'.repeat(40), 'ABCDEFGHIJKLMNOP', 'retry');
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(64);
    expect(name.startsWith('reminder bbbb')).toBe(true);
    expect(name.endsWith('…')).toBe(true);
  });
});
