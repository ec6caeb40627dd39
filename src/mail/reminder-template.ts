/**
 * The reminder message: subject, text part and HTML part.
 *
 * Every user-supplied field (title, source sentence, party names, addresses)
 * is escaped in the HTML part, and control characters (CR, LF and NUL
 * included) become a space in the subject and in every value of the text
 * part, so a title cannot inject markup or headers, or forge lines.
 *
 * A deadline set as a date reads as that date ("31 December 2009 (end of day,
 * Jakarta time)"), plus the recipient's local equivalent only when it falls
 * on another day there. An overdue notice says since when and for how long.
 * Every link is a signed link for this recipient (src/app/links.ts): View, and
 * for a lead Mark as done, Record progress and Request more time. The mail
 * joins the commitment's thread, and carries Auto-Submitted and a List-Id per
 * meeting; its Message-ID domain is PUBLIC_BASE_URL's host.
 */
import { createHash } from 'node:crypto';
import { formatDuration } from 'date-fns';
import type { Commitment } from '../domain/commitment.js';
import { parseIsoDuration } from '../domain/duration.js';
import type { PlannedSend } from '../domain/planner.js';
import type { LinkPurpose } from '../store/link-store.js';
import { deadlineWords, overdueWords } from './deadline-words.js';
import { automaticHeaders, mailHtml, mailText, messageIdDomain, textValue, type MailButton } from './layout.js';
import type { OutgoingMail } from './mailer.js';

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
  /** This recipient's signed links, by purpose. */
  links?: Partial<Record<LinkPurpose, string>>;
  /** A legacy single "mark as done" link, used when `links` has no complete link. */
  actionUrl?: string;
}

/** Message-ID from the send id and the recipient: a retry reuses it, so clients fold duplicates. */
export function reminderMessageId(sendId: string, recipient: string, domain = 'followup'): string {
  const r = createHash('sha256').update(recipient.toLowerCase()).digest('hex').slice(0, 16);
  return `<${sendId}.${r}@${domain}>`;
}

/** "7 days", "4 seconds", "1 week" from an ISO duration. */
export function humanDuration(iso: string): string {
  const d = parseIsoDuration(iso);
  return (d && formatDuration(d)) || iso;
}

/** What the subject says before the title. Every overdue notice is "Overdue"; the body says for how long. */
export function subjectLead(stepKey: string): string {
  if (stepKey.startsWith('before-')) return `Due in ${humanDuration(stepKey.slice('before-'.length))}`;
  if (stepKey === 'due') return 'Due today';
  if (stepKey === 'escalation') return 'Escalation: overdue';
  if (/^overdue-\d+$/.test(stepKey)) return 'Overdue';
  return 'Reminder';
}

/** "1 of 2 meetings held", or units done for targets whose title names no meeting or workshop. */
export function progressLine(c: Pick<Commitment, 'title' | 'target'>): string | null {
  if (!c.target) return null;
  const noun = /meeting/i.test(c.title) ? 'meetings held' : /workshop/i.test(c.title) ? 'workshops held' : 'units done';
  return `${c.target.done} of ${c.target.units} ${noun}`;
}

/** The deadline for a recipient in `timeZone` (see deadline-words.ts). */
export function deadlineLine(c: Pick<Commitment, 'due'>, timeZone: string): string {
  return deadlineWords(c.due, timeZone);
}

/**
 * What every recipient of one step of one commitment version shares, in the
 * same zone: the subject and the rows around the per-recipient bits.
 */
export interface ReminderParts {
  subject: string;
  lead: string;
  heading: string;
  intro: string[];
  rows: Array<[string, string]>;
  domain: string;
}

type PartsInput = Pick<ReminderMailInput, 'commitment' | 'leadNames' | 'baseUrl'> & { send: Pick<ReminderMailInput['send'], 'stepKey' | 'timeZone' | 'at'> };

/** The shared parts of a reminder (see ReminderParts). */
export function reminderParts(input: PartsInput): ReminderParts {
  const { commitment: c, send } = input;
  const title = textValue(c.title);
  const lead = subjectLead(send.stepKey);
  const overdue = send.stepKey.startsWith('overdue-') || send.stepKey === 'escalation';
  const deadline = deadlineLine(c, send.timeZone);
  const progress = progressLine(c);
  const leads = input.leadNames.length ? input.leadNames.map(textValue).join(', ') : 'none recorded';
  const intro: string[] = [];
  if (overdue) intro.push(`This commitment is ${overdueWords(c.due, new Date(send.at), send.timeZone)}.`);
  if (c.sourceText) intro.push(`From the meeting's text: "${textValue(c.sourceText)}"`);
  const rows: Array<[string, string]> = [
    ['Deadline', deadline],
    ...(progress ? ([['Progress', progress]] as Array<[string, string]>) : []),
    ['Leads', leads],
    ['Status', c.status.replace('_', ' ')],
  ];
  return { subject: textValue(`${lead}: ${title}`), lead, heading: `${lead}: ${title}`, intro, rows, domain: messageIdDomain(input.baseUrl) };
}

const LABELS: Array<[LinkPurpose, string]> = [
  ['view', 'View the commitment'],
  ['complete', 'Mark as done'],
  ['progress', 'Record progress'],
  ['extend', 'Request more time'],
];

/** One recipient's message from the shared parts: the links, the "why", the address and the Message-ID vary. */
export function finishReminder(
  parts: ReminderParts,
  input: Pick<ReminderMailInput, 'send' | 'recipient' | 'copied' | 'links' | 'actionUrl'> & { commitment: Pick<Commitment, 'id' | 'meetingId'> },
): Pick<OutgoingMail, 'subject' | 'text' | 'html' | 'messageId' | 'headers'> {
  const { send, recipient } = input;
  const why = input.copied
    ? 'You are copied on this escalation as a co-chair or member of the steering group.'
    : `You receive this as a focal point of ${textValue(send.partyId)}.`;
  const links = { ...(input.actionUrl ? { complete: input.actionUrl } : {}), ...(input.links ?? {}) };
  const buttons: MailButton[] = LABELS.filter(([p]) => links[p]).map(([p, label]) => ({ label, href: links[p]! }));
  const footer = `${why} Sent to ${recipient}. Each link opens a page for you; nothing changes until you confirm there.`;
  const text = mailText([
    parts.heading,
    '',
    ...parts.intro.flatMap((l) => [l, '']),
    ...parts.rows.map(([k, v]) => `${k}: ${v}`),
    '',
    ...buttons.map((b) => `${b.label}: ${b.href}`),
    '',
    footer,
  ]);
  return {
    subject: parts.subject,
    text,
    html: mailHtml({ heading: parts.heading, intro: parts.intro, rows: parts.rows, buttons, footer }),
    messageId: reminderMessageId(send.id, recipient, parts.domain),
    headers: {
      ...automaticHeaders({ domain: parts.domain, commitmentId: input.commitment.id, meetingId: input.commitment.meetingId }),
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
 * version, step and its instant, zone, lead names, base URL) in a small LRU of
 * `max` entries: the parties and recipients of one step reuse them.
 */
export function createReminderRenderer(max = 256): (input: ReminderMailInput) => ReturnType<typeof renderReminder> {
  const cache = new Map<string, ReminderParts>();
  return (input) => {
    const c = input.commitment;
    const key = `${c.id}\u0000${c.version}\u0000${input.send.stepKey}\u0000${input.send.at}\u0000${input.send.timeZone}\u0000${input.leadNames.join('\u0001')}\u0000${input.baseUrl}`;
    let parts = cache.get(key);
    if (!parts) {
      parts = reminderParts(input);
      cache.set(key, parts);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
    }
    return finishReminder(parts, input);
  };
}
