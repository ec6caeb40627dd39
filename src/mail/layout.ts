/**
 * What every automatic mail shares: a table layout with its CSS inline (mail
 * clients such as Outlook and Gmail ignore <style> blocks, flex and rem), one
 * Message-ID domain taken from PUBLIC_BASE_URL, one thread per commitment, and
 * the headers that mark a message as automatic.
 */
import escapeHtml from 'escape-html';
import { singleLine } from '../domain/text.js';
import { messageIdDomain } from './digest-compose.js';

export { messageIdDomain };

const e = escapeHtml;

/** Control characters out of a value printed in a text part: a title cannot forge a line. */
export const textValue = (s: string) => singleLine(s).trim();

/** The thread root of a commitment: every mail about it replies to this Message-ID. */
export function threadRoot(commitmentId: string, domain: string): string {
  return `<commitment.${commitmentId}@${domain}>`;
}

/**
 * Headers of an automatic mail about a commitment: Auto-Submitted, the thread
 * (In-Reply-To and References to the commitment's root) and a List-Id per meeting.
 */
export function automaticHeaders(opts: { domain: string; commitmentId?: string; meetingId?: string }): Record<string, string> {
  const h: Record<string, string> = { 'Auto-Submitted': 'auto-generated' };
  if (opts.commitmentId) {
    const root = threadRoot(opts.commitmentId, opts.domain);
    h['In-Reply-To'] = root;
    h.References = root;
  }
  if (opts.meetingId) h['List-Id'] = `<${opts.meetingId}.${opts.domain}>`;
  return h;
}

export interface MailButton {
  label: string;
  href: string;
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;';

/** One mail's HTML: a heading, key/value rows, paragraphs, buttons and a footer, all in tables with inline styles. */
export function mailHtml(opts: { heading: string; intro?: string[]; rows?: Array<[string, string]>; buttons?: MailButton[]; paragraphs?: string[]; footer?: string }): string {
  const rows = (opts.rows ?? [])
    .map(([k, v]) => `<tr><th align="left" valign="top" style="${FONT}font-size:14px;color:#555;padding:4px 16px 4px 0;white-space:nowrap">${e(k)}</th><td style="${FONT}font-size:14px;color:#1d2733;padding:4px 0">${e(v)}</td></tr>`)
    .join('');
  const para = (s: string) => `<p style="${FONT}font-size:14px;line-height:20px;color:#1d2733;margin:0 0 12px">${e(s)}</p>`;
  const buttons = (opts.buttons ?? [])
    .map((b) => `<td style="padding:0 8px 8px 0"><a href="${e(b.href)}" style="${FONT}display:inline-block;white-space:nowrap;background:#1f5f8b;color:#ffffff;text-decoration:none;font-size:14px;font-weight:bold;padding:10px 16px;border-radius:4px">${e(b.label)}</a></td>`)
    .join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>
<body style="margin:0;padding:0;background:#f3f5f8">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f5f8"><tr><td align="center" style="padding:16px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%;background:#ffffff;border:1px solid #d8dee6">
<tr><td style="background:#1d3a5a;padding:12px 20px;${FONT}font-size:12px;color:#c9d6e3">Follow-up</td></tr>
<tr><td style="padding:20px">
<h1 style="${FONT}font-size:20px;line-height:26px;color:#1d2733;margin:0 0 12px">${e(opts.heading)}</h1>
${(opts.intro ?? []).map(para).join('\n')}
${rows ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 12px">${rows}</table>` : ''}
${(opts.paragraphs ?? []).map(para).join('\n')}
${buttons ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 4px"><tr>${buttons}</tr></table>` : ''}
</td></tr>
${opts.footer ? `<tr><td style="padding:12px 20px;border-top:1px solid #e3e8ee;${FONT}font-size:12px;line-height:18px;color:#66727f">${e(opts.footer)}</td></tr>` : ''}
</table>
</td></tr></table>
</body></html>`;
}

/** The text part: one line per entry, without control characters (LF only between entries), so no value forges a line. */
export function mailText(lines: Array<string | null>): string {
  return lines
    .filter((l): l is string => l !== null)
    .map(textValue)
    .join('\n');
}
