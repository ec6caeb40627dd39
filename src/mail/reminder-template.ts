/**
 * The reminder message: subject, text part and HTML part.
 *
 * Every user-supplied field (title, source sentence, party names, addresses)
 * goes through `escape-html` in the HTML part, and control characters (CR,
 * LF and NUL included) become a space in the subject and in every value of
 * the text part, so a title cannot inject markup or headers, or forge lines.
 */
import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import { TZDate } from '@date-fns/tz';
import { format, formatDuration } from 'date-fns';
import type { Commitment } from '../domain/commitment.js';
import { dueInstant } from '../domain/deadline.js';
import { parseIsoDuration } from '../domain/duration.js';
import type { PlannedSend } from '../domain/planner.js';
import type { OutgoingMail } from './mailer.js';
import { singleLine } from '../domain/text.js';

export interface ReminderMailInput {
  commitment: Commitment;
  send: Pick<PlannedSend, 'id' | 'step' | 'stepKey' | 'at' | 'timeZone' | 'partyId'>;
  recipient: string;
  /** True when the recipient is copied (co-chairs, steering group on an escalation). */
  copied: boolean;
  /** Names of the lead parties, in order. */
  leadNames: string[];
  /** PUBLIC_BASE_URL, without a trailing slash. */
  baseUrl: string;
  /** The signed one-click "mark as done" link for this recipient. */
  actionUrl: string;
}

/** Message-ID from the send id and the recipient: a retry reuses it, so clients fold duplicates. */
export function reminderMessageId(sendId: string, recipient: string): string {
  const r = createHash('sha256').update(recipient.toLowerCase()).digest('hex').slice(0, 16);
  return `<${sendId}.${r}@followup>`;
}

/** "7 days", "4 seconds", "1 week" from an ISO duration. */
export function humanDuration(iso: string): string {
  const d = parseIsoDuration(iso);
  return (d && formatDuration(d)) || iso;
}

const oneLine = (s: string) => singleLine(s).trim();

/** What the subject says before the title. */
export function subjectLead(stepKey: string): string {
  if (stepKey.startsWith('before-')) return `Due in ${humanDuration(stepKey.slice('before-'.length))}`;
  if (stepKey === 'due') return 'Due today';
  if (stepKey === 'escalation') return 'Escalation: overdue';
  const m = /^overdue-(\d+)$/.exec(stepKey);
  if (m) return m[1] === '1' ? 'Overdue' : `Overdue (follow-up ${m[1]})`;
  return 'Reminder';
}

/** "1 of 2 meetings held", or units done for targets whose title names no meeting or workshop. */
export function progressLine(c: Pick<Commitment, 'title' | 'target'>): string | null {
  if (!c.target) return null;
  const noun = /meeting/i.test(c.title) ? 'meetings held' : /workshop/i.test(c.title) ? 'workshops held' : 'units done';
  return `${c.target.done} of ${c.target.units} ${noun}`;
}

/** The deadline as the recipient's clock shows it, plus the date's own zone for a date deadline. */
export function deadlineLine(c: Pick<Commitment, 'due'>, timeZone: string): string {
  const at = dueInstant(c.due);
  if (!at || !c.due) return 'no deadline';
  const withSeconds = 'at' in c.due && at.getUTCSeconds() !== 0;
  const local = format(new TZDate(at.getTime(), timeZone), withSeconds ? 'EEEE d MMMM yyyy, HH:mm:ss' : 'EEEE d MMMM yyyy, HH:mm');
  const own = 'date' in c.due ? ` (end of ${format(new Date(`${c.due.date}T12:00:00Z`), 'd MMMM yyyy')} in ${c.due.timeZone})` : '';
  return `${local} ${timeZone} time${own}`;
}

/**
 * What every recipient of one step of one commitment version shares, in the
 * same zone: the subject and the text and HTML around the per-recipient bits.
 * The expensive work (zoned date formatting, escaping) happens here once.
 */
export interface ReminderParts {
  subject: string;
  lead: string;
  textHead: string;
  htmlHead: string;
}

type PartsInput = Pick<ReminderMailInput, 'commitment' | 'leadNames' | 'baseUrl'> & { send: Pick<ReminderMailInput['send'], 'stepKey' | 'timeZone'> };

/** The shared parts of a reminder (see ReminderParts). */
export function reminderParts(input: PartsInput): ReminderParts {
  const { commitment: c, send } = input;
  const title = oneLine(c.title);
  const lead = subjectLead(send.stepKey);
  const subject = `${lead}: ${title}`;
  const link = `${input.baseUrl}/v1/commitments/${encodeURIComponent(c.id)}`;
  const deadline = deadlineLine(c, send.timeZone);
  const progress = progressLine(c);
  const leads = input.leadNames.length ? input.leadNames.map(oneLine).join(', ') : 'none recorded';

  const textHead = [
    `${lead}: ${title}`,
    '',
    c.sourceText ? `From the meeting's text:\n  "${oneLine(c.sourceText)}"\n` : null,
    `Deadline: ${deadline}`,
    progress ? `Progress: ${progress}` : null,
    `Leads: ${leads}`,
    `Status: ${c.status.replace('_', ' ')}`,
    '',
    `Details: ${link}`,
  ]
    .filter((l): l is string => l !== null)
    .join('\n');

  const e = escapeHtml;
  const row = (k: string, v: string) => `<tr><th align="left" style="padding:2px 12px 2px 0">${k}</th><td>${v}</td></tr>`;
  const htmlHead = `<!doctype html>
<html><body style="font-family:sans-serif;line-height:1.4">
<h2 style="margin:0 0 8px">${e(lead)}: ${e(title)}</h2>
${c.sourceText ? `<blockquote style="margin:0 0 12px;color:#444">${e(oneLine(c.sourceText))}</blockquote>` : ''}
<table>
${row('Deadline', e(deadline))}
${progress ? row('Progress', e(progress)) : ''}
${row('Leads', e(leads))}
${row('Status', e(c.status.replace('_', ' ')))}
</table>
<p><a href="${e(link)}">View the commitment</a></p>`;
  return { subject, lead, textHead, htmlHead };
}

/** One recipient's message from the shared parts: the action link, the "why", the address and the Message-ID vary. */
export function finishReminder(parts: ReminderParts, input: Pick<ReminderMailInput, 'send' | 'recipient' | 'copied' | 'actionUrl'>): Pick<OutgoingMail, 'subject' | 'text' | 'html' | 'messageId' | 'headers'> {
  const { send, recipient } = input;
  const why = input.copied
    ? 'You are copied on this escalation as a co-chair or member of the steering group.'
    : `You receive this as a focal point of ${oneLine(send.partyId)}.`;
  const text = `${parts.textHead}\nMark as done (asks you to confirm): ${oneLine(input.actionUrl)}\n\n${why}`;
  const e = escapeHtml;
  const html = `${parts.htmlHead}
<p><a href="${e(input.actionUrl)}">Mark as done</a> (you will be asked to confirm)</p>
<p style="color:#666;font-size:small">${e(why)} Sent to ${e(recipient)}.</p>
</body></html>`;
  return {
    subject: parts.subject,
    text,
    html,
    messageId: reminderMessageId(send.id, recipient),
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Followup-Send-Id': send.id,
      'X-Followup-Planned-At': send.at,
    },
  };
}

/** Render one recipient's reminder. */
export function renderReminder(input: ReminderMailInput): Pick<OutgoingMail, 'subject' | 'text' | 'html' | 'messageId' | 'headers'> {
  return finishReminder(reminderParts(input), input);
}

/**
 * `renderReminder` with the shared parts memoised per (commitment id and
 * version, step, zone, lead names, base URL) in a small LRU of `max` entries:
 * the parties and recipients of one step reuse them. The key holds the
 * commitment's version, so an edited commitment never reuses old text.
 */
export function createReminderRenderer(max = 256): (input: ReminderMailInput) => ReturnType<typeof renderReminder> {
  const cache = new Map<string, ReminderParts>();
  return (input) => {
    const c = input.commitment;
    const key = `${c.id}\u0000${c.version}\u0000${input.send.stepKey}\u0000${input.send.timeZone}\u0000${input.leadNames.join('\u0001')}\u0000${input.baseUrl}`;
    let parts = cache.get(key);
    if (!parts) {
      parts = reminderParts(input);
      cache.set(key, parts);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
    }
    return finishReminder(parts, input);
  };
}
