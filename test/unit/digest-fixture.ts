/**
 * A fixture meeting with a commitment in every state a digest distinguishes,
 * built with the real domain rules (so the events are the real ones).
 *
 * The period under test is the week [Mon 11 Jan 2010 09:00, Mon 18 Jan 2010 09:00) Asia/Jakarta.
 */
import {
  cancelCommitment,
  completeCommitment,
  createCommitment,
  patchCommitment,
  type Change,
  type Commitment,
  type CommitmentInputSchema,
} from '../../src/domain/commitment.js';
import type { DigestSnapshot, FailedDelivery } from '../../src/domain/digest.js';
import type { DomainEvent } from '../../src/domain/events.js';
import type { Meeting } from '../../src/domain/meeting.js';
import type { Party } from '../../src/domain/party.js';
import type { z } from 'zod';

export const PERIOD = { from: new Date('2010-01-11T02:00:00Z'), to: new Date('2010-01-18T02:00:00Z'), first: false };
export const AS_OF = PERIOD.to;
export const TZ = 'Asia/Jakarta';

export const MEETING: Meeting = {
  id: 'fixture-2009',
  title: 'Fixture meeting',
  place: 'Bali, Indonesia',
  startDate: '2009-07-27',
  endDate: '2009-07-29',
  source: { title: 'fixture' },
  notes: [],
} as Meeting;

const party = (id: string, name: string, email: string, roles: Party['roles'] = []): Party => ({
  id,
  name,
  kind: 'state',
  timeZone: 'Asia/Jakarta',
  contacts: [{ name: `${name} focal point`, email }],
  roles,
});

export const PARTIES: Party[] = [
  party('IDN', 'Indonesia', 'idn@example.org', ['co-chair']),
  party('AUS', 'Australia', 'aus@example.org', ['co-chair']),
  party('LKA', 'Sri Lanka', 'lka@example.org'),
  party('THA', 'Thailand', 'tha@example.org'),
];

type Input = Omit<z.input<typeof CommitmentInputSchema>, 'meetingId'>;

/** Build the fixture; `extra` adds commitments (e.g. a hostile title). */
export function fixture(extra: Input[] = []): DigestSnapshot & { commitments: Commitment[]; byId: Record<string, Commitment> } {
  const events: DomainEvent[] = [];
  const byId: Record<string, Commitment> = {};
  const apply = (ch: Change) => {
    events.push(...ch.events);
    byId[ch.commitment.id] = ch.commitment;
    return ch.commitment;
  };
  const created = new Date('2009-08-01T00:00:00Z');
  const make = (i: Input) =>
    apply(createCommitment({ meetingId: MEETING.id, sourceText: '', theme: null, leads: [], members: [], due: null, reminderPolicy: null, ...i } as z.output<typeof CommitmentInputSchema>, 'seed', created));
  const jkt = (date: string) => ({ date, timeZone: TZ });

  make({ id: 'open-no-deadline', title: 'Sub-group on the caseload', leads: ['IDN'], members: ['LKA'] });
  make({ id: 'overdue-workshop', title: 'Workshop on information campaigns', leads: ['IDN', 'AUS'], due: jkt('2009-12-31') });
  const c = make({ id: 'due-soon-paper', title: 'Information paper on protection', leads: ['AUS'] });
  make({ id: 'later-report', title: 'Report on maritime ventures', leads: ['THA'], due: jkt('2010-06-30') });
  const e = make({ id: 'expert-meetings', title: 'Technical expert meetings on prosecution', leads: ['IDN'], target: { units: 2 } });
  const f = make({ id: 'done-campaign', title: 'Campaign on irregular movement', leads: ['LKA'] });
  const g = make({ id: 'cancelled-thing', title: 'Cancelled working group', leads: ['THA'] });
  make({ id: 'tha-only', title: 'Thai border workshop', leads: ['THA'] });
  const i = make({ id: 'done-earlier', title: 'Regional roundtable', leads: ['AUS'] });
  for (const x of extra) make(x);

  apply(completeCommitment(i, { note: 'held in Bangkok', completedOn: '2009-11-20' }, 'secretariat', new Date('2009-11-21T00:00:00Z')));
  apply(cancelCommitment(g, 'merged into the maritime meeting', 'secretariat', new Date('2009-12-01T00:00:00Z')));
  // In the period:
  apply(completeCommitment(f, { note: 'campaign launched in Colombo', evidenceUrl: 'https://example.org/report.pdf', completedOn: '2010-01-12' }, 'lka-focal', new Date('2010-01-12T03:00:00Z')));
  apply(completeCommitment(e, { note: 'first meeting held in Bali', completedOn: '2010-01-13', units: 1 }, 'idn-focal', new Date('2010-01-13T04:00:00Z')));
  apply(patchCommitment(c, { due: jkt('2010-02-01') }, 'secretariat', new Date('2010-01-14T05:00:00Z')));

  const failedReminders: FailedDelivery[] = [
    { sendId: 'r1', recipient: 'idn@example.org', at: '2010-01-15T02:00:00.000Z', error: '550 mailbox unavailable', responseCode: 550, commitmentId: 'overdue-workshop', step: 'overdue:1' },
    { sendId: 'r0', recipient: 'tha@example.org', at: '2010-01-01T02:00:00.000Z', error: 'before the period', commitmentId: 'later-report', step: 'before:P30D' },
  ];
  return { meetings: [MEETING], parties: PARTIES, commitments: Object.values(byId), events, failedReminders, byId };
}
