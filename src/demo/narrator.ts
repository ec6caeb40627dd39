/**
 * The demo's narrator: it tails the service's own event stream (every
 * commitment change, reminder delivery and overdue check is appended there
 * atomically with the change) and hears about delivered digests, and prints
 * a dated log in virtual-time order.
 *
 * Entries wait a moment (a virtual day, or 0.6 s of real time if that is
 * longer) before they are printed, so that the sends of one reminder step to
 * parties in different zones (Sydney's 09:00 comes hours before Jakarta's)
 * are told as one entry, and entries print in the order of their dates even
 * when a worker is a moment late.
 */
import type { Clock } from '../domain/clock.js';
import type { Due } from '../domain/deadline.js';
import type { DomainEvent } from '../domain/events.js';
import type { Party } from '../domain/party.js';
import { coerceError } from '../domain/errors.js';
import type { EventTail } from '../store/event-tail.js';
import { digestEntry, eventEntry, reminderEntry, type DeliveredSend } from './narration.js';

const DAY = 86_400_000;
/** Real time an entry waits before it is printed: well above BullMQ's timer lateness (~0.1 s at Redis hz 10). */
const LAG_REAL_MS = 600;

/** Mails counted from the events, by kind. */
export interface MailTally {
  before: number;
  due: number;
  overdue: number;
  escalation: number;
  digest: number;
  digestRuns: number;
  skipped: number;
  failed: number;
}

export interface NarratorDeps {
  /** A connection the narrator may block on (it duplicates it). */
  events: EventTail;
  clock: Clock;
  parties: ReadonlyMap<string, Party>;
  commitments: ReadonlyMap<string, { title: string; due: Due; units?: number }>;
  write(line: string): void;
}

interface Pending {
  at: number;
  seq: number;
  render(): string[];
}

export function createNarrator(deps: NarratorDeps) {
  const { clock, parties } = deps;
  const lag = Math.max(DAY, LAG_REAL_MS * (clock.compression?.scale ?? 1));
  const info = new Map(deps.commitments);
  const tally: MailTally = { before: 0, due: 0, overdue: 0, escalation: 0, digest: 0, digestRuns: 0, skipped: 0, failed: 0 };
  let pending: Pending[] = [];
  let seq = 0;
  /** Unprinted reminder entries by (commitment, deadline version, step), so late sends of one step join it. */
  const groups = new Map<string, { sends: DeliveredSend[]; item: Pending }>();
  let stopped = false;
  let loop: Promise<void> | undefined;

  const push = (at: number, render: () => string[]) => {
    const item = { at, seq: seq++, render };
    pending.push(item);
    return item;
  };

  function onEvent(e: DomainEvent) {
    const c = info.get(e.commitmentId) ?? { title: e.commitmentId, due: null };
    if (e.type === 'commitment.due_changed') info.set(e.commitmentId, { ...c, due: (e.changes.due?.to ?? null) as Due });
    if (e.type === 'reminder.skipped') tally.skipped += Array.isArray(e.data?.recipients) ? e.data.recipients.length : 1;
    if (e.type === 'reminder.failed') tally.failed += Array.isArray(e.data?.failures) ? e.data.failures.length : 1;
    if (e.type === 'reminder.sent') {
      const d = e.data as { sendId: string; step: string; plannedAt: string; recipients: string[] };
      const kind = d.step.startsWith('before') ? 'before' : d.step.startsWith('overdue') ? 'overdue' : d.step === 'due' ? 'due' : 'escalation';
      tally[kind] += d.recipients.length;
      const cut = d.sendId.lastIndexOf('--');
      const key = d.sendId.slice(0, cut);
      const send: DeliveredSend = { partyId: d.sendId.slice(cut + 2), plannedAt: Date.parse(d.plannedAt), recipients: d.recipients };
      const group = groups.get(key);
      if (group) {
        group.sends.push(send);
        group.item.at = Math.min(group.item.at, send.plannedAt);
      } else {
        const sends = [send];
        const item = push(send.plannedAt, () => reminderEntry(c.title, d.step, sends, parties));
        groups.set(key, { sends, item });
      }
      return;
    }
    const lines = eventEntry(e, info.get(e.commitmentId) ?? c);
    if (lines) push(Date.parse(e.at), () => lines);
  }

  /** Print every entry older than `before`, oldest first. */
  function flush(before: number) {
    const ready = pending.filter((p) => p.at < before).sort((a, b) => a.at - b.at || a.seq - b.seq);
    if (ready.length === 0) return;
    pending = pending.filter((p) => p.at >= before);
    for (const [key, g] of groups) if (ready.includes(g.item)) groups.delete(key);
    for (const p of ready) for (const line of p.render()) deps.write(line);
  }

  async function readOnce(block: number | null) {
    for (const e of await deps.events.read(block)) onEvent(e);
  }

  return {
    tally,
    /** Start tailing the event stream from its beginning. */
    start() {
      loop = (async () => {
        while (!stopped) {
          try {
            await readOnce(100);
          } catch (err) {
            if (!stopped) deps.write(`(narrator: ${coerceError(err).message})`);
            // A read that fails at once must not spin: wait as long as a blocking read would.
            await new Promise((r) => setTimeout(r, 100));
          }
          flush(clock.now().getTime() - lag);
        }
      })();
    },
    /** A digest run was delivered (from the digest worker's completed event). */
    digestDelivered(run: { scheduledAt: number; subject: string; recipients: string[]; from: string; to: string; first: boolean }) {
      tally.digest += run.recipients.length;
      tally.digestRuns += 1;
      push(run.scheduledAt, () => digestEntry(run, parties));
    },
    /** Read what is left, print everything, and let go of the connection. Safe to call twice. */
    async stop() {
      if (stopped) return;
      stopped = true;
      await loop;
      await readOnce(null).catch(() => undefined);
      flush(Number.POSITIVE_INFINITY);
      await deps.events.close();
    },
  };
}
export type Narrator = ReturnType<typeof createNarrator>;
