/** The demo's opening and closing words. Pure text from the options and the result. */
import { differenceInCalendarDays } from 'date-fns';
import { relative } from 'node:path';
import type { DemoResult } from './replay.js';
import { dueLabel } from './narration.js';
import { STORY_END, STORY_START } from './story.js';

const STORY_DAYS = differenceInCalendarDays(STORY_END, STORY_START);

export function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** What the newcomer reads before the replay starts. */
export function introLines(o: { daysPerSecond: number; prefix: string; keep: boolean; mail: string }): string[] {
  const expected = (STORY_DAYS / o.daysPerSecond) * 1000;
  return [
    'Follow-up demo: the Bali Process Ad Hoc Group (Bali, 27–29 July 2009), replayed to the end of 2010.',
    '',
    `  Speed    ${o.daysPerSecond} virtual day${o.daysPerSecond === 1 ? '' : 's'} per second: ${STORY_DAYS} days take about ${seconds(expected)}.`,
    '           (--days-per-second 1 is the literal one-day-per-second replay, about 9 minutes.)',
    '  What     the real service: the store, reconcile → delayed BullMQ jobs → reminder worker → mailer,',
    '           the status check and the weekly digest, all on a clock that runs fast. Only the',
    '           secretariat\'s actions are scripted (deadlines, meetings held, completions).',
    '  Policy   the default reminder policy: 30, 14, 7 and 1 days before, on the day, weekly when',
    '           overdue, escalation to the co-chairs after 14 days; 09:00 in each party\'s own zone, not on',
    '           weekends. Digests: three of the weekly Monday runs, to keep the log short.',
    `  Redis    prefix ${o.prefix} (${o.keep ? 'kept at the end (--keep)' : 'deleted at the end; --keep keeps it'})`,
    `  Mail     ${o.mail}`,
    '',
  ];
}

/** Where the mail went, in words a newcomer can act on. */
export function mailWhere(mail: DemoResult['mail']): string[] {
  if (mail.kind === 'outbox') {
    const dir = relative(process.cwd(), mail.target) || '.';
    return [`${mail.emlFiles ?? 0} .eml files in ${dir}/ (open any with a mail client, or: less ${dir}/<file>.eml)`];
  }
  return [`sent to ${mail.target}`, 'with docker compose\'s Mailpit, read them at http://localhost:8025'];
}

/** The closing summary: mails by kind, where they are, and how each commitment ended. */
export function summaryLines(r: DemoResult): string[] {
  const t = r.tally;
  const reminders = t.before + t.due + t.overdue + t.escalation;
  const rows: Array<[string, number]> = [
    ['reminders before a deadline', t.before],
    ['notices on the deadline day', t.due],
    ['overdue notices (to the leads)', t.overdue],
    ['escalations (lead, cc co-chair and steering group)', t.escalation],
    [`weekly digests (${t.digestRuns} runs: co-chairs and steering group)`, t.digest],
  ];
  const lines = [
    '',
    `${r.aborted ? 'Stopped early' : 'Done'}: ${seconds(r.replayMs)} for the replay at ${r.daysPerSecond} day${r.daysPerSecond === 1 ? '' : 's'} per second.`,
    '',
    `Mails sent: ${reminders + t.digest}`,
    ...rows.map(([label, n]) => `  ${String(n).padStart(3)}  ${label}`),
  ];
  if (t.skipped || t.failed) lines.push(`  (${t.skipped} reminder deliveries skipped as missed, ${t.failed} failed)`);
  lines.push('', 'Where they are:', ...mailWhere(r.mail).map((l) => `  ${l}`), '', r.aborted ? 'The commitments when the replay stopped:' : 'The commitments at the end of 2010:');
  for (const c of [...r.commitments].sort((a, b) => a.title.localeCompare(b.title))) {
    const progress = c.target ? ` ${c.target.done}/${c.target.units}` : '';
    lines.push(`  ${(c.status.replace('_', ' ') + progress).padEnd(14)} ${c.title}${c.due ? ` (due ${dueLabel(c.due)})` : ''}`);
  }
  if (r.leftoverJobs > 0) lines.push('', `Note: ${r.leftoverJobs} jobs were still queued at the end.`);
  lines.push('', r.kept ? `Redis prefix ${r.prefix} kept: REDIS_PREFIX=${r.prefix} npm run cli -- list` : `Redis prefix ${r.prefix} deleted.`);
  return lines;
}
