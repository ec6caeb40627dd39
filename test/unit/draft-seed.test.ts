/**
 * The 2009 outcome statement (config/seed/ahg-som-2009.txt) drafts the
 * hand-made seed file (config/seed/ahg-som-2009.json), field by field. Where
 * the seed holds a reviewer's choice the text does not state (titles, themes,
 * members the actions do not name, the meeting's id and notes), the test says
 * so and checks what the draft does instead.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { slugify } from '../../src/domain/commitment.js';
import { dueInstant } from '../../src/domain/deadline.js';
import { draftFromStatement, meetingFileOf } from '../../src/domain/draft/draft.js';
import { MeetingFileSchema } from '../../src/domain/meeting.js';
import { PartySchema, type Party } from '../../src/domain/party.js';

const TEXT = readFileSync(new URL('../../config/seed/ahg-som-2009.txt', import.meta.url), 'utf8');
const SEED = JSON.parse(readFileSync(new URL('../../config/seed/ahg-som-2009.json', import.meta.url), 'utf8')) as {
  meeting: Record<string, unknown>;
  parties: unknown[];
  commitments: Array<{ id: string; title: string; sourceText: string; theme: string; leads: string[]; members: string[]; due: unknown; target?: { units: number } }>;
};
const registry: Party[] = SEED.parties.map((p) => PartySchema.parse(p));
const now = new Date('2026-11-29T00:00:00Z');

describe('drafting the 2009 statement reproduces the seed', () => {
  const draft = draftFromStatement(TEXT, { parties: registry, now });

  it('the statement kept beside the seed is the one the seed cites', () => {
    expect(TEXT).toContain('Between 27 and 29 July 2009');
    expect(TEXT).toContain('Date: 27 - 29 June 2009');
  });

  it('the meeting: title, place, zone and the July dates of the body, warning that the heading says June', () => {
    const m = SEED.meeting;
    expect(draft.meeting.title).toBe(m['title']);
    expect(draft.meeting.place).toBe(m['place']);
    expect(draft.meeting.timeZone).toBe(m['timeZone']); // Bali is on Makassar time, not Jakarta's
    expect(draft.meeting.startDate).toBe(m['startDate']);
    expect(draft.meeting.endDate).toBe(m['endDate']);
    const dates = draft.warnings.filter((w) => w.path === 'meeting.startDate');
    expect(dates).toHaveLength(1);
    expect(dates[0]!.message).toMatch(/27–29 June 2009 in the heading .* 27–29 July 2009 in the text/);
    // The seed's first two notes, word for word (the dates, and the co-chairs as leads); the others are the reviewer's.
    expect(draft.meeting.notes).toEqual((m['notes'] as string[]).slice(0, 2));
    // The id is the reviewer's choice: the draft proposes a slug, or takes the one given.
    expect(draft.meeting.id).toBe('first-meeting-of-the-ad-hoc-group-senior-officials-2009');
    expect(draftFromStatement(TEXT, { parties: registry, now, meetingId: 'ahg-som-2009' }).meeting.id).toBe(m['id']);
  });

  it('the 16 participants, in the seed’s order, as registered; the ASEAN Secretariat as an observer', () => {
    expect(draft.parties).toEqual(registry);
    expect(draft.participants.map((p) => p.partyId)).toEqual(registry.map((p) => p.id));
    expect(draft.participants.filter((p) => p.role === 'observer').map((p) => p.partyId)).toEqual(['ASEAN']);
    expect(TEXT.slice(...draft.participants.find((p) => p.partyId === 'UNHCR')!.span)).toBe('Office of the United Nations High Commissioner for Refugees');
    expect(draft.warnings.filter((w) => w.path.startsWith('parties'))).toEqual([]);
  });

  it('the six commitments, each with its source sentence verbatim, in the seed’s order', () => {
    expect(draft.commitments.map((c) => c.sourceText)).toEqual(SEED.commitments.map((c) => c.sourceText));
    for (const [i, c] of draft.commitments.entries()) {
      const p = draft.provenance[`commitments.${i}.sourceText`]!;
      expect(TEXT.slice(...p.span!)).toBe(c.sourceText);
    }
  });

  it('field by field: deadline, target and leads as in the seed; titles, themes and extra members are the reviewer’s', () => {
    for (const [i, seeded] of SEED.commitments.entries()) {
      const c = draft.commitments[i]!;
      expect(c.due, seeded.id).toEqual(seeded.due);
      expect(c.target, seeded.id).toEqual(seeded.target);
      expect(c.leads, seeded.id).toEqual(seeded.leads); // the co-chairs, the host first
      // Members the action itself names are in the seed; the reviewer added the others.
      for (const id of c.members) expect(seeded.members, seeded.id).toContain(id);
      // A short title taken from the action, and an id derived from it.
      expect(c.title.split(' ').length).toBeLessThanOrEqual(10);
      expect(c.sourceText.toLowerCase()).toContain(c.title.toLowerCase());
      expect(c.id).toBe(slugify(c.title));
      expect(c.theme).toBeNull();
    }
    expect(draft.commitments.map((c) => c.title)).toEqual([
      'Establish an open-ended and self-selecting sub-group',
      'Convene two technical expert meetings',
      'Convene a technical meeting',
      'Technical expert working group',
      'Share best practices on developing and implementing information campaigns',
      'Collaboration on protection issues',
    ]);
    expect(draft.commitments[0]!.members).toEqual(['LKA']); // "Sri Lankans"
  });

  it('one deadline: 31 December 2009 in Jakarta for the workshop, from "before the end of 2009"; none for the others', () => {
    const withDue = draft.commitments.filter((c) => c.due !== null);
    expect(withDue.map((c) => c.sourceText)).toEqual([SEED.commitments[4]!.sourceText]);
    expect(dueInstant(withDue[0]!.due as { date: string; timeZone: string })!.toISOString()).toBe('2009-12-31T16:59:59.999Z');
    const p = draft.provenance['commitments.4.due']!;
    expect(TEXT.slice(...p.span!)).toBe('before the end of 2009');
    expect(p.confidence).toBeGreaterThan(0.9);
  });

  it('target.units = 2 for the expert meetings, from "two technical expert meetings"', () => {
    expect(draft.commitments.map((c) => c.target?.units ?? null)).toEqual([null, 2, null, null, null, null]);
    expect(TEXT.slice(...draft.provenance['commitments.1.target.units']!.span!)).toBe('two technical expert meetings');
  });

  it('every extracted field has provenance, and each span quotes the statement', () => {
    const fields = ['meeting.title', 'meeting.place', 'meeting.startDate', 'meeting.endDate', 'meeting.timeZone', 'meeting.id'];
    draft.parties.forEach((_, i) => fields.push(`parties.${i}`));
    draft.commitments.forEach((_, i) => fields.push(`commitments.${i}`, `commitments.${i}.sourceText`, `commitments.${i}.title`, `commitments.${i}.leads`));
    for (const f of fields) {
      const p = draft.provenance[f];
      expect(p, f).toBeDefined();
      expect(p!.confidence, f).toBeGreaterThanOrEqual(0);
      expect(p!.confidence, f).toBeLessThanOrEqual(1);
      if (p!.span) expect(p!.span[1], f).toBeGreaterThan(p!.span[0]);
    }
    expect(TEXT.slice(...draft.provenance['meeting.place']!.span!)).toBe('Bali, Indonesia');
    expect(TEXT.slice(...draft.provenance['meeting.startDate']!.span!)).toBe('Between 27 and 29 July 2009');
    expect(draft.provenance['commitments.0.leads']).toMatchObject({ span: null, via: 'none named: the co-chairs' });
  });

  it('the draft is a meeting file the import accepts', () => {
    const file = MeetingFileSchema.parse(meetingFileOf({ ...draft, meeting: { ...draft.meeting, id: 'ahg-som-2009' } }));
    expect(file.commitments).toHaveLength(6);
    const known = new Set(file.parties.map((p) => p.id));
    for (const c of file.commitments) for (const id of [...c.leads, ...c.members]) expect(known).toContain(id);
  });

  it('with an empty registry, the states are drafted from their ISO names and the organisations from their acronyms; the rest is listed', () => {
    const bare = draftFromStatement(TEXT, { parties: [], now });
    expect(bare.parties.map((p) => `${p.id}:${p.kind}`)).toEqual([
      'AFG:state', 'AUS:state', 'BGD:state', 'IND:state', 'IDN:state', 'MYS:state', 'MDV:state', 'MMR:state', 'NZL:state', 'PAK:state', 'LKA:state', 'THA:state',
      'UNHCR:organisation', 'IOM:organisation', 'UNODC:organisation',
    ]);
    expect(bare.parties.find((p) => p.id === 'AUS')!.timeZone).toBe('Australia/Sydney');
    expect(bare.warnings.some((w) => w.path === 'parties' && w.message.includes('"ASEAN Secretariat"'))).toBe(true);
    expect(bare.commitments.every((c) => c.leads.length === 0)).toBe(true);
    expect(bare.warnings.some((w) => w.message.includes('no co-chair took part'))).toBe(true);
  });
});
