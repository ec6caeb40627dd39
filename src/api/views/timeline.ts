/**
 * The status page's timeline: a server-rendered SVG of a meeting's
 * commitments, deadlines on a time axis, with today's line. Pure: view model
 * in, markup out; no client script (the CSP forbids inline ones).
 *
 * Two layouts keep it readable:
 * - up to LABELLED_MAX dated commitments, each is a mark with its title. Marks
 *   sit in lanes below the axis, and a label goes into the first lane where it
 *   overlaps no other label (widths are estimated generously from the length);
 * - above that, the marks would be an unreadable smear, so each column of the
 *   axis becomes a stacked bar of how many are done, overdue and upcoming.
 * Commitments that need a deadline cannot sit on an axis: they are listed
 * under it. Cancelled ones are left out. On a narrow screen the drawing keeps
 * a legible size and scrolls sideways in its box; the box is right-to-left so
 * that it opens on the recent end (today), not on the meeting months ago.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, startOfDay } from 'date-fns';
import type { CommitmentView } from '../../domain/commitment.js';
import { dueInstant } from '../../domain/deadline.js';
import type { Meeting } from '../../domain/meeting.js';
import { html, type SafeHtml } from './html.js';

export type MarkKind = 'done' | 'overdue' | 'upcoming' | 'undated';

export interface TimelineModel {
  /** The commitments to draw (already filtered for the viewer). */
  items: readonly CommitmentView[];
  meeting: Meeting | null;
  now: Date;
  /** The viewer's zone: ticks and the labels of days are in it. */
  tz: string;
  /** Ids listed on the current page: their marks link to their card. */
  onPage?: ReadonlySet<string>;
}

/** Above this many dated commitments the timeline draws counts, not labelled marks. */
export const LABELLED_MAX = 24;
const UNDATED_LISTED = 15;

const W = 960;
const LEFT = 24;
const RIGHT = 24;
const LANE = 22;
const LABEL_CHARS = 34;
/** Estimated width of one character of a 12.5 px label, on the generous side, so estimated extents never undercount. */
const CHAR_PX = 7.6;
const DAY_MS = 86_400_000;

const COLOUR = { done: '#1d7a46', overdue: '#b42318', upcoming: '#1f5fa8', progress: '#b7791f', undated: '#6b7280', today: '#1d2430' };

export function markKind(c: CommitmentView): MarkKind | null {
  if (c.status === 'cancelled') return null;
  if (c.status === 'done') return c.dueAt ? 'done' : null;
  if (!c.dueAt) return 'undated';
  return c.overdue ? 'overdue' : 'upcoming';
}

const truncate = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1).trimEnd()}…`);

function dayLabel(at: Date, tz: string, withYear = true): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}) }).format(at);
}

/** Tick instants at local midnights (weekly) or local month starts, at most about 8 of them. */
function ticks(t0: number, t1: number, tz: string): Array<{ at: number; label: string }> {
  const span = t1 - t0;
  const out: Array<{ at: number; label: string }> = [];
  if (span <= 70 * DAY_MS) {
    const step = span <= 35 * DAY_MS ? 7 : 14;
    for (let d = startOfDay(new TZDate(t0, tz)); d.getTime() <= t1; d = addDays(d, step)) {
      if (d.getTime() >= t0) out.push({ at: d.getTime(), label: dayLabel(d, tz, false) });
    }
    return out;
  }
  const months = span / (30.44 * DAY_MS);
  const step = [1, 2, 3, 6, 12, 24, 60, 120].find((s) => months / s <= 8) ?? 240;
  const first = new TZDate(t0, tz);
  let d = new TZDate(first.getFullYear(), first.getMonth() - (first.getMonth() % Math.min(step, 12)), 1, tz);
  for (; d.getTime() <= t1; d = addMonths(d, step)) {
    if (d.getTime() >= t0) {
      const label = new Intl.DateTimeFormat('en-GB', { timeZone: tz, month: 'short', year: 'numeric' }).format(d);
      out.push({ at: d.getTime(), label: step >= 12 ? label.replace(/^\w+ /, '') : label });
    }
  }
  return out;
}

function shape(kind: MarkKind, x: number, y: number, progress = false): SafeHtml {
  switch (kind) {
    case 'done':
      return html`<circle cx="${x}" cy="${y}" r="7" fill="${COLOUR.done}"/><path d="M${x - 3.5} ${y}l2.5 2.6 4.6-5" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>`;
    case 'overdue':
      return html`<path d="M${x} ${y - 8}l8 8-8 8-8-8z" fill="${COLOUR.overdue}"/>`;
    case 'upcoming':
      return html`<circle cx="${x}" cy="${y}" r="6" fill="#fff" stroke="${progress ? COLOUR.progress : COLOUR.upcoming}" stroke-width="2.5"/>`;
    case 'undated':
      return html`<rect x="${x - 5.5}" y="${y - 5.5}" width="11" height="11" fill="#fff" stroke="${COLOUR.undated}" stroke-width="2" stroke-dasharray="3 2"/>`;
  }
}

const KIND_WORD: Record<MarkKind, string> = { done: 'done', overdue: 'overdue', upcoming: 'upcoming', undated: 'needs a deadline' };

/** A mark drawn alone, as an inline icon for the legend and the list of undated items. */
function icon(kind: MarkKind, dense = false, progress = false): SafeHtml {
  const inner = dense && kind !== 'undated' ? html`<rect x="-6" y="-6" width="12" height="12" rx="2" fill="${COLOUR[kind]}"/>` : shape(kind, 0, 0, progress);
  return html`<svg class="icon" viewBox="-9 -9 18 18" width="16" height="16" aria-hidden="true">${inner}</svg>`;
}

/** The key, in HTML beside the drawing so it wraps on a narrow screen. */
function legend(dense: boolean, meeting: boolean): SafeHtml {
  const entries: Array<[MarkKind, string]> = [
    ['done', 'Done'],
    ['overdue', 'Overdue'],
    ['upcoming', 'Upcoming'],
  ];
  return html`<ul class="tl-legend">${entries.map(([kind, label]) => html`<li>${icon(kind, dense)}${label}</li>`)}<li><svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><line x1="8" y1="0" x2="8" y2="16" stroke="${COLOUR.today}" stroke-width="2" stroke-dasharray="4 3"/></svg>Today</li>${meeting ? html`<li><svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><rect x="2" y="0" width="12" height="16" fill="#e7f0fb"/></svg>Meeting days</li>` : ''}</ul>`;
}

interface Placed {
  c: CommitmentView;
  kind: MarkKind;
  x: number;
  lane: number;
  label: string;
  anchorEnd: boolean;
}

/** Greedy lanes: each label goes into the first lane where its estimated extent clears every other label by a gap. */
function placeLabels(dated: Array<{ c: CommitmentView; kind: MarkKind; x: number }>): Placed[] {
  const lanes: Array<Array<[number, number]>> = [];
  return dated.map(({ c, kind, x }) => {
    const label = truncate(c.title, LABEL_CHARS);
    const width = 14 + label.length * CHAR_PX;
    const anchorEnd = x + width > W - RIGHT;
    const extent: [number, number] = anchorEnd ? [x - width, x + 9] : [x - 9, x + width];
    let lane = lanes.findIndex((spans) => spans.every(([a, b]) => extent[0] > b + 10 || extent[1] < a - 10));
    if (lane < 0) lane = lanes.push([]) - 1;
    lanes[lane]!.push(extent);
    return { c, kind, x, lane, label, anchorEnd };
  });
}

/** The timeline as a <figure>, or nothing when the meeting has nothing to draw. */
export function renderTimeline(m: TimelineModel): SafeHtml | '' {
  const kinds = m.items.map((c) => ({ c, kind: markKind(c) })).filter((e): e is { c: CommitmentView; kind: MarkKind } => e.kind !== null);
  if (kinds.length === 0) return '';
  const dated = kinds.filter((e) => e.kind !== 'undated').sort((a, b) => Date.parse(a.c.dueAt!) - Date.parse(b.c.dueAt!) || a.c.title.localeCompare(b.c.title));
  const undated = kinds.filter((e) => e.kind === 'undated').sort((a, b) => a.c.title.localeCompare(b.c.title));
  const dense = dated.length > LABELLED_MAX;
  const now = m.now.getTime();

  // The span: every deadline, today and the meeting days, padded, and at least four weeks.
  const meetingFrom = m.meeting ? dueInstant({ date: m.meeting.startDate, timeZone: m.meeting.timeZone ?? m.tz })!.getTime() - DAY_MS + 1 : null;
  const meetingTo = m.meeting ? dueInstant({ date: m.meeting.endDate, timeZone: m.meeting.timeZone ?? m.tz })!.getTime() : null;
  const core = [now, ...dated.map((e) => Date.parse(e.c.dueAt!))];
  let t0 = Math.min(...core);
  let t1 = Math.max(...core);
  // The meeting days widen the span only while that keeps the deadlines legible: a meeting
  // years before them would squeeze every mark into a sliver at one end.
  const showMeeting = meetingFrom !== null && Math.max(t1, meetingTo!) - Math.min(t0, meetingFrom) <= 2 * Math.max(t1 - t0, 90 * DAY_MS);
  if (showMeeting) {
    t0 = Math.min(t0, meetingFrom!);
    t1 = Math.max(t1, meetingTo!);
  }
  if (t1 - t0 < 28 * DAY_MS) {
    const mid = (t0 + t1) / 2;
    t0 = mid - 14 * DAY_MS;
    t1 = mid + 14 * DAY_MS;
  }
  const pad = (t1 - t0) * 0.04;
  t0 -= pad;
  t1 += pad;
  const xOf = (t: number) => Math.round((LEFT + ((t - t0) / (t1 - t0)) * (W - LEFT - RIGHT)) * 10) / 10;

  const parts: SafeHtml[] = [];
  let axisY: number;
  let bottom: number;
  const xNow = xOf(now);
  const nowAnchor = xNow > W - RIGHT - 80 ? 'end' : xNow < LEFT + 80 ? 'start' : 'middle';
  /** Today's line, drawn before the marks so their labels' white halo keeps them legible where it crosses. */
  const todayLine = (y1: number, y2: number) =>
    html`<g class="today"><line x1="${xNow}" y1="${y1}" x2="${xNow}" y2="${y2}" stroke="${COLOUR.today}" stroke-width="2" stroke-dasharray="4 3"/></g>`;
  const tickList = ticks(t0, t1, m.tz);

  if (!dense) {
    axisY = 36;
    const placed = placeLabels(dated.map((e) => ({ ...e, x: xOf(Date.parse(e.c.dueAt!)) })));
    const laneCount = placed.reduce((n, p) => Math.max(n, p.lane + 1), 0);
    bottom = axisY + 16 + laneCount * LANE;
    if (showMeeting) parts.push(html`<rect class="meeting" x="${xOf(meetingFrom)}" y="${axisY - 6}" width="${Math.max(3, xOf(meetingTo!) - xOf(meetingFrom))}" height="${bottom - axisY + 6}" fill="#e7f0fb"><title>Meeting days: ${m.meeting!.startDate} to ${m.meeting!.endDate}</title></rect>`);
    parts.push(...tickList.map((t) => html`<g class="tick"><line x1="${xOf(t.at)}" y1="${axisY - 4}" x2="${xOf(t.at)}" y2="${axisY + 4}" stroke="#8a94a3"/><text x="${xOf(t.at)}" y="${axisY - 10}" text-anchor="middle" class="tk">${t.label}</text></g>`));
    parts.push(html`<line class="axis" x1="${LEFT}" y1="${axisY}" x2="${W - RIGHT}" y2="${axisY}" stroke="#8a94a3" stroke-width="1.5"/>`);
    parts.push(todayLine(axisY - 22, bottom));
    for (const p of placed) {
      const y = axisY + 16 + p.lane * LANE + 4;
      const due = new Date(p.c.dueAt!);
      const word = KIND_WORD[p.kind];
      const mark = html`<title>${p.c.title}: due ${dayLabel(due, m.tz)}, ${word}</title><line x1="${p.x}" y1="${axisY}" x2="${p.x}" y2="${y}" stroke="${COLOUR[p.kind]}" stroke-opacity=".45"/>${shape(p.kind, p.x, y, p.c.status === 'in_progress')}<text x="${p.anchorEnd ? p.x - 12 : p.x + 12}" y="${y + 4}"${p.anchorEnd ? html` text-anchor="end"` : ''} class="lb">${p.label}</text>`;
      parts.push(
        html`<g class="mark ${p.kind}" data-mark="${p.c.id}" data-kind="${p.kind}" data-due="${p.c.dueAt!}">${m.onPage?.has(p.c.id) ? html`<a href="#${p.c.id}">${mark}</a>` : mark}</g>`,
      );
    }
  } else {
    // Columns of about 12 px, each a stacked bar: overdue at the foot, then upcoming, then done.
    const top = 14;
    const barMax = 96;
    axisY = top + barMax + 8;
    const bins = Math.floor((W - LEFT - RIGHT) / 12);
    const counts = Array.from({ length: bins }, () => ({ overdue: 0, upcoming: 0, done: 0 }));
    const binOf = (t: number) => Math.min(bins - 1, Math.max(0, Math.floor(((t - t0) / (t1 - t0)) * bins)));
    for (const e of dated) counts[binOf(Date.parse(e.c.dueAt!))]![e.kind as 'overdue' | 'upcoming' | 'done']++;
    const most = Math.max(1, ...counts.map((c) => c.overdue + c.upcoming + c.done));
    const unit = barMax / most;
    if (showMeeting) parts.push(html`<rect class="meeting" x="${xOf(meetingFrom)}" y="${top}" width="${Math.max(3, xOf(meetingTo!) - xOf(meetingFrom))}" height="${axisY - top}" fill="#e7f0fb"><title>Meeting days: ${m.meeting!.startDate} to ${m.meeting!.endDate}</title></rect>`);
    counts.forEach((c, i) => {
      const total = c.overdue + c.upcoming + c.done;
      if (total === 0) return;
      const x = LEFT + i * 12 + 1;
      const from = new Date(t0 + (i / bins) * (t1 - t0));
      const to = new Date(t0 + ((i + 1) / bins) * (t1 - t0));
      let y = axisY;
      const segs: SafeHtml[] = [];
      for (const kind of ['overdue', 'upcoming', 'done'] as const) {
        if (c[kind] === 0) continue;
        const h = Math.max(1.5, c[kind] * unit);
        y -= h;
        segs.push(html`<rect x="${x}" y="${Math.round(y * 10) / 10}" width="10" height="${Math.round(h * 10) / 10}" fill="${COLOUR[kind]}"/>`);
      }
      const words = (['overdue', 'upcoming', 'done'] as const).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`).join(', ');
      parts.push(html`<g class="bin" data-overdue="${c.overdue}" data-upcoming="${c.upcoming}" data-done="${c.done}"><title>Due ${dayLabel(from, m.tz)} to ${dayLabel(to, m.tz)}: ${words}</title>${segs}</g>`);
    });
    parts.push(html`<line class="axis" x1="${LEFT}" y1="${axisY}" x2="${W - RIGHT}" y2="${axisY}" stroke="#8a94a3" stroke-width="1.5"/>`);
    parts.push(...tickList.map((t) => html`<g class="tick"><line x1="${xOf(t.at)}" y1="${axisY - 4}" x2="${xOf(t.at)}" y2="${axisY + 4}" stroke="#8a94a3"/><text x="${xOf(t.at)}" y="${axisY + 18}" text-anchor="middle" class="tk">${t.label}</text></g>`));
    bottom = axisY + 26;
    parts.push(todayLine(top, bottom));
  }

  // Today's label goes under everything else, so it crosses no mark's label.
  parts.push(html`<text x="${xNow}" y="${bottom + 14}" text-anchor="${nowAnchor}" class="tk today-label">Today, ${dayLabel(m.now, m.tz)}</text>`);
  bottom += 22;

  // The commitments that need a deadline have no place on the axis: an HTML list under it, which wraps.
  const listed = undated.length > UNDATED_LISTED ? undated.slice(0, UNDATED_LISTED - 1) : undated;
  const undatedList = undated.length
    ? html`<div class="tl-undated"><h3>${icon('undated')}Needs a deadline (${undated.length})</h3><ul>${listed.map(
        (e) => html`<li data-mark="${e.c.id}" data-kind="undated">${m.onPage?.has(e.c.id) ? html`<a href="#${e.c.id}">${e.c.title}</a>` : e.c.title}</li>`,
      )}${listed.length < undated.length ? html`<li class="muted">and ${undated.length - listed.length} more</li>` : ''}</ul></div>`
    : '';

  const counts = { done: 0, overdue: 0, upcoming: 0, undated: 0 };
  for (const e of kinds) counts[e.kind]++;
  const overdueNames = dated.filter((e) => e.kind === 'overdue').slice(0, 5).map((e) => `${e.c.title} (due ${dayLabel(new Date(e.c.dueAt!), m.tz)})`);
  const desc =
    `Deadlines from ${dayLabel(new Date(t0), m.tz)} to ${dayLabel(new Date(t1), m.tz)}; today is ${dayLabel(m.now, m.tz)}. ` +
    `${counts.overdue} overdue, ${counts.upcoming} upcoming, ${counts.done} done, ${counts.undated} without a deadline.` +
    (overdueNames.length ? ` Overdue: ${overdueNames.join('; ')}${counts.overdue > overdueNames.length ? '; and more' : ''}.` : '');
  const height = Math.ceil(bottom + 10);
  return html`<section class="timeline" aria-label="Timeline">
  <h2>Timeline</h2>
  ${legend(dense, showMeeting)}
  <div class="scroll"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-labelledby="timeline-title timeline-desc" data-mode="${dense ? 'counts' : 'marks'}">
<title id="timeline-title">Timeline of ${kinds.length === 1 ? '1 commitment' : `${kinds.length} commitments`}</title>
<desc id="timeline-desc">${desc}</desc>
<style>.lb{font:12.5px system-ui,sans-serif;fill:#1d2430;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}.lg,.tk{font:12px system-ui,sans-serif;fill:#5d6878}.hd{font:600 12px system-ui,sans-serif;fill:#5d6878;letter-spacing:.06em;text-transform:uppercase}.today-label{fill:#1d2430;font-weight:600}.muted{fill:#5d6878}a .lb{fill:#1f5fa8}</style>
${parts}
</svg></div>
  ${undatedList}
  ${dense ? html`<p class="note small muted">${dated.length} dated commitments are counted per column; hover a column for its numbers, or use the list below.</p>` : ''}
</section>`;
}
