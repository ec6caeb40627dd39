import { describe, expect, it } from 'vitest';
import { createCommitment, CommitmentInputSchema, toView, type CommitmentView } from '../../src/domain/commitment.js';
import { LABELLED_MAX, renderTimeline } from '../../src/api/views/timeline.js';

const NOW = new Date('2010-01-15T02:00:00Z');

function item(id: string, due: { at: string } | null, status: 'open' | 'done' | 'cancelled' = 'open'): CommitmentView {
  const { commitment } = createCommitment(CommitmentInputSchema.parse({ id, meetingId: 'ahg-som-2009', title: `Title of ${id}`, leads: ['IDN'], due }), 'test', new Date('2009-08-01T00:00:00Z'));
  return toView({ ...commitment, status }, NOW);
}

const render = (items: CommitmentView[]) => String(renderTimeline({ items, meeting: null, now: NOW, tz: 'Asia/Makassar' }));
const kinds = (svg: string) => [...svg.matchAll(/data-mark="([^"]+)" data-kind="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`);

describe('the timeline view', () => {
  it('when commitments are overdue, upcoming, done, undated and cancelled, then each gets its mark, and cancelled ones none', () => {
    const svg = render([
      item('late', { at: '2010-01-01T00:00:00Z' }),
      item('soon', { at: '2010-02-01T00:00:00Z' }),
      item('finished', { at: '2009-12-01T00:00:00Z' }, 'done'),
      item('dropped', { at: '2010-02-01T00:00:00Z' }, 'cancelled'),
      item('someday', null),
    ]);
    expect(kinds(svg).sort()).toEqual(['finished:done', 'late:overdue', 'someday:undated', 'soon:upcoming']);
    expect(svg).toContain('Timeline of 4 commitments');
    expect(svg).toContain('1 overdue, 1 upcoming, 1 done, 1 without a deadline');
    expect(svg).not.toContain('dropped');
  });

  it('when titles hold markup, then it is escaped in marks, labels and the description', () => {
    const evil = { ...item('xx', { at: '2010-01-01T00:00:00Z' }), title: '<script>alert(1)</script>' };
    const svg = render([evil]);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });

  it(`when there are more than ${LABELLED_MAX} dated commitments, then the timeline counts them per column instead of labelling each`, () => {
    const at = (i: number) => ({ at: new Date(NOW.getTime() + (i - 10) * 86_400_000).toISOString() });
    const few = render(Array.from({ length: LABELLED_MAX }, (_, i) => item(`c${i}`, at(i))));
    expect(few).toContain('data-mode="marks"');
    const many = render(Array.from({ length: LABELLED_MAX + 1 }, (_, i) => item(`c${i}`, at(i))));
    expect(many).toContain('data-mode="counts"');
    const counted = [...many.matchAll(/data-overdue="(\d+)" data-upcoming="(\d+)" data-done="(\d+)"/g)].reduce((n, m) => n + Number(m[1]) + Number(m[2]) + Number(m[3]), 0);
    expect(counted).toBe(LABELLED_MAX + 1);
  });

  it('when nothing can be drawn (no commitment, or only cancelled ones), then there is no timeline at all', () => {
    expect(render([])).toBe('');
    expect(render([item('dropped', null, 'cancelled')])).toBe('');
  });
});
