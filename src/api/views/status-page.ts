/**
 * The status page template: a pure function from a view model to HTML.
 * No scripts (the CSP forbids inline ones, and none are needed): the filters
 * are a plain GET form.
 */
import type { CommitmentView } from '../../domain/commitment.js';
import type { Meeting } from '../../domain/meeting.js';
import type { Party } from '../../domain/party.js';
import { STATUS_PAGE_CSS } from './status-page-style.js';
import { html, page, type SafeHtml } from './html.js';
import { shellPage } from './shell.js';
import { renderTimeline } from './timeline.js';

export const STATUS_FILTERS = ['open', 'in_progress', 'done', 'cancelled', 'overdue'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface StatusPageModel {
  meeting: Meeting | null;
  meetings: Meeting[];
  now: Date;
  /** The viewer's zone: every instant on the page is shown in it. */
  tz: string;
  /** Zones offered in the picker (the parties' zones and the meeting's). */
  tzOptions: string[];
  parties: Party[];
  filter: { party?: string; status?: StatusFilter };
  /** This page's commitments, after filtering, in order. */
  items: CommitmentView[];
  /** Every commitment after filtering (all pages): the timeline draws them. */
  matching: CommitmentView[];
  /** 1-based page number, the page count (at least 1), and how many items a page holds. */
  page: number;
  pages: number;
  pageSize: number;
  /** Counts over the whole meeting, before filtering. */
  counts: Record<StatusFilter | 'total', number>;
  /** Set when the viewer signed in with a token (shows a sign-out link). */
  signedInAs?: string;
  /** Pending requests for more time, by commitment id. */
  pendingExtensions?: ReadonlyMap<string, { newDate: string; requestedBy: string }>;
}

const LABEL: Record<StatusFilter, string> = {
  open: 'Open',
  in_progress: 'In progress',
  done: 'Done',
  cancelled: 'Cancelled',
  overdue: 'Overdue',
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** "Fri 1 Jan 2010, 05:59 GMT+13" in the viewer's zone. */
export function formatInstant(at: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(at);
}

/** "Jakarta" for Asia/Jakarta, "Buenos Aires" for America/Argentina/Buenos_Aires, "UTC" for UTC. */
export function placeOfZone(tz: string): string {
  return (tz.split('/').pop() ?? tz).replace(/_/g, ' ');
}

export function formatDay(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** "overdue by 16 days", "due in 3 days", "due within a day". */
export function relativeDue(dueAt: Date, now: Date): string {
  const diff = dueAt.getTime() - now.getTime();
  const days = Math.floor(Math.abs(diff) / DAY_MS);
  const span = days === 1 ? '1 day' : `${days} days`;
  if (diff < 0) return days === 0 ? 'overdue by less than a day' : `overdue by ${span}`;
  return days === 0 ? 'due within a day' : `due in ${span}`;
}

function partyNames(ids: readonly string[], byId: Map<string, Party>): string {
  return ids.map((id) => byId.get(id)?.name ?? id).join(', ') || '—';
}

/**
 * A date deadline reads as the date it was given ("31 Dec 2009, end of day in
 * Jakarta"), with the instant in the viewer's zone beneath when that zone is
 * another; an instant deadline reads in the viewer's zone.
 */
function deadlineCell(c: CommitmentView, m: StatusPageModel): SafeHtml {
  // A deadline tied to a meeting that has no date yet: the commitment needs a deadline, and says which meeting it waits for.
  if (c.needsDeadline && c.dueLink) return html`<span class="muted needs-deadline">Needs a deadline: ${c.dueLink.offset === 'P0D' ? 'the first day of' : `${c.dueLink.offset} from`} meeting ${c.dueLink.meetingId}, not dated yet</span>`;
  if (!c.dueAt || !c.due) return html`<span class="muted">No deadline set</span>`;
  const dueAt = new Date(c.dueAt);
  const main =
    'date' in c.due
      ? html`<time datetime="${c.due.date}" class="due-date">${formatDay(c.due.date)}, end of day in ${placeOfZone(c.due.timeZone)}</time>${
          c.due.timeZone !== m.tz ? html`<div class="muted small due-local">that is <time datetime="${c.dueAt}">${formatInstant(dueAt, m.tz)}</time></div>` : ''
        }`
      : html`<time datetime="${c.dueAt}" class="due-instant">${formatInstant(dueAt, m.tz)}</time>`;
  const closed = c.status === 'done' || c.status === 'cancelled';
  return html`${main}${closed ? '' : html`<div class="rel ${c.overdue ? 'late' : ''}">${relativeDue(dueAt, m.now)}</div>`}`;
}

function progressCell(c: CommitmentView): SafeHtml {
  const active = c.evidence.filter((e) => !e.withdrawn);
  const last = active[active.length - 1];
  const done = c.target ? c.target.done : c.status === 'done' ? 1 : 0;
  const units = c.target ? c.target.units : 1;
  const pct = Math.round((done / units) * 100);
  const late = last && c.dueAt && c.status === 'done' && Date.parse(`${last.completedOn}T00:00:00Z`) > Date.parse(c.dueAt) ? html` <span class="tag late">late</span>` : '';
  return html`<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="${units}" aria-valuenow="${done}"><span style="width:${pct}%"></span></div>
    <div class="small">${c.target ? `${done} of ${units} recorded` : c.status === 'done' ? 'Completed' : 'Not yet completed'}${last ? html` · ${formatDay(last.completedOn)}` : ''}${late}</div>
    ${last ? html`<div class="small muted evidence">${last.note}${last.evidenceUrl ? html` · <a href="${last.evidenceUrl}" rel="noopener noreferrer">evidence</a>` : ''}</div>` : ''}`;
}

function row(c: CommitmentView, m: StatusPageModel, byId: Map<string, Party>): SafeHtml {
  const classes = ['item', `status-${c.status}`, c.overdue ? 'overdue' : ''].filter(Boolean).join(' ');
  return html`<article id="${c.id}" class="${classes}" data-commitment="${c.id}" data-status="${c.status}" data-overdue="${String(c.overdue)}">
  <div class="head">
    <h2>${c.title}</h2>
    <div class="badges"><span class="badge ${c.status}">${LABEL[c.status]}</span>${c.overdue ? html`<span class="badge overdue-badge">Overdue</span>` : ''}</div>
  </div>
  ${c.sourceText ? html`<p class="source">${c.sourceText}</p>` : ''}
  <dl>
    <div><dt>Deadline</dt><dd>${deadlineCell(c, m)}</dd></div>
    <div><dt>Progress</dt><dd>${progressCell(c)}</dd></div>
    <div><dt>Leads</dt><dd>${partyNames(c.leads, byId)}</dd></div>
    <div><dt>Members</dt><dd class="small">${c.members.length ? partyNames(c.members, byId) : '—'}</dd></div>
  </dl>
  ${pendingLine(m.pendingExtensions?.get(c.id))}
</article>`;
}

/** A pending request for more time, under its commitment. */
function pendingLine(p: { newDate: string; requestedBy: string } | undefined): SafeHtml | '' {
  return p ? html`<p class="small pending-extension" data-testid="pending-extension"><span class="tag">More time requested</span> to ${formatDay(p.newDate)}, waiting for the co-chairs.</p>` : '';
}

function option(value: string, label: string, selected: boolean): SafeHtml {
  return html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
}

function filters(m: StatusPageModel): SafeHtml {
  return html`<form class="filters" method="get" action="/">
  ${m.meetings.length > 1 ? html`<label>Meeting <select name="meeting">${m.meetings.map((x) => option(x.id, x.title, x.id === m.meeting?.id))}</select></label>` : m.meeting ? html`<input type="hidden" name="meeting" value="${m.meeting.id}">` : ''}
  <label>Party <select name="party">${option('', 'All parties', !m.filter.party)}${m.parties.map((p) => option(p.id, `${p.name} (${p.id})`, p.id === m.filter.party))}</select></label>
  <label>Status <select name="status">${option('', 'Any status', !m.filter.status)}${STATUS_FILTERS.map((s) => option(s, LABEL[s], s === m.filter.status))}</select></label>
  <label>Time zone <select name="tz">${m.tzOptions.map((z) => option(z, z.replace(/_/g, ' '), z === m.tz))}</select></label>
  <button type="submit">Apply</button>
  ${m.filter.party || m.filter.status ? html`<a class="reset" href="/?${m.meeting ? `meeting=${m.meeting.id}&` : ''}tz=${encodeURIComponent(m.tz)}">Clear filters</a>` : ''}
</form>`;
}

/** The page's own URL with other filters or another page number; every filter is kept. */
export function pageHref(m: Pick<StatusPageModel, 'meeting' | 'meetings' | 'filter' | 'tz'>, pageNo: number): string {
  const q = new URLSearchParams();
  if (m.meeting && m.meetings.length > 1) q.set('meeting', m.meeting.id);
  if (m.filter.party) q.set('party', m.filter.party);
  if (m.filter.status) q.set('status', m.filter.status);
  q.set('tz', m.tz);
  if (pageNo > 1) q.set('page', String(pageNo));
  return `/?${q.toString()}`;
}

const number = (n: number) => new Intl.NumberFormat('en-GB').format(n);

function shownLine(m: StatusPageModel): string {
  const total = m.matching.length;
  if (m.pages <= 1) return total === 1 ? '1 commitment shown' : `${number(total)} commitments shown`;
  const from = (m.page - 1) * m.pageSize + 1;
  return `Showing ${number(from)}–${number(from + m.items.length - 1)} of ${number(total)} commitments`;
}

function pager(m: StatusPageModel): SafeHtml | '' {
  if (m.pages <= 1) return '';
  const prev = m.page > 1 ? html`<a rel="prev" href="${pageHref(m, m.page - 1)}">← Previous</a>` : html`<span class="off">← Previous</span>`;
  const next = m.page < m.pages ? html`<a rel="next" href="${pageHref(m, m.page + 1)}">Next →</a>` : html`<span class="off">Next →</span>`;
  return html`<nav class="pager" aria-label="Pages">${prev}<span class="pages">Page ${m.page} of ${m.pages}</span>${next}</nav>`;
}

/** Render the whole page. */
export function renderStatusPage(m: StatusPageModel): string {
  const byId = new Map(m.parties.map((p) => [p.id, p]));
  const meeting = m.meeting;
  const summary = (['total', ...STATUS_FILTERS] as const).map(
    (k) => html`<div class="stat ${k}"><span class="n">${m.counts[k]}</span><span class="l">${k === 'total' ? 'Commitments' : LABEL[k]}</span></div>`,
  );
  const body = html`<header>
  <div class="wrap">
    <p class="kicker">Follow-up · status of commitments${m.signedInAs ? html` · signed in as ${m.signedInAs} (<a href="/admin/logout">sign out</a>)` : ''}</p>
    <h1>${meeting ? meeting.title : 'No meeting yet'}</h1>
    ${meeting ? html`<p class="meta">${meeting.place ? `${meeting.place} · ` : ''}${formatDay(meeting.startDate)} – ${formatDay(meeting.endDate)}</p>` : ''}
    <p class="asof">As of ${formatInstant(m.now, m.tz)} · times shown in ${m.tz.replace(/_/g, ' ')}</p>
  </div>
</header>
<main class="wrap">
  <section class="summary" aria-label="Summary">${summary}</section>
  ${filters(m)}
  ${renderTimeline({ items: m.matching, meeting, now: m.now, tz: m.tz, onPage: new Set(m.items.map((c) => c.id)) })}
  <p class="count" data-testid="shown">${shownLine(m)}</p>
  <section class="list">${m.items.length ? m.items.map((c) => row(c, m, byId)) : html`<p class="empty">${m.matching.length ? 'There is no such page; go back to the first one.' : 'No commitment matches these filters.'}</p>`}</section>
  ${pager(m)}
</main>
<footer class="wrap muted small">Read-only view. A deadline given as a date ends at the end of that day in the place it was set for.</footer>`;
  return page({ title: meeting ? `Status · ${meeting.title}` : 'Follow-up status', style: STATUS_PAGE_CSS, body });
}

/** A small page for a viewer who needs a token first (STATUS_PAGE=token). */
export function renderSignInNeeded(message: string): string {
  return shellPage({
    title: 'Sign-in needed',
    kicker: 'Follow-up · status of commitments',
    body: html`<p>${message}</p>
<p class="muted">Ask the secretariat for a viewer link, which looks like <code>/?token=…</code>. Opening it once keeps you signed in on this browser for a while.</p>`,
  });
}
