/**
 * Import a meeting file: the meeting, its parties and its commitments.
 *
 * The story: validate the whole file (schema, every party reference against
 * the file and the store, and commitment ids, all reported in one pass) before
 * writing anything, so a bad file loads nothing. Then create each entity only if it is absent, so importing
 * the same file twice, or twice at once, yields one copy and never overwrites
 * an admin's later edits.
 */
import { createCommitment, slugify, type CommitmentInputSchema } from '../domain/commitment.js';
import { AppError, fieldErrors, type FieldError } from '../domain/errors.js';
import { MeetingFileSchema, type MeetingFile } from '../domain/meeting.js';
import { isMeetingDue } from '../domain/meeting-due.js';
import type { z } from 'zod';
import type { CommitmentStore } from './commitment-store.js';
import type { MeetingStore, PartyStore } from './party-store.js';

export interface ImportResult {
  meetingId: string;
  meeting: 'created' | 'existing';
  parties: { created: number; existing: number };
  commitments: { created: string[]; existing: string[] };
}

export interface ImportDeps {
  commitments: CommitmentStore;
  parties: PartyStore;
  meetings: MeetingStore;
}

/** What the reference and id checks read of a file: the parsed file, or its raw shape when the schema failed. */
interface Refs {
  meetingId: string | undefined;
  partyIds: string[];
  commitments: Array<{ leads: unknown[]; members: unknown[]; id: string | undefined; title: string | undefined } | undefined>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
const arr = (x: unknown) => (Array.isArray(x) ? x : []);

/** The references of a file the schema rejected, read loosely: whatever is a string where an id belongs. */
function rawRefs(raw: unknown): Refs {
  const f = isObject(raw) ? raw : {};
  return {
    meetingId: isObject(f.meeting) ? str(f.meeting.id) : undefined,
    partyIds: arr(f.parties).flatMap((p) => (isObject(p) && typeof p.id === 'string' ? [p.id] : [])),
    commitments: arr(f.commitments).map((c) => (isObject(c) ? { leads: arr(c.leads), members: arr(c.members), id: str(c.id), title: str(c.title) } : undefined)),
  };
}

/** Field errors in file order: meeting, parties, commitments, and entries by index. */
function inFileOrder(errors: FieldError[]): FieldError[] {
  const rank = (top: string) => ['meeting', 'parties', 'commitments'].indexOf(top) >>> 0;
  const compare = (a: FieldError, b: FieldError) => {
    const [x, y] = [a.path.split('.'), b.path.split('.')];
    if (x[0] !== y[0]) return rank(x[0]!) - rank(y[0]!);
    const [i, j] = [Number(x[1]), Number(y[1])];
    return Number.isInteger(i) && Number.isInteger(j) ? i - j : 0;
  };
  return [...errors].sort(compare);
}

/**
 * Validate a meeting file without touching the store's data. Throws a 400 naming every bad field
 * in one pass: the schema's errors, party references that neither the file nor the store knows,
 * and, with `commitments`, ids (given or derived from the title) that another meeting already
 * uses or that two entries of the file would share. When the schema fails, the references are
 * still checked on the file as written, so one round of fixes is enough.
 */
export async function validateMeetingFile(raw: unknown, deps: Pick<ImportDeps, 'parties'> & Partial<Pick<ImportDeps, 'commitments'>>): Promise<MeetingFile> {
  const parsed = MeetingFileSchema.safeParse(raw);
  const schemaErrors = parsed.success ? [] : fieldErrors(parsed.error.issues);
  const refs: Refs = parsed.success
    ? {
        meetingId: parsed.data.meeting.id,
        partyIds: parsed.data.parties.map((p) => p.id),
        commitments: parsed.data.commitments.map((c) => ({ leads: c.leads ?? [], members: c.members ?? [], id: c.id, title: c.title })),
      }
    : rawRefs(raw);
  // A field the schema already rejected is not reported twice.
  const rejected = (path: string) => schemaErrors.some((e) => e.path === path || path.startsWith(`${e.path}.`));

  const known = new Set([...refs.partyIds, ...(await deps.parties.ids())]);
  const unknownParties: FieldError[] = [];
  refs.commitments.forEach((c, i) => {
    for (const field of ['leads', 'members'] as const) {
      (c?.[field] ?? []).forEach((id, j) => {
        const path = `commitments.${i}.${field}.${j}`;
        if (typeof id === 'string' && !known.has(id) && !rejected(path)) unknownParties.push({ path, message: `unknown party ${id}` });
      });
    }
  });

  // Without this, a clash would be reported as "existing" and silently skipped.
  const clashes: FieldError[] = [];
  const idPath = (i: number) => `commitments.${i}.${refs.commitments[i]?.id === undefined ? 'title' : 'id'}`;
  const firstIndex = new Map<string, number>();
  refs.commitments.forEach((c, i) => {
    const id = c?.id ?? (c?.title === undefined ? undefined : slugify(c.title));
    if (!id || rejected(idPath(i))) return;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, i);
    else clashes.push({ path: idPath(i), message: `the id ${id} is already used by commitments.${first}; give it another id` });
  });
  // Without the meeting's own id (the schema rejected it) every stored id would look taken: skip.
  if (deps.commitments && firstIndex.size > 0 && refs.meetingId !== undefined && !rejected('meeting.id')) {
    const stored = await deps.commitments.getMany([...firstIndex.keys()]);
    for (const c of stored) {
      if (c.meetingId === refs.meetingId) continue;
      clashes.push({ path: idPath(firstIndex.get(c.id)!), message: `the id ${c.id} is taken by meeting ${c.meetingId}` });
    }
  }

  const kinds = [schemaErrors, unknownParties, clashes].filter((e) => e.length > 0);
  if (kinds.length === 0 && parsed.success) return parsed.data;
  const title =
    kinds.length === 1 && unknownParties.length > 0
      ? 'The meeting file names unknown parties; nothing was loaded.'
      : kinds.length === 1 && clashes.length > 0
        ? 'The meeting file has commitment ids that clash; nothing was loaded.'
        : 'The meeting file is not valid; nothing was loaded.';
  throw new AppError('validation', title, inFileOrder([...schemaErrors, ...unknownParties, ...clashes]));
}

/** Load a meeting file. `onProgress` reports commitments written so far, for long imports. */
export async function importMeetingFile(
  raw: unknown,
  deps: ImportDeps,
  who: string,
  now: Date,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportResult> {
  const file = await validateMeetingFile(raw, deps);
  const meetingCreated = await deps.meetings.create(file.meeting);
  let partiesCreated = 0;
  for (const party of file.parties) if (await deps.parties.create(party)) partiesCreated++;

  const result: ImportResult = {
    meetingId: file.meeting.id,
    meeting: meetingCreated ? 'created' : 'existing',
    parties: { created: partiesCreated, existing: file.parties.length - partiesCreated },
    commitments: { created: [], existing: [] },
  };
  const total = file.commitments.length;
  const BATCH = 200;
  for (let i = 0; i < total; i += BATCH) {
    const batch = file.commitments.slice(i, i + BATCH);
    const outcomes = await Promise.all(
      batch.map(async (input) => {
        // A deadline tied to a meeting resolves against this file's meeting or a stored one (none: it needs a deadline).
        const link = input.due !== null && isMeetingDue(input.due) ? input.due.meetingId : null;
        const linked = link === null ? null : link === file.meeting.id ? file.meeting : await deps.meetings.get(link);
        const change = createCommitment({ ...input, meetingId: file.meeting.id } as z.output<typeof CommitmentInputSchema>, who, now, linked);
        return { id: change.commitment.id, created: await deps.commitments.create(change) };
      }),
    );
    for (const o of outcomes) (o.created ? result.commitments.created : result.commitments.existing).push(o.id);
    onProgress?.(Math.min(i + BATCH, total), total);
  }
  return result;
}
