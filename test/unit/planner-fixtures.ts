/** Builders shared by the planner tests: the 2009 seed, and hand-made parties and commitments. */
import { readFileSync } from 'node:fs';
import { CommitmentInputSchema, createCommitment, type Commitment, type CommitmentInput } from '../../src/domain/commitment.js';
import { PartySchema, type Party } from '../../src/domain/party.js';
import type { ReminderPolicy } from '../../src/domain/reminder-policy.js';
import type { PlanInput } from '../../src/domain/planner.js';

const SEED = new URL('../../config/seed/ahg-som-2009.json', import.meta.url);

/** The configured default policy (config/env.ts defaults). */
export const DEFAULT_POLICY: ReminderPolicy = {
  before: ['P30D', 'P14D', 'P7D', 'P1D'],
  onDue: true,
  overdue: { every: 'P7D', max: 4 },
  escalateAfter: 'P14D',
  sendAt: '09:00',
  quietDays: [6, 0],
};

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

interface SeedFile {
  meeting: { id: string };
  parties: unknown[];
  commitments: Array<Record<string, unknown>>;
}

export function seed(): { parties: Map<string, Party>; commitment(id: string): Commitment } {
  const file = JSON.parse(readFileSync(SEED, 'utf8')) as SeedFile;
  const parties = new Map(file.parties.map((p) => PartySchema.parse(p)).map((p) => [p.id, p] as const));
  return {
    parties,
    commitment(id) {
      const raw = file.commitments.find((c) => c['id'] === id);
      if (!raw) throw new Error(`no seed commitment ${id}`);
      return createCommitment(CommitmentInputSchema.parse({ ...raw, meetingId: file.meeting.id }), 'test', new Date('2009-07-01T00:00:00Z')).commitment;
    },
  };
}

export function party(id: string, timeZone: string, extra: Partial<Party> = {}): Party {
  return { id, name: id, kind: 'state', timeZone, contacts: [{ name: `${id} focal point`, email: `${id.toLowerCase()}@example.org` }], roles: [], ...extra };
}

export function partyMap(...ps: Party[]): Map<string, Party> {
  return new Map(ps.map((p) => [p.id, p]));
}

export function commitment(input: Partial<CommitmentInput> & Pick<CommitmentInput, 'due'>): Commitment {
  return createCommitment(
    CommitmentInputSchema.parse({ id: 'test-commitment', meetingId: 'test-meeting', title: 'A test commitment', leads: ['AAA'], ...input }),
    'test',
    new Date('2000-01-01T00:00:00Z'),
  ).commitment;
}

export function planInput(over: Partial<PlanInput> & Pick<PlanInput, 'commitment' | 'parties'>): PlanInput {
  return { policy: DEFAULT_POLICY, now: new Date('2000-01-01T00:00:00Z'), catchUpWindowMs: 12 * HOUR, steeringGroup: ['steering@example.org'], ...over };
}
