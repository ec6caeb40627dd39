/**
 * The pages behind the links in mail (src/api/routes/actions.ts), in the
 * shared shell: a commitment as its recipient sees it, the forms of each
 * action, the outcome, and the refusals, each saying why and what to do.
 */
import { dueInstant } from '../../domain/deadline.js';
import type { Commitment } from '../../domain/commitment.js';
import type { DomainEvent } from '../../domain/events.js';
import type { Party } from '../../domain/party.js';
import { summariseEvent } from '../../domain/digest-changes.js';
import type { ExtensionRequest } from '../../store/extension-store.js';
import type { LinkClaims, LinkPurpose } from '../../store/link-store.js';
import { dateLabel, deadlineWords } from '../../mail/deadline-words.js';
import { html, raw, shellPage, type SafeHtml } from './shell.js';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

const FORM_CSS = raw(`<style>
.lp dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0 0 16px}.lp dt{color:var(--muted);font-size:13px}.lp dd{margin:0}
.lp label{display:block;font-size:13px;color:var(--muted);margin:12px 0 4px}.lp input[type=text],.lp input[type=url],.lp input[type=date]{font:inherit;padding:7px 8px;border:1px solid #c9d0da;border-radius:6px;width:100%;max-width:360px}
.lp .actions a{display:inline-block;margin:4px 8px 4px 0;padding:7px 14px;border-radius:6px;background:var(--accent);color:#fff;text-decoration:none;font-weight:600}
.lp ol.history{padding-left:18px;font-size:14px}.lp h2{font-size:16px;margin:20px 0 8px}
</style>`);

const STATUS: Record<string, string> = { open: 'Open', in_progress: 'In progress', done: 'Done', cancelled: 'Cancelled' };

export function sendablePage(title: string, body: SafeHtml, kicker?: string): string {
  return shellPage({ title, ...(kicker ? { kicker } : {}), body: html`${FORM_CSS}<div class="lp">${body}</div>` });
}

/** Today's date (YYYY-MM-DD) in a zone. */
export function todayIn(zone: string, now: Date): string {
  return format(new TZDate(now.getTime(), zone), 'yyyy-MM-dd');
}

function historyLine(e: DomainEvent, zone: string): SafeHtml {
  const when = format(new TZDate(Date.parse(e.at), zone), 'd MMM yyyy');
  const what = summariseEvent(e, dateLabel, (ms) => format(new TZDate(ms, zone), 'd MMMM yyyy, HH:mm'));
  return html`<li><span class="muted">${when}</span> · ${what} <span class="muted">(${e.who})</span></li>`;
}

export interface ViewModel {
  c: Commitment;
  claims: LinkClaims;
  zone: string;
  parties: ReadonlyMap<string, Party>;
  history: DomainEvent[];
  pending: ExtensionRequest | null;
  /** Actions open to the recipient: purpose → URL of its page. */
  actions: Partial<Record<LinkPurpose, string>>;
  now: Date;
}

const ACTION_LABELS: Array<[LinkPurpose, string]> = [
  ['complete', 'Mark as done'],
  ['progress', 'Record progress'],
  ['extend', 'Request more time'],
  ['approve', 'Approve more time'],
  ['decline', 'Decline more time'],
];

/** The read-only page of a commitment for one recipient. */
export function commitmentPage(m: ViewModel): string {
  const { c } = m;
  const name = (id: string) => m.parties.get(id)?.name ?? id;
  const at = dueInstant(c.due);
  const overdue = at && c.status !== 'done' && c.status !== 'cancelled' && at.getTime() < m.now.getTime();
  const evidence = c.evidence.map(
    (e) =>
      html`<li>${dateLabel(e.completedOn)}${c.target ? ` · ${e.units} unit${e.units === 1 ? '' : 's'}` : ''}${e.note ? html` · ${e.note}` : ''}${e.evidenceUrl && /^https?:\/\//.test(e.evidenceUrl) ? html` · <a href="${e.evidenceUrl}" rel="noopener noreferrer">evidence</a>` : ''} <span class="muted">(${e.recordedBy}${e.withdrawn ? ', withdrawn' : ''})</span></li>`,
  );
  const actions = ACTION_LABELS.filter(([p]) => m.actions[p]).map(([p, label]) => html`<a href="${m.actions[p]!}">${label}</a>`);
  const recent = m.history.filter((e) => !e.type.startsWith('reminder.')).slice(-8);
  return sendablePage(
    c.title,
    html`<dl>
<dt>Deadline</dt><dd>${deadlineWords(c.due, m.zone)}${overdue ? html` <strong>(overdue)</strong>` : ''}</dd>
<dt>Status</dt><dd>${STATUS[c.status] ?? c.status}${c.target ? ` · ${c.target.done} of ${c.target.units} recorded` : ''}</dd>
<dt>Leads</dt><dd>${c.leads.map(name).join(', ') || 'none recorded'}</dd>
<dt>Members</dt><dd>${c.members.map(name).join(', ') || 'none'}</dd>
${m.pending ? html`<dt>More time</dt><dd>Requested to ${dateLabel(m.pending.newDate)} by ${m.pending.requestedBy}, waiting for the co-chairs</dd>` : ''}
</dl>
${c.sourceText ? html`<p class="muted">From the meeting's text: “${c.sourceText}”</p>` : ''}
<h2>Progress and evidence</h2>
${evidence.length ? html`<ul>${evidence}</ul>` : html`<p class="muted">Nothing recorded yet.</p>`}
<h2>What you can do</h2>
${actions.length ? html`<p class="actions">${actions}</p>` : html`<p class="muted">Nothing is open to you here right now; the next reminder brings fresh links.</p>`}
<h2>Recent history</h2>
<ol class="history">${recent.map((e) => historyLine(e, m.zone))}</ol>
<p class="small muted">Shown to ${m.claims.recipient}. Times are in ${m.zone}.</p>`,
    'Follow-up · commitment',
  );
}

/** The form page of an acting link; it posts back to the same URL. */
export function actionForm(purpose: LinkPurpose, c: Commitment, claims: LinkClaims, ctx: { zone: string; now: Date; request?: ExtensionRequest | null }): string {
  const hidden = html`<input type="hidden" name="commitmentId" value="${c.id}">`;
  const who = html`<p class="small muted">You act as ${claims.recipient}; this is recorded in the commitment's history.</p>`;
  const today = todayIn(ctx.zone, ctx.now);
  switch (purpose) {
    case 'complete': {
      const unit = c.target ? html`<p>This records one unit: the ${ordinal(c.target.done + 1)} of ${c.target.units}.</p>` : '';
      return sendablePage(
        c.title,
        html`<p>Mark “${c.title}” as done?</p>${unit}
<form method="post">${hidden}
<label for="note">Note (optional)</label><textarea id="note" name="note" rows="3" maxlength="2000"></textarea>
<label for="evidenceUrl">Evidence link (optional)</label><input type="url" id="evidenceUrl" name="evidenceUrl" maxlength="2000" placeholder="https://">
<label for="completedOn">Completed on</label><input type="date" id="completedOn" name="completedOn" value="${today}" max="${today}">
<p><button type="submit">${c.target ? 'Record this unit' : 'Mark as done'}</button></p></form>${who}`,
      );
    }
    case 'progress':
      return sendablePage(
        c.title,
        html`<p>Record progress on “${c.title}” without completing it. The item moves to “in progress”.</p>
<form method="post">${hidden}
<label for="note">What has happened</label><textarea id="note" name="note" rows="4" maxlength="2000" required></textarea>
<p><button type="submit">Record progress</button></p></form>${who}`,
      );
    case 'extend':
      return sendablePage(
        c.title,
        html`<p>Ask the co-chairs for more time on “${c.title}”. The deadline now: ${deadlineWords(c.due, ctx.zone)}.</p>
<form method="post">${hidden}
<label for="newDate">Proposed new date</label><input type="date" id="newDate" name="newDate" min="${today}" required>
<label for="reason">Reason</label><textarea id="reason" name="reason" rows="3" maxlength="2000" required></textarea>
<p><button type="submit">Send the request</button></p></form>${who}`,
      );
    case 'approve':
    case 'decline': {
      const r = ctx.request!;
      return sendablePage(
        c.title,
        html`<p>${r.requestedBy} asks to move the deadline of “${c.title}” from ${deadlineWords(c.due, r.timeZone)} to ${deadlineWords({ date: r.newDate, timeZone: r.timeZone }, r.timeZone)}.</p>
<p>Reason: “${r.reason}”</p>
<form method="post">${hidden}
<label for="note">Note to the leads (optional)</label><textarea id="note" name="note" rows="2" maxlength="2000"></textarea>
<p><button type="submit">${purpose === 'approve' ? 'Approve the new date' : 'Decline the request'}</button></p></form>${who}`,
      );
    }
    default:
      return sendablePage(c.title, html`<p>Nothing to do here.</p>`);
  }
}

export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${s}`;
}

/** A short outcome or refusal page. */
export function messagePage(title: string, lines: string[], link?: { href: string; label: string }): string {
  return sendablePage(title, html`${lines.map((l) => html`<p>${l}</p>`)}${link ? html`<p class="actions"><a href="${link.href}">${link.label}</a></p>` : ''}`);
}
