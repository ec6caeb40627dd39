import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import './fc-seed.js';
import { findCount, shortTitle } from '../../src/domain/draft/actions.js';
import { findDeadlines } from '../../src/domain/draft/deadlines.js';
import { DRAFT_MAX_BYTES, DraftInputError, MAX_DRAFT_COMMITMENTS, draftFromStatement, meetingFileOf, statementText, type StatementDraft } from '../../src/domain/draft/draft.js';
import { countryCode3, placeZone } from '../../src/domain/draft/places.js';
import { blocksOf } from '../../src/domain/draft/text.js';
import { AppError } from '../../src/domain/errors.js';
import { MeetingFileSchema } from '../../src/domain/meeting.js';
import { MeetingDueSchema, isMeetingDue, resolveMeetingDue } from '../../src/domain/meeting-due.js';
import { PartySchema, type Party } from '../../src/domain/party.js';

const SEED = JSON.parse(readFileSync(new URL('../../config/seed/ahg-som-2009.json', import.meta.url), 'utf8')) as { parties: unknown[] };
const registry: Party[] = SEED.parties.map((p) => PartySchema.parse(p));
const now = new Date('2026-11-29T00:00:00Z');
const fixture = (name: string, ext: string) => readFileSync(new URL(`../fixtures/draft/${name}${ext}`, import.meta.url), 'utf8');

describe('statements with their expected drafts (test/fixtures/draft)', () => {
  for (const name of ['colombo-workshop-2010', 'bangkok-som-2010', 'wellington-som-2010', 'no-agreement']) {
    describe(name, () => {
      const text = fixture(name, '.txt');
      const expected = JSON.parse(fixture(name, '.expected.json')) as Record<string, any>;
      const draft = draftFromStatement(text, { parties: registry, now: new Date(expected['options'].now), meetings: expected['options'].meetings });

      it('drafts the expected meeting, parties, participants, commitments and warnings', () => {
        expect(draft.meeting).toEqual(expected['meeting']);
        expect(draft.parties.map((p) => ({ id: p.id, kind: p.kind, timeZone: p.timeZone }))).toEqual(expected['parties']);
        expect(draft.participants.map((p) => ({ partyId: p.partyId, role: p.role, text: text.slice(...p.span) }))).toEqual(expected['participants']);
        expect(draft.commitments).toEqual(expected['commitments']);
        expect(draft.warnings).toEqual(expected['warnings']);
      });

      it('each provenance span quotes the words the field came from', () => {
        const quoted = Object.fromEntries(Object.entries(draft.provenance).filter(([, v]) => v.span).map(([k, v]) => [k, text.slice(...v.span!).replace(/\s*\n\s*/g, ' ')]));
        expect(quoted).toEqual(expected['quoted']);
      });

      it('is a valid meeting file once meeting-linked deadlines are resolved', () => {
        expect(() => MeetingFileSchema.parse(resolved(draft))).not.toThrow();
      });
    });
  }
});

/** The draft's meeting file with each `{ meetingId, offset }` due resolved against a meeting dated 1 June 2011 in Auckland. */
function resolved(draft: StatementDraft) {
  const file = meetingFileOf(draft);
  return {
    ...file,
    commitments: file.commitments.map((c) => (isMeetingDue(c.due) ? { ...c, due: resolveMeetingDue(c.due, { startDate: '2011-06-01', timeZone: 'Pacific/Auckland' }) } : c)),
  };
}

describe('what the fixtures pin, said plainly', () => {
  const draftOf = (name: string, meetings: Parameters<typeof draftFromStatement>[1]['meetings'] = []) => draftFromStatement(fixture(name, '.txt'), { parties: registry, now, meetings });

  it('counts in words and digits become targets; a count of people does not', () => {
    expect(draftOf('colombo-workshop-2010').commitments.map((c) => c.target?.units ?? null)).toEqual([3, 2, 4, null]);
    expect(draftOf('bangkok-som-2010').commitments.map((c) => c.target?.units ?? null)).toEqual([5, null, null, 2]);
    expect(draftOf('wellington-som-2010').commitments.map((c) => c.target?.units ?? null)).toEqual([null, null, null]);
  });

  it('"noted the presentation", "took note of the proposal", "did not agree to" and "may agree to" draft no commitment', () => {
    const colombo = draftOf('colombo-workshop-2010');
    expect(colombo.commitments.some((c) => /noted|media fund/.test(c.sourceText))).toBe(false);
    expect(colombo.warnings.some((w) => w.message.includes('did not agree to') && w.message.includes('negated'))).toBe(true);
    expect(draftOf('bangkok-som-2010').commitments.some((c) => /took note/.test(c.sourceText))).toBe(false);
    const wellington = draftOf('wellington-som-2010');
    expect(wellington.commitments.some((c) => /may agree/.test(c.sourceText))).toBe(false);
    expect(wellington.warnings.some((w) => w.message.includes('only a possibility'))).toBe(true);
  });

  it('"at the next meeting" links to the planned meeting, with a warning that it must exist; without one, to a placeholder', () => {
    const planned = [
      { id: 'ahg-som-2009', title: 'First Meeting of the Ad Hoc Group Senior Officials', status: 'held' as const, startDate: '2009-07-27' },
      { id: 'bali-ministerial-2011', title: 'Fourth Bali Process Ministerial Conference', status: 'planned' as const, startDate: '2011-03-29' },
      { id: 'ahg-som-2011', title: 'Fourth Meeting of the Ad Hoc Group Senior Officials', status: 'planned' as const },
    ];
    const linked = draftOf('colombo-workshop-2010', planned);
    // "to the next Senior Officials Meeting": the planned meeting whose title shares those words, though another is earlier.
    expect(linked.commitments[3]!.due).toEqual({ meetingId: 'ahg-som-2011', offset: 'P0D' });
    expect(linked.warnings.find((w) => w.path === 'commitments.3.due')!.message).toMatch(/planned meeting ahg-som-2011 .*must exist/);
    const none = draftOf('colombo-workshop-2010', []);
    expect(none.commitments[3]!.due).toEqual({ meetingId: 'regional-workshop-on-information-campaigns-2010-next', offset: 'P0D' });
    expect(none.warnings.find((w) => w.path === 'commitments.3.due')!.message).toMatch(/no planned meeting is known/);
    expect(MeetingDueSchema.safeParse(none.commitments[3]!.due).success).toBe(true);
  });

  it('a deadline is a date in the first lead’s zone: the named lead’s, else the co-chairs’', () => {
    const colombo = draftOf('colombo-workshop-2010');
    expect(colombo.commitments[1]).toMatchObject({ leads: ['LKA'], due: { date: '2010-08-04', timeZone: 'Asia/Colombo' } });
    expect(colombo.commitments[0]).toMatchObject({ leads: ['AUS', 'IDN'], due: { date: '2010-03-31', timeZone: 'Australia/Sydney' } });
  });

  it('a statement without an agreed action gets a draft with a warning, not an error', () => {
    const d = draftOf('no-agreement');
    expect(d.commitments).toEqual([]);
    expect(d.warnings.map((w) => w.path)).toContain('commitments');
  });
});

describe('deadline phrases, read against the meeting’s last day', () => {
  const REF = '2009-07-29';
  const read = (sentence: string, ref = REF) => findDeadlines(sentence, 0, sentence.length, ref).map((f) => (f.kind === 'date' ? [f.date, sentence.slice(...f.span)] : [`meeting ${f.offset}`, sentence.slice(...f.span)]));
  it.each([
    ['a workshop convened before the end of 2009.', '2009-12-31', 'before the end of 2009'],
    ['a report by end-2010.', '2010-12-31', 'by end-2010'],
    ['toolkits by March 2010.', '2010-03-31', 'by March 2010'],
    ['toolkits before March 2010.', '2010-02-28', 'before March 2010'],
    ['sessions no later than 30 June 2010.', '2010-06-30', 'no later than 30 June 2010'],
    ['a meeting before 1 October 2010.', '2010-09-30', 'before 1 October 2010'],
    ['a meeting on or before 1 October 2010.', '2010-10-01', 'on or before 1 October 2010'],
    ['two workshops within six months.', '2010-01-29', 'within six months'],
    ['officers within 90 days.', '2009-10-27', 'within 90 days'],
    ['consultations by the third quarter of 2010.', '2010-09-30', 'by the third quarter of 2010'],
    ['consultations before the second quarter of 2010.', '2010-03-31', 'before the second quarter of 2010'],
    ['guidelines in the first half of 2010.', '2010-06-30', 'in the first half of 2010'],
    ['guidelines circulated by mid-2011.', '2011-06-30', 'by mid-2011'],
    ['a study by the end of the year.', '2009-12-31', 'by the end of the year'],
    ['a study by the end of March 2010.', '2010-03-31', 'by the end of March 2010'],
    ['a study in Q1 2010.', '2010-03-31', 'in Q1 2010'],
    ['two study visits in 2011.', '2011-12-31', 'in 2011'],
    ['a workshop on 3-5 March 2010 in Colombo.', '2010-03-05', 'on 3-5 March 2010'],
  ])('%s → %s', (sentence, date, phrase) => {
    expect(read(sentence)[0]).toEqual([date, phrase]);
  });

  it('links to the next meeting: at/by/to → the meeting’s first day, before → the day before it', () => {
    expect(read('to report to the next Senior Officials Meeting.')).toEqual([['meeting P0D', 'to the next Senior Officials Meeting']]);
    expect(read('a roundtable at the next meeting.')).toEqual([['meeting P0D', 'at the next meeting']]);
    expect(read('circulated before the next session.')).toEqual([['meeting -P1D', 'before the next session']]);
    expect(read('the group will report at its next meeting.')).toEqual([['meeting P0D', 'at its next meeting']]);
  });

  it('no deadline: no date, a past date, a bare month name, a number that is not a date', () => {
    expect(read('participants agreed to convene a technical meeting.')).toEqual([]);
    expect(read('as agreed at the Ministerial Conference in April 2009.')).toEqual([]);
    expect(read('states may wish to march together.')).toEqual([]);
    expect(read('two technical expert meetings comprising 12 officials.')).toEqual([]);
  });

  it('a day without a year takes the next one after the meeting, and says so', () => {
    const [f] = findDeadlines('a report by 15 May.', 0, 19, REF);
    expect(f).toMatchObject({ kind: 'date', date: '2010-05-15' });
    expect(f!.kind === 'date' && f!.via).toMatch(/year assumed/);
  });
});

describe('counts and titles', () => {
  const count = (s: string) => findCount(s, 0, s.length)?.units ?? null;
  it.each([
    ['convene two technical expert meetings', 2],
    ['develop 3 regional information campaign toolkits', 3],
    ['hold five (5) national consultations', 5],
    ['conduct twelve training sessions', 12],
    ['convene a technical meeting', null],
    ['exchange 12 liaison officers', null],
    ['report within six months', null],
    ['one workshop', null],
  ])('%s → %s', (s, units) => {
    expect(count(s)).toBe(units);
  });

  it('a title is the action’s first clause, without a light verb, at most ten words', () => {
    const t = (s: string) => shortTitle(s, 0, s.length).title;
    expect(t('have a technical expert working group to develop practical measures')).toBe('Technical expert working group');
    expect(t('convene a technical meeting to further discuss the possibility')).toBe('Convene a technical meeting');
    expect(t('hold five (5) national consultations on victim identification by the third quarter of 2010')).toBe('Hold five national consultations on victim identification');
    expect(t('convene two study visits for border officials in 2011')).toBe('Convene two study visits for border officials');
    expect(t('a b')).toBe('A b');
    expect(t('one two three four five six seven eight nine ten eleven twelve').split(' ')).toHaveLength(10);
  });
});

describe('sentences, blocks and places', () => {
  it('splits sentences at full stops but not after abbreviations or initials, and keeps spans on the original text', () => {
    const text = 'Participants agreed to act, e.g. by meeting. Mr. J. Smith noted it. Done!';
    const [block] = blocksOf(text);
    expect(block!.sentences.map((s) => s.text)).toEqual(['Participants agreed to act, e.g. by meeting.', 'Mr. J. Smith noted it.', 'Done!']);
    for (const s of block!.sentences) expect(text.slice(...s.span)).toBe(s.text);
  });

  it('bullets start blocks and take their wrapped lines; paragraphs join their lines', () => {
    const text = 'Heading\n\n  • First item\n    goes on.\n  • Second item.\nA paragraph\nwrapped.\n';
    expect(blocksOf(text).map((b) => [b.bullet, b.text])).toEqual([[false, 'Heading'], [true, 'First item goes on.'], [true, 'Second item. A paragraph wrapped.']]);
  });

  it('finds country codes by any English name, and zones of places', () => {
    expect(countryCode3('Sri Lanka')).toBe('LKA');
    expect(countryCode3('Viet Nam')).toBe('VNM');
    expect(countryCode3('the Maldives')).toBe('MDV');
    expect(countryCode3('Interpol')).toBeNull();
    expect(placeZone('Bali, Indonesia')).toMatchObject({ zone: 'Asia/Makassar' });
    expect(placeZone('Wellington, New Zealand')).toMatchObject({ zone: 'Pacific/Auckland' });
    expect(placeZone('Perth, Australia')).toMatchObject({ zone: 'Australia/Perth' });
    expect(placeZone('Nowhere In Particular')).toBeNull();
  });
});

describe('meeting-linked deadlines', () => {
  it('resolve to a date from the meeting’s first day in its zone, or to nothing while it has no date', () => {
    expect(resolveMeetingDue({ meetingId: 'm', offset: '-P30D' }, { startDate: '2011-03-29', timeZone: 'Asia/Jakarta' })).toEqual({ date: '2011-02-27', timeZone: 'Asia/Jakarta' });
    expect(resolveMeetingDue({ meetingId: 'm', offset: 'P0D' }, { startDate: '2011-03-29', timeZone: 'Asia/Jakarta' })).toEqual({ date: '2011-03-29', timeZone: 'Asia/Jakarta' });
    expect(resolveMeetingDue({ meetingId: 'm', offset: '-P1M' }, { startDate: '2011-03-31', timeZone: 'UTC' })).toEqual({ date: '2011-02-28', timeZone: 'UTC' });
    expect(resolveMeetingDue({ meetingId: 'm', offset: 'P0D' }, { startDate: null, timeZone: 'UTC' })).toBeNull();
  });

  it('take a signed calendar offset only', () => {
    expect(MeetingDueSchema.safeParse({ meetingId: 'ahg-som-2011', offset: '-P30D' }).success).toBe(true);
    for (const offset of ['P', '-P', 'PT5H', '30D', 'P1D2', '+P1D']) expect(MeetingDueSchema.safeParse({ meetingId: 'ahg-som-2011', offset }).success, offset).toBe(false);
    expect(MeetingDueSchema.safeParse({ meetingId: 'Not A Slug', offset: 'P0D' }).success).toBe(false);
  });
});

describe('bad input', () => {
  const opts = { parties: registry, now };
  const reason = (input: string | Uint8Array) => {
    try {
      draftFromStatement(input, opts);
      return 'drafted';
    } catch (err) {
      expect(err).toBeInstanceOf(DraftInputError);
      expect(err).toBeInstanceOf(AppError);
      return `${(err as DraftInputError).reason} ${(err as AppError).httpStatus} ${(err as AppError).errors[0]!.path}`;
    }
  };

  it('empty, blank, binary, invalid UTF-8 or over 1 MiB is a typed 4xx error naming the body', () => {
    expect(reason('')).toBe('empty 400 body');
    expect(reason(' \n\t\n')).toBe('empty 400 body');
    // Found by the property below (FC_SEED=1048273355): only a bullet mark crashed the drafter.
    expect(reason('• \n')).toBe('empty 400 body');
    expect(reason('- \n* \n')).toBe('empty 400 body');
    expect(reason(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).toBe('binary 400 body');
    expect(reason(new Uint8Array([0xff, 0xfe, 0x41]))).toBe('binary 400 body');
    expect(reason('text with a \u0000 NUL')).toBe('binary 400 body');
    expect(reason('a'.repeat(DRAFT_MAX_BYTES + 1))).toBe('too_large 413 body');
    expect(reason('é'.repeat(DRAFT_MAX_BYTES / 2 + 1))).toBe('too_large 413 body'); // 2 bytes each in UTF-8
    expect(reason(new Uint8Array(DRAFT_MAX_BYTES + 1).fill(0x61))).toBe('too_large 413 body');
    expect(reason(new TextEncoder().encode('\uFEFFFirst Meeting\n\nParticipants agreed to meet.'))).toBe('drafted');
  });

  it('a statement with more agreed actions than a draft holds drafts the first ones, with unique ids, and says how many it left', () => {
    const text = `Meeting\n\n${'Participants agreed to convene two meetings. '.repeat(MAX_DRAFT_COMMITMENTS + 5)}`;
    const d = draftFromStatement(text, opts);
    expect(d.commitments).toHaveLength(MAX_DRAFT_COMMITMENTS);
    expect(new Set(d.commitments.map((c) => c.id)).size).toBe(MAX_DRAFT_COMMITMENTS);
    expect(d.commitments.slice(0, 3).map((c) => c.id)).toEqual(['convene-two-meetings', 'convene-two-meetings-2', 'convene-two-meetings-3']);
    expect(d.warnings.some((w) => w.path === 'commitments' && w.message.includes(`${MAX_DRAFT_COMMITMENTS + 5} agreed actions`))).toBe(true);
  });

  it('a body that is not text (no body, a parsed JSON object) is a 415 naming the body', () => {
    expect(reason(undefined as unknown as string)).toBe('not_text 415 body');
    expect(reason({ text: 'Participants agreed to meet.' } as unknown as string)).toBe('not_text 415 body');
  });

  it('text just under the limit is read', () => {
    expect(statementText('a'.repeat(DRAFT_MAX_BYTES))).toHaveLength(DRAFT_MAX_BYTES);
  });

  it('any text either drafts or fails with a DraftInputError; a draft always has a valid meeting', () => {
    const word = fc.constantFrom('agreed to', 'committed to', 'noted', 'two', 'meetings', 'by', 'March 2010', 'within six months', 'the next meeting', 'Australia', 'IOM', '•', '\n', '.', ',', ':', 'Date:', 'Location:', '27 - 29 June 2009', 'In attendance were', 'as an observer', 'Bali, Indonesia', '(', ')');
    let drafted = 0;
    let withActions = 0;
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.array(word, { maxLength: 60 }).map((w) => w.join(' ')), fc.uint8Array({ maxLength: 200 }));
    fc.assert(
      fc.property(text, (input) => {
        let draft: StatementDraft;
        try {
          draft = draftFromStatement(input, opts);
        } catch (err) {
          expect(err).toBeInstanceOf(DraftInputError);
          return;
        }
        drafted++;
        if (draft.commitments.length > 0) withActions++;
        const parsed = MeetingFileSchema.safeParse(resolved(draft));
        expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      }),
      { numRuns: 300 },
    );
    // The generator reaches both outcomes, and drafts with commitments.
    expect(drafted).toBeGreaterThan(30);
    expect(withActions).toBeGreaterThan(10);
  });
});
