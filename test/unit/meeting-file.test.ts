import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MeetingFileSchema } from '../../src/domain/meeting.js';
import { PartyPatchSchema, PartySchema, isCoChair } from '../../src/domain/party.js';
import { dueInstant, type Due } from '../../src/domain/deadline.js';

const seed = () => JSON.parse(readFileSync(new URL('../../config/seed/ahg-som-2009.json', import.meta.url), 'utf8')) as Record<string, any>;

describe('the 2009 seed file', () => {
  const file = MeetingFileSchema.parse(seed());

  it('is a valid meeting file dated 27–29 July, noting the June/July discrepancy', () => {
    expect(file.meeting).toMatchObject({ id: 'ahg-som-2009', startDate: '2009-07-27', endDate: '2009-07-29' });
    expect(file.meeting.notes.join(' ')).toMatch(/June.*July/);
  });

  it('has 16 parties: 12 states, UNHCR, IOM, UNODC and the ASEAN Secretariat as observer; IDN and AUS co-chair', () => {
    expect(file.parties).toHaveLength(16);
    expect(file.parties.filter((p) => p.kind === 'state').map((p) => p.id).sort()).toEqual(['AFG', 'AUS', 'BGD', 'IDN', 'IND', 'LKA', 'MDV', 'MMR', 'MYS', 'NZL', 'PAK', 'THA']);
    expect(file.parties.filter((p) => p.kind === 'organisation').map((p) => p.id).sort()).toEqual(['IOM', 'UNHCR', 'UNODC']);
    expect(file.parties.filter((p) => p.kind === 'observer').map((p) => p.id)).toEqual(['ASEAN']);
    expect(file.parties.filter(isCoChair).map((p) => p.id).sort()).toEqual(['AUS', 'IDN']);
    for (const p of file.parties) for (const c of p.contacts) expect(c.email).toMatch(/@example\.org$/);
  });

  it('has six commitments, each quoting its source; only the workshop has a deadline; expert meetings target 2', () => {
    expect(file.commitments).toHaveLength(6);
    for (const c of file.commitments) expect(c.sourceText.length).toBeGreaterThan(20);
    expect(file.commitments.filter((c) => c.due !== null).map((c) => c.id)).toEqual(['workshop-information-campaigns']);
    const workshop = file.commitments.find((c) => c.id === 'workshop-information-campaigns')!;
    expect(dueInstant(workshop.due as Due)!.toISOString()).toBe('2009-12-31T16:59:59.999Z');
    expect(file.commitments.filter((c) => c.target).map((c) => [c.id, c.target])).toEqual([['expert-meetings-prosecuting-smuggling-syndicates', { units: 2 }]]);
  });
});

describe('the meeting file schema', () => {
  it('rejects an end date before the start date at meeting.endDate', () => {
    const f = seed();
    f.meeting.endDate = '2009-07-26';
    expect(MeetingFileSchema.safeParse(f).error!.issues.map((i) => i.path.join('.'))).toEqual(['meeting.endDate']);
  });

  it('rejects a duplicate commitment id at its index', () => {
    const f = seed();
    f.commitments[3].id = f.commitments[1].id;
    expect(MeetingFileSchema.safeParse(f).error!.issues.map((i) => i.path.join('.'))).toEqual(['commitments.3.id']);
  });

  it('rejects a bad date and an unknown field with their paths', () => {
    const f = seed();
    f.meeting.startDate = '2009-06-31';
    f.commitments[2].owner = 'IDN';
    const paths = MeetingFileSchema.safeParse(f).error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['meeting.startDate', 'commitments.2']));
  });
});

describe('party schemas', () => {
  it('a party needs an upper-case id and an IANA zone', () => {
    expect(PartySchema.safeParse({ id: 'lka', name: 'Sri Lanka', kind: 'state', timeZone: 'Asia/Colombo' }).success).toBe(false);
    expect(PartySchema.safeParse({ id: 'LKA', name: 'Sri Lanka', kind: 'state', timeZone: 'Asia/Nowhere' }).success).toBe(false);
    expect(PartySchema.parse({ id: 'LKA', name: 'Sri Lanka', kind: 'state', timeZone: 'Asia/Colombo' })).toMatchObject({ contacts: [], roles: [] });
  });

  it('a patch of one field does not reset contacts or roles (regression: zod 4 applied defaults)', () => {
    expect(PartyPatchSchema.parse({ timeZone: 'Asia/Colombo' })).toEqual({ timeZone: 'Asia/Colombo' });
  });

  it('a patch cannot change the id and cannot be empty', () => {
    expect(PartyPatchSchema.safeParse({ id: 'XXX' }).success).toBe(false);
    expect(PartyPatchSchema.safeParse({}).success).toBe(false);
  });
});
