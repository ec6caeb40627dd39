/**
 * The mails of a request for more time: the ask, to each co-chair contact,
 * with signed Approve and Decline links; and the outcome (approved, declined,
 * expired undecided), to each lead contact, with a View link.
 */
import { dateLabel, deadlineWords } from './deadline-words.js';
import { automaticHeaders, mailHtml, mailText, textValue } from './layout.js';
import type { OutgoingMail } from './mailer.js';

export type NoticeKind = 'asked' | 'approved' | 'declined' | 'expired';

export interface NoticeInput {
  kind: NoticeKind;
  commitment: { id: string; meetingId: string; title: string };
  request: { id: string; newDate: string; timeZone: string; reason: string; requestedBy: string; decideBy: string; decidedBy?: string; decisionNote?: string };
  /** The current deadline, as words. */
  currentDeadline: string;
  recipient: string;
  links: { view?: string; approve?: string; decline?: string };
  domain: string;
}

const SUBJECT: Record<NoticeKind, string> = {
  asked: 'More time requested',
  approved: 'More time approved',
  declined: 'More time declined',
  expired: 'Request for more time expired',
};

export function noticeMessageId(kind: NoticeKind, requestId: string, recipient: string, domain: string): string {
  const r = Buffer.from(recipient.toLowerCase()).toString('hex').slice(0, 24);
  return `<ext.${requestId}.${kind}.${r}@${domain}>`;
}

export function renderNotice(n: NoticeInput): Pick<OutgoingMail, 'subject' | 'text' | 'html' | 'messageId' | 'headers'> {
  const title = textValue(n.commitment.title);
  const asked = deadlineWords({ date: n.request.newDate, timeZone: n.request.timeZone }, n.request.timeZone);
  const lines: string[] = [];
  const rows: Array<[string, string]> = [
    ['Commitment', title],
    ['Deadline now', n.currentDeadline],
    ['Asked for', asked],
    ['Reason', textValue(n.request.reason)],
    ['Asked by', n.request.requestedBy],
  ];
  let intro: string;
  switch (n.kind) {
    case 'asked':
      intro = `${n.request.requestedBy} asks for more time. As a co-chair you can approve or decline it; without a decision by ${dateLabel(n.request.decideBy.slice(0, 10))} the request expires.`;
      break;
    case 'approved':
      intro = `The co-chairs approved the request: the deadline is now ${asked}. Reminders follow the new date.`;
      break;
    case 'declined':
      intro = `The co-chairs declined the request: the deadline stays ${n.currentDeadline}.${n.request.decisionNote ? ` Their note: ${textValue(n.request.decisionNote)}` : ''}`;
      break;
    case 'expired':
      intro = `No co-chair decided the request by ${dateLabel(n.request.decideBy.slice(0, 10))}, so it expired: the deadline stays ${n.currentDeadline}. You may ask again.`;
      break;
  }
  if (n.kind !== 'asked' && n.request.decidedBy) rows.push(['Decided by', n.request.decidedBy]);
  const buttons = [
    ...(n.links.approve ? [{ label: 'Approve', href: n.links.approve }] : []),
    ...(n.links.decline ? [{ label: 'Decline', href: n.links.decline }] : []),
    ...(n.links.view ? [{ label: 'View the commitment', href: n.links.view }] : []),
  ];
  lines.push(`${SUBJECT[n.kind]}: ${title}`, '', intro, '', ...rows.map(([k, v]) => `${k}: ${v}`), '');
  for (const b of buttons) lines.push(`${b.label}: ${b.href}`);
  const footer = `Sent to ${n.recipient} by Follow-up. Each link opens a page that asks you to confirm; nothing changes until you do.`;
  lines.push('', footer);
  return {
    subject: textValue(`${SUBJECT[n.kind]}: ${title}`),
    text: mailText(lines),
    html: mailHtml({ heading: `${SUBJECT[n.kind]}: ${title}`, intro: [intro], rows, buttons, footer }),
    messageId: noticeMessageId(n.kind, n.request.id, n.recipient, n.domain),
    headers: automaticHeaders({ domain: n.domain, commitmentId: n.commitment.id, meetingId: n.commitment.meetingId }),
  };
}
