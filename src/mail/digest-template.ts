/**
 * The digest as mail: a subject, an HTML part and a text part, printed from
 * the digest model. Every value that a user or a party could have typed
 * (titles, names, notes, URLs, addresses, error texts) goes through `esc` in
 * the HTML part. In the text part and the subject every line is made one line
 * (control characters, CR, LF and NUL included, become a space), so a title or
 * a note cannot forge lines of its own.
 */
import escapeHtml from 'escape-html';
import juice from 'juice';
import { singleLine } from '../domain/text.js';
import type { ChangeItem, CompletedItem, Digest, DigestItem, FailedItem, OverdueItem, PartyRow, Section } from '../domain/digest.js';

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

export interface RenderOptions {
  /** An empty period renders a short "no changes" digest. */
  short?: boolean;
  /** Link to the service, shown at the foot. */
  baseUrl?: string;
  /**
   * The link of one commitment for the reader. At compose time this is a placeholder
   * (viewLinkPlaceholder) that delivery replaces with each recipient's own signed view link.
   */
  itemLink?: (commitmentId: string) => string;
}

/** What stands in a composed digest for a recipient's view link of a commitment, until delivery. */
export const viewLinkPlaceholder = (commitmentId: string) => `%%VIEW:${commitmentId}%%`;
/** Every placeholder of a composed part (the commitment id in group 1). */
export const VIEW_LINK_PLACEHOLDER = /%%VIEW:([a-z0-9-]{1,80})%%/g;

const esc = (v: unknown) => escapeHtml(singleLine(String(v)));
/** Only http(s) links become anchors; anything else is shown as text. */
const safeUrl = (u: string | null) => (u && /^https?:\/\//i.test(u) ? u : null);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function leadsOf(d: Digest, ids: readonly string[]): string {
  return ids.length ? ids.map((id) => d.partyNames[id] ?? id).join(', ') : 'no lead yet';
}

function periodWords(d: Digest): string {
  const since = d.period.first ? `since the meeting (${d.period.fromLabel})` : `from ${d.period.fromLabel}`;
  return `${since} to ${d.period.toLabel} (${d.timeZone})`;
}

/** The subject line, e.g. "Follow-up digest to 18 January 2010: 1 overdue, 0 completed". */
export function digestSubject(d: Digest, short = false): string {
  const who = d.scope ? ` for ${d.scope.name}` : '';
  const to = d.period.toLabel.replace(/^\w+ /, '').replace(/, \d\d:\d\d$/, '');
  if (short && d.isEmpty) return singleLine(`Follow-up digest${who} to ${to}: no changes`);
  return singleLine(`Follow-up digest${who} to ${to}: ${d.headline.overdue} overdue, ${d.completed.total} completed, ${plural(d.changes.total, 'change')}`);
}

function more<T>(s: Section<T>): number {
  return s.total - s.items.length;
}

/**
 * Where the rest of a long list can be seen: the status page, filtered by party
 * and status where a filter says it (overdue, a lead's items), else sorted by
 * urgency (overdue first, then by deadline). Only with an http(s) base URL.
 */
export function statusPageLink(baseUrl: string | undefined, filter: { party?: string | null; status?: 'overdue' | 'open' | 'done' }): string | null {
  if (!baseUrl || !safeUrl(baseUrl)) return null;
  const q = new URLSearchParams();
  if (filter.party) q.set('party', filter.party);
  if (filter.status) q.set('status', filter.status);
  const query = q.toString();
  return `${baseUrl.replace(/\/+$/, '')}/${query ? `?${query}` : ''}`;
}

/** The "see the rest" link of each state section, in the digest's scope; the period's lists (changes, completions) have none. */
function sectionLinks(d: Digest, opts: RenderOptions) {
  const party = d.scope?.party ?? null;
  return {
    overdue: statusPageLink(opts.baseUrl, { party, status: 'overdue' }),
    all: statusPageLink(opts.baseUrl, { party }),
    lead: (id: string, status: 'overdue' | 'open' | 'done') => statusPageLink(opts.baseUrl, { party: id, status }),
  };
}

// ---------- text ----------

function textList<T>(title: string, s: Section<T>, line: (x: T) => string, href: string | null = null, empty = 'None.'): string[] {
  const heading = `${title} (${s.total})`;
  const out = ['', heading, '-'.repeat(heading.length)];
  if (s.total === 0) out.push(empty);
  for (const x of s.items) out.push(`- ${line(x)}`);
  if (more(s) > 0) out.push(`… and ${more(s)} more${href ? `: ${href}` : '.'}`);
  return out;
}

/** The text part. */
export function renderDigestText(d: Digest, opts: RenderOptions = {}): string {
  const h = d.headline;
  const links = sectionLinks(d, opts);
  const lines: string[] = [];
  lines.push(`Follow-up digest${d.scope ? ` for ${d.scope.name} (${d.scope.party})` : ''}`);
  lines.push(`Period: ${periodWords(d)}.`);
  for (const m of d.meetings) lines.push(`Meeting: ${m.title}${m.place ? `, ${m.place}` : ''}, ${m.startDate} to ${m.endDate}.`);
  lines.push('');
  lines.push(`At a glance: ${h.open} open, ${h.inProgress} in progress, ${h.done} done, ${h.overdue} overdue, ${h.withoutDeadline} without a deadline, ${h.dueSoon} due in the next 30 days.`);
  if (opts.short && d.isEmpty) {
    lines.push('', 'No changes this period: no commitment was changed or completed, and no reminder failed.');
    if (h.overdue > 0) lines.push(`Still overdue: ${d.overdue.items.map((o) => `${o.title} (since ${o.dueLabel})`).join('; ')}${more(d.overdue) > 0 ? `; … and ${more(d.overdue)} more${links.overdue ? `: ${links.overdue}` : '.'}` : '.'}`);
  } else {
    const view = (id: string) => (opts.itemLink ? ` View: ${opts.itemLink(id)}` : '');
    lines.push(...textList('Overdue, longest first', d.overdue, (o: OverdueItem) => `${o.title}: overdue since ${o.dueLabel} (${plural(o.daysOverdue, 'day')}). Leads: ${leadsOf(d, o.leads)}.${view(o.id)}`, links.overdue));
    lines.push(...textList('Due in the next 30 days', d.dueSoon, (o) => `${o.title}: due ${o.dueLabel} (in ${plural(o.daysLeft, 'day')}). Leads: ${leadsOf(d, o.leads)}.${view(o.id)}`, links.all));
    lines.push(...textList('Needs a deadline', d.needsDeadline, (o: DigestItem) => `${o.title}. Leads: ${leadsOf(d, o.leads)}.${view(o.id)}`, links.all));
    lines.push(...textList('Progress on multi-unit targets', d.progress, (o) => `${o.title}: ${o.label}.${view(o.id)}`, links.all));
    lines.push(...textList('Completed this period', d.completed, (o: CompletedItem) => `${o.title}: completed on ${o.completedOnLabel}, recorded by ${o.by}.${o.note ? ` Evidence: ${o.note}` : ''}${o.evidenceUrl ? ` <${o.evidenceUrl}>` : ''}${o.stillDone ? '' : ' (since reopened)'}${view(o.id)}`));
    lines.push(...textList('Reminder deliveries that failed this period', d.failedDeliveries, (f: FailedItem) => `${f.atLabel}: to ${f.recipient}${f.title ? ` about ${f.title}` : ''}: ${f.error}`));
    lines.push(...textList('Changes this period', d.changes, (c: ChangeItem) => `${c.atLabel}, ${c.who}, ${c.title}: ${c.summary}`));
    if (d.changesByWho.length) lines.push(`By whom: ${d.changesByWho.map((w) => `${w.who} ${w.count}`).join(', ')}.`);
    lines.push('', 'By party (the items each party leads)', '-------------------------------------');
    if (d.parties.length === 0) lines.push('No party leads a commitment.');
    for (const p of d.parties) {
      lines.push(`${p.name} (${p.id}): ${p.open.total} open, ${p.overdue.total} overdue, ${p.done.total} done`);
      for (const [label, s] of [['overdue', p.overdue], ['open', p.open], ['done', p.done]] as const) {
        const href = links.lead(p.id, label);
        if (s.total) lines.push(`    ${label}: ${s.items.map((i) => i.title).join('; ')}${more(s) > 0 ? `; … and ${more(s)} more${href ? ` (${href})` : ''}` : ''}`);
      }
    }
  }
  lines.push('', `As of ${d.asOf}. Times are in ${d.timeZone}.`);
  if (opts.baseUrl) lines.push(`Follow-up: ${opts.baseUrl}/`);
  // Each entry is one line: whatever a value holds, it cannot start another.
  return lines.map(singleLine).join('\n') + '\n';
}

// ---------- HTML ----------

/*
 * Mail clients (Outlook, Gmail) ignore <style> blocks, flex and rem: the layout
 * is tables, sizes are px, and juice moves every rule into style attributes.
 */
const STYLE = `body{margin:0;padding:0;background:#f3f5f8}
.outer{width:100%;background:#f3f5f8}.card{width:680px;max-width:680px;background:#ffffff;border:1px solid #d8dee6}
.band{background:#1d3a5a;color:#c9d6e3;font-family:Arial,Helvetica,sans-serif;font-size:12px;padding:12px 20px}
.content{padding:20px;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:20px;color:#1f2328}
h1{font-family:Arial,Helvetica,sans-serif;font-size:22px;line-height:28px;margin:0 0 4px 0;color:#1f2328}
h2{font-family:Arial,Helvetica,sans-serif;font-size:17px;line-height:22px;margin:24px 0 6px 0;border-bottom:1px solid #d0d7de;padding-bottom:3px;color:#1f2328}
p{margin:0 0 10px 0}.muted{color:#59636e}.bad{color:#b42318}
.glance td{border:1px solid #d0d7de;padding:6px 10px;font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#1f2328}.glance b{font-size:18px;display:block}
.parties{border-collapse:collapse;width:100%}.parties th,.parties td{text-align:left;vertical-align:top;border-bottom:1px solid #eaeef2;padding:5px 6px;font-family:Arial,Helvetica,sans-serif;font-size:13px}
ul.items{padding-left:20px;margin:0 0 10px 0}ul.items li{margin:0 0 4px 0}a{color:#1f5f8b}`;

/** "… and 312 more", linked to where the rest can be seen when there is such a page. */
function moreHtml(n: number, href: string | null): string {
  return href ? `… and ${n} more: <a href="${esc(href)}">see them on the status page</a>.` : `… and ${n} more.`;
}

function htmlList<T>(title: string, s: Section<T>, li: (x: T) => string, href: string | null = null, empty = 'None.'): string {
  const body = s.total === 0 ? `<p class="muted">${esc(empty)}</p>` : `<ul class="items">${s.items.map((x) => `<li>${li(x)}</li>`).join('')}</ul>${more(s) > 0 ? `<p class="muted">${moreHtml(more(s), href)}</p>` : ''}`;
  return `<h2>${esc(title)} (${s.total})</h2>${body}`;
}

function partyCell(s: Section<DigestItem>, href: string | null): string {
  if (s.total === 0) return '<span class="muted">–</span>';
  const rest = href ? `<a href="${esc(href)}">… and ${more(s)} more</a>` : `… and ${more(s)} more`;
  return `${s.items.map((i) => esc(i.title)).join('<br>')}${more(s) > 0 ? `<br><span class="muted">${rest}</span>` : ''}`;
}

function partyTable(d: Digest, rows: PartyRow[], links: ReturnType<typeof sectionLinks>): string {
  if (rows.length === 0) return '<h2>By party</h2><p class="muted">No party leads a commitment.</p>';
  const body = rows
    .map((p) => `<tr><th scope="row">${esc(p.name)} <span class="muted">(${esc(p.id)})</span></th><td>${partyCell(p.open, links.lead(p.id, 'open'))}</td><td class="bad">${partyCell(p.overdue, links.lead(p.id, 'overdue'))}</td><td>${partyCell(p.done, links.lead(p.id, 'done'))}</td></tr>`)
    .join('');
  return `<h2>By party: the items each party leads</h2><table class="parties" role="presentation" cellpadding="0" cellspacing="0"><thead><tr><th>Party</th><th>Open</th><th>Overdue</th><th>Done</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The HTML part: a whole document in a table layout with its CSS inlined, readable in a browser and in mail clients. */
export function renderDigestHtml(d: Digest, opts: RenderOptions = {}): string {
  const h = d.headline;
  const links = sectionLinks(d, opts);
  const title = `Follow-up digest${d.scope ? ` for ${d.scope.name}` : ''}`;
  const glance = [
    ['Open', h.open],
    ['In progress', h.inProgress],
    ['Done', h.done],
    ['Overdue', h.overdue],
    ['Without a deadline', h.withoutDeadline],
    ['Due in 30 days', h.dueSoon],
  ]
    .map(([k, v]) => `<td${k === 'Overdue' && Number(v) > 0 ? ' class="bad"' : ''}><b>${v}</b>${k}</td>`)
    .join('');
  const meetings = d.meetings.map((m) => `<p class="muted">${esc(m.title)}${m.place ? `, ${esc(m.place)}` : ''}, ${esc(m.startDate)} to ${esc(m.endDate)}</p>`).join('');
  const parts: string[] = [`<h1>${esc(title)}</h1>`, `<p>${esc(periodWords(d))}</p>`, meetings, `<table class="glance" role="presentation" cellpadding="0" cellspacing="4"><tr>${glance}</tr></table>`];
  const leads = (ids: readonly string[]) => `<span class="muted">Leads: ${esc(leadsOf(d, ids))}</span>`;
  /** A title, linked to the reader's view of the commitment when there is a link. */
  const named = (id: string, t: string, strong = true) => {
    const text = strong ? `<strong>${esc(t)}</strong>` : esc(t);
    return opts.itemLink ? `<a href="${esc(opts.itemLink(id))}">${text}</a>` : text;
  };
  if (opts.short && d.isEmpty) {
    parts.push('<p><strong>No changes this period:</strong> no commitment was changed or completed, and no reminder failed.</p>');
    if (h.overdue > 0) parts.push(htmlList('Still overdue', d.overdue, (o) => `${named(o.id, o.title, false)}: overdue since ${esc(o.dueLabel)}`, links.overdue));
  } else {
    parts.push(htmlList('Overdue, longest first', d.overdue, (o) => `${named(o.id, o.title)}: overdue since ${esc(o.dueLabel)} <span class="bad">(${plural(o.daysOverdue, 'day')})</span>. ${leads(o.leads)}`, links.overdue));
    parts.push(htmlList('Due in the next 30 days', d.dueSoon, (o) => `${named(o.id, o.title)}: due ${esc(o.dueLabel)} (in ${plural(o.daysLeft, 'day')}). ${leads(o.leads)}`, links.all));
    parts.push(htmlList('Needs a deadline', d.needsDeadline, (o) => `${named(o.id, o.title, false)}. ${leads(o.leads)}`, links.all));
    parts.push(htmlList('Progress on multi-unit targets', d.progress, (o) => `${named(o.id, o.title, false)}: <strong>${esc(o.label)}</strong>`, links.all));
    parts.push(
      htmlList('Completed this period', d.completed, (o) => {
        const url = safeUrl(o.evidenceUrl);
        const link = url ? ` <a href="${esc(url)}">evidence</a>` : o.evidenceUrl ? ` ${esc(o.evidenceUrl)}` : '';
        return `${named(o.id, o.title)}: completed on ${esc(o.completedOnLabel)}, recorded by ${esc(o.by)}.${o.note ? ` ${esc(o.note)}` : ''}${link}${o.stillDone ? '' : ' <em>(since reopened)</em>'}`;
      }),
    );
    parts.push(htmlList('Reminder deliveries that failed this period', d.failedDeliveries, (f) => `${esc(f.atLabel)}: to ${esc(f.recipient)}${f.title ? ` about <strong>${esc(f.title)}</strong>` : ''}: <span class="bad">${esc(f.error)}</span>`));
    parts.push(htmlList('Changes this period', d.changes, (c) => `<span class="muted">${esc(c.atLabel)}</span>, ${esc(c.who)}, ${named(c.commitmentId, c.title)}: ${esc(c.summary)}`));
    if (d.changesByWho.length) parts.push(`<p class="muted">By whom: ${d.changesByWho.map((w) => `${esc(w.who)} ${w.count}`).join(', ')}</p>`);
    parts.push(partyTable(d, d.parties, links));
  }
  parts.push(`<p class="muted">As of ${esc(d.asOf)}. Times are in ${esc(d.timeZone)}.${opts.baseUrl && safeUrl(opts.baseUrl) ? ` <a href="${esc(opts.baseUrl)}/">Follow-up</a>` : ''}</p>`);
  const doc = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body>
<table class="outer" role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td align="center" style="padding:16px">
<table class="card" role="presentation" width="680" cellpadding="0" cellspacing="0" border="0">
<tr><td class="band">Follow-up</td></tr>
<tr><td class="content">${parts.join('\n')}</td></tr>
</table></td></tr></table></body></html>\n`;
  return juice(doc, { removeStyleTags: true, preserveMediaQueries: false });
}

/** Subject, text and HTML of one digest. */
export function renderDigest(d: Digest, opts: RenderOptions = {}): RenderedDigest {
  return { subject: digestSubject(d, opts.short), text: renderDigestText(d, opts), html: renderDigestHtml(d, opts) };
}
