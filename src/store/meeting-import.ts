/**
 * Import a meeting file: the meeting, its parties and its commitments.
 *
 * The story: validate the whole file (schema, then every party reference
 * against the file and the store) before writing anything, so a bad file
 * loads nothing. Then create each entity only if it is absent, so importing
 * the same file twice, or twice at once, yields one copy and never overwrites
 * an admin's later edits.
 */
import { createCommitment, slugify, type CommitmentInputSchema } from '../domain/commitment.js';
import { AppError, fieldErrors, type FieldError } from '../domain/errors.js';
import { MeetingFileSchema, type MeetingFile } from '../domain/meeting.js';
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

/**
 * Validate a meeting file without touching the store's data. Throws a 400 naming every bad field.
 * With `commitments`, it also refuses ids (given or derived from the title) that
 * another meeting already uses, or that two entries of the file would share.
 */
export async function validateMeetingFile(raw: unknown, deps: Pick<ImportDeps, 'parties'> & Partial<Pick<ImportDeps, 'commitments'>>): Promise<MeetingFile> {
  const parsed = MeetingFileSchema.safeParse(raw);
  if (!parsed.success) throw new AppError('validation', 'The meeting file is not valid; nothing was loaded.', fieldErrors(parsed.error.issues));
  const file = parsed.data;
  const known = new Set([...file.parties.map((p) => p.id), ...(await deps.parties.ids())]);
  const errors: FieldError[] = [];
  file.commitments.forEach((c, i) => {
    for (const field of ['leads', 'members'] as const) {
      (c[field] ?? []).forEach((id, j) => {
        if (!known.has(id)) errors.push({ path: `commitments.${i}.${field}.${j}`, message: `unknown party ${id}` });
      });
    }
  });
  if (errors.length > 0) throw new AppError('validation', 'The meeting file names unknown parties; nothing was loaded.', errors);

  // Without this, a clash would be reported as "existing" and silently skipped.
  const ids = file.commitments.map((c) => c.id ?? slugify(c.title));
  const firstIndex = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, i);
    else errors.push({ path: `commitments.${i}.${file.commitments[i]!.id === undefined ? 'title' : 'id'}`, message: `the id ${id} is already used by commitments.${first}; give it another id` });
  });
  if (deps.commitments) {
    const stored = await deps.commitments.getMany([...firstIndex.keys()]);
    for (const c of stored) {
      if (c.meetingId === file.meeting.id) continue;
      const i = firstIndex.get(c.id)!;
      errors.push({ path: file.commitments[i]!.id === undefined ? `commitments.${i}.title` : `commitments.${i}.id`, message: `the id ${c.id} is taken by meeting ${c.meetingId}` });
    }
  }
  if (errors.length > 0) throw new AppError('validation', 'The meeting file has commitment ids that clash; nothing was loaded.', errors);
  return file;
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
        const change = createCommitment({ ...input, meetingId: file.meeting.id } as z.output<typeof CommitmentInputSchema>, who, now);
        return { id: change.commitment.id, created: await deps.commitments.create(change) };
      }),
    );
    for (const o of outcomes) (o.created ? result.commitments.created : result.commitments.existing).push(o.id);
    onProgress?.(Math.min(i + BATCH, total), total);
  }
  return result;
}
