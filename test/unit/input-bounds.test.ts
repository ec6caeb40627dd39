/**
 * Bounded input: the time-zone cache, the length of every string and the size
 * of every number the domain's schemas accept, and control characters.
 */
import { describe, expect, it } from 'vitest';
import { CancelInputSchema, CommitmentInputSchema, CommitmentPatchSchema, CompleteInputSchema, ReopenInputSchema } from '../../src/domain/commitment.js';
import { checkSchedule, MAX_CRON_LENGTH } from '../../src/domain/digest-period.js';
import { isoDurationSchema, MAX_DURATION_MS, durationToMs, parseIsoDuration } from '../../src/domain/duration.js';
import { fieldErrors } from '../../src/domain/errors.js';
import { atLocal, offsetCacheSize, toLocal } from '../../src/domain/local-time.js';
import { DueSchema } from '../../src/domain/deadline.js';
import { PartySchema } from '../../src/domain/party.js';

const PARTY = { id: 'LKA', name: 'Sri Lanka', kind: 'state', timeZone: 'Asia/Colombo', contacts: [], roles: [] };
import { ReminderPolicySchema } from '../../src/domain/reminder-policy.js';
import { multiLine, singleLine } from '../../src/domain/text.js';
import { isValidTimeZone, MAX_TIME_ZONE_LENGTH, timeZoneCacheSize } from '../../src/domain/time-zone.js';

const POLICY = { before: ['P7D'], onDue: true, overdue: { every: 'P7D', max: 3 }, escalateAfter: 'P14D', sendAt: '09:00', quietDays: [0, 6] };
const BASE = { meetingId: 'ahg-som-2009', title: 'Technical meeting on maritime ventures' };

/** The field errors a schema gives for `value`, as the API's problem+json would list them. */
function problems(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Parameters<typeof fieldErrors>[0] } } }, value: unknown) {
  const r = schema.safeParse(value);
  return r.success ? [] : fieldErrors(r.error!.issues);
}

describe('the time-zone cache', () => {
  it('when asked about 20,000 distinct 8 KB strings, then it holds at most 1,000 answers and refuses each', () => {
    for (let i = 0; i < 20_000; i++) expect(isValidTimeZone(`Zone/${i}`.padEnd(8192, 'x'))).toBe(false);
    for (let i = 0; i < 3_000; i++) expect(isValidTimeZone(`Nowhere/Zone${i}`)).toBe(false);
    // Names of the right shape are looked up and cached, up to exactly 1,000 answers; the 8 KB ones never are.
    expect(timeZoneCacheSize()).toBe(1000);
  });

  it('when valid zones arrive in many letter cases, then the cache stays bounded and every answer stays right', () => {
    const base = 'america/argentina/buenos_aires';
    for (let i = 0; i < 2_000; i++) {
      const spelled = [...base].map((ch, k) => ((i >> (k % 11)) & 1 ? ch.toUpperCase() : ch)).join('');
      expect(isValidTimeZone(spelled)).toBe(true);
    }
    expect(timeZoneCacheSize()).toBeLessThanOrEqual(1000);
    // Answers evicted and asked again are computed again, the same.
    expect(isValidTimeZone('Asia/Jakarta')).toBe(true);
    expect(isValidTimeZone('Asia/Jakarta')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });

  it('refuses, without asking the runtime, a name longer than 64 characters or with characters no zone has', () => {
    expect(MAX_TIME_ZONE_LENGTH).toBe(64);
    expect(isValidTimeZone('America/Argentina/ComodRivadavia')).toBe(true);
    expect(isValidTimeZone(`Asia/Jakarta${' '.repeat(53)}`)).toBe(false);
    expect(isValidTimeZone('Asia/Jakarta\u0000')).toBe(false);
    expect(isValidTimeZone(' UTC')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    for (const ok of ['UTC', 'Etc/GMT+5', 'EST5EDT', 'America/Port-au-Prince', 'America/North_Dakota/New_Salem']) expect(isValidTimeZone(ok)).toBe(true);
  });

  it('when a date deadline names an 8 KB zone, then the schema refuses it at due.timeZone', () => {
    expect(problems(DueSchema, { date: '2009-12-31', timeZone: 'A'.repeat(8192) })).toContainEqual(expect.objectContaining({ path: 'timeZone' }));
  });
});

describe('the offset cache of local-time', () => {
  it('when plans run in many zones and spellings of zones, then it keeps at most 64 zones and the answers stay right', () => {
    const zones = Intl.supportedValuesOf('timeZone').slice(0, 100);
    for (const z of zones) toLocal(new Date('2020-03-08T07:30:00Z'), z);
    for (const z of zones) toLocal(new Date('2020-03-08T07:30:00Z'), z.toLowerCase());
    expect(offsetCacheSize().zones).toBeLessThanOrEqual(64);
    expect(atLocal({ y: 2020, m: 2, d: 8 }, { h: 9, mi: 0, s: 0, ms: 0 }, 'America/New_York').toISOString()).toBe('2020-03-08T13:00:00.000Z');
    expect(toLocal(new Date('2020-03-08T07:30:00Z'), 'america/new_york').time.h).toBe(3);
  });
});

describe('durations are bounded at the schema (at most 10 years)', () => {
  it.each(['P300000Y', 'PT99999999999999999999S', 'P11Y', 'P3651D', 'P522W', 'PT87601H', 'P9Y12M30D'])('%s is refused, naming the field', (d) => {
    expect(problems(CommitmentInputSchema, { ...BASE, reminderPolicy: { ...POLICY, overdue: { every: d, max: 3 } } })).toEqual([
      { path: 'reminderPolicy.overdue.every', message: 'expected a duration of at most 10 years (P10Y)' },
    ]);
    expect(problems(CommitmentPatchSchema, { reminderPolicy: { ...POLICY, before: ['P7D', d] } })).toEqual([
      { path: 'reminderPolicy.before.1', message: 'expected a duration of at most 10 years (P10Y)' },
    ]);
    expect(problems(ReminderPolicySchema, { ...POLICY, escalateAfter: d })).toEqual([{ path: 'escalateAfter', message: 'expected a duration of at most 10 years (P10Y)' }]);
    expect(parseIsoDuration(d)).toBeNull();
  });

  it.each(['P10Y', 'P3650D', 'P120M', 'P521W', 'PT87600H', 'PT315360000S', 'P7D', 'PT5S'])('%s, within the bound, is accepted', (d) => {
    expect(isoDurationSchema.safeParse(d).success).toBe(true);
    expect(durationToMs(parseIsoDuration(d)!)).toBeLessThanOrEqual(MAX_DURATION_MS);
  });

  it('accepts a duration of exactly 40 characters', () => {
    const d40 = `PT${'0'.repeat(36)}1S`;
    expect(d40.length).toBe(40);
    expect(isoDurationSchema.safeParse(d40).success).toBe(true);
    expect(parseIsoDuration(d40)).toEqual({ seconds: 1 });
  });

  it('refuses a duration string longer than 40 characters with one error, and malformed ones as before', () => {
    expect(problems(isoDurationSchema, `P${'0'.repeat(40)}1D`)).toEqual([{ path: '(body)', message: 'expected an ISO 8601 duration of at most 40 characters' }]);
    expect(parseIsoDuration(`P${'0'.repeat(40)}1D`)).toBeNull();
    expect(problems(isoDurationSchema, 'P')).toEqual([{ path: '(body)', message: 'expected an ISO 8601 duration such as P7D or PT5S' }]);
    expect(MAX_DURATION_MS).toBe(3650 * 86_400_000);
  });

  it('bounds every number of a policy and a commitment', () => {
    expect(problems(ReminderPolicySchema, { ...POLICY, overdue: { every: 'P7D', max: 53 } })).toEqual([expect.objectContaining({ path: 'overdue.max' })]);
    expect(problems(ReminderPolicySchema, { ...POLICY, overdue: { every: 'P7D', max: -1 } })).toEqual([expect.objectContaining({ path: 'overdue.max' })]);
    expect(problems(ReminderPolicySchema, { ...POLICY, quietDays: [7] })).toEqual([expect.objectContaining({ path: 'quietDays.0' })]);
    expect(problems(ReminderPolicySchema, { ...POLICY, before: Array.from({ length: 21 }, (_, i) => `P${i + 1}D`) })).toEqual([expect.objectContaining({ path: 'before' })]);
    expect(problems(ReminderPolicySchema, { ...POLICY, sendAt: '09:00'.repeat(2000) })).toEqual([{ path: 'sendAt', message: 'expected HH:MM' }]);
    expect(problems(CommitmentInputSchema, { ...BASE, target: { units: 1001 } })).toEqual([expect.objectContaining({ path: 'target.units' })]);
    expect([...new Set(problems(CommitmentInputSchema, { ...BASE, target: { units: 1e300 } }).map((p) => p.path))]).toEqual(['target.units']);
    expect(problems(CompleteInputSchema, { note: 'x', completedOn: '2010-01-01', units: 1001 })).toEqual([expect.objectContaining({ path: 'units' })]);
  });
});

describe('every string input has a length cap', () => {
  const long = (n: number) => 'a'.repeat(n);
  it.each([
    ['title', CommitmentInputSchema, { ...BASE, title: long(301) }],
    ['sourceText', CommitmentInputSchema, { ...BASE, sourceText: long(5001) }],
    ['theme', CommitmentInputSchema, { ...BASE, theme: long(101) }],
    ['id', CommitmentInputSchema, { ...BASE, id: long(81) }],
    ['meetingId', CommitmentInputSchema, { ...BASE, meetingId: long(81) }],
    ['leads.0', CommitmentInputSchema, { ...BASE, leads: ['A'.repeat(17)] }],
    ['title', CommitmentPatchSchema, { title: long(301) }],
    ['theme', CommitmentPatchSchema, { theme: long(101) }],
    ['note', CompleteInputSchema, { note: long(5001), completedOn: '2010-01-01' }],
    ['evidenceUrl', CompleteInputSchema, { note: 'x', completedOn: '2010-01-01', evidenceUrl: `https://example.org/${long(2000)}` }],
    ['completedOn', CompleteInputSchema, { note: 'x', completedOn: long(8192) }],
    ['reason', CancelInputSchema, { reason: long(2001) }],
    ['reason', ReopenInputSchema, { reason: long(2001) }],
    ['due.at', CommitmentInputSchema, { ...BASE, due: { at: `2010-01-01T00:00:00.${'1'.repeat(100_000)}Z` } }],
    ['contacts.0.email', PartySchema, { ...PARTY, contacts: [{ name: 'x', email: `${long(300)}@example.org` }] }],
    ['roles', PartySchema, { ...PARTY, roles: Array(11).fill('co-chair') }],
  ] as const)('%s is refused beyond its cap', (path, schema, value) => {
    expect(problems(schema, value).map((p) => p.path)).toEqual([path]);
  });

  it('a schedule problem quotes at most 80 characters of a long zone or cron pattern', () => {
    const p = checkSchedule(`0 9 * * 1 ${'x'.repeat(5000)}`, `Zone/${'y'.repeat(5000)}`);
    expect(p.timeZone!.length).toBeLessThan(140);
    expect(p.cron).toBe(`expected a cron pattern of at most ${MAX_CRON_LENGTH} characters`);
    expect(checkSchedule(`${'1,'.repeat(30)}1 * * * * * *`, 'UTC').cron!.length).toBeLessThan(160);
  });
});

describe('control characters at input', () => {
  it('one-line fields: every run of control characters becomes one space, then the field is trimmed', () => {
    const out = CommitmentInputSchema.parse({ ...BASE, title: 'Workshop\r\nBcc: all@example.org\u0000\u0007', theme: 'a\tb\u2028c\u0085d' });
    expect(out.title).toBe('Workshop Bcc: all@example.org');
    expect(out.theme).toBe('a b c d');
    expect(CommitmentPatchSchema.parse({ title: '\u001b[31mRed\u001b[0m title' }).title).toBe('[31mRed [0m title');
    expect(CancelInputSchema.parse({ reason: 'merged\r\n- forged line' }).reason).toBe('merged - forged line');
    expect(ReopenInputSchema.parse({ reason: 'again\n' }).reason).toBe('again');
  });

  it('multi-line fields keep LF and TAB; CR LF and a lone CR become LF; NUL and the other controls are dropped', () => {
    const out = CompleteInputSchema.parse({ note: 'Held in Bali.\r\nReport:\tsent\rto all\u0000\u0008\u007f\u009b.', completedOn: '2010-01-13' });
    expect(out.note).toBe('Held in Bali.\nReport:\tsent\nto all.');
    expect(CommitmentInputSchema.parse({ ...BASE, sourceText: 'a\u2029b\u000c' }).sourceText).toBe('a\nb');
  });

  it('the length cap counts the text after stripping; a title of only control characters is too short', () => {
    expect(problems(CommitmentInputSchema, { ...BASE, title: '\u0000\u0000\u0000\u0000' }).map((p) => p.path)).toEqual(['title']);
    expect(problems(CompleteInputSchema, { note: '\r\n\u0000', completedOn: '2010-01-01' }).map((p) => p.path)).toEqual(['note']);
  });

  it('the edges of the control ranges: space, ~, U+00A0 and other text stay; U+001F, U+007F, U+009F go', () => {
    expect(singleLine('a\u001fb c~d\u007fe\u0080f\u009fg\u00a0h\u2027i\u2028j\u2029k\u202al')).toBe('a b c~d e f g\u00a0h\u2027i j k\u202al');
    expect(multiLine('a\u0008b\tc\nd\u000be\u000cf\u000eg\u001fh i~j\u007fk\u009fl\u00a0m')).toBe('ab\tc\ndefgh i~jkl\u00a0m');
    expect(multiLine('x\u2028y\u2029z\r\n\r\nw')).toBe('x\ny\nz\n\nw');
    expect(singleLine('\u0000')).toBe(' ');
  });

  it('singleLine and multiLine on their own', () => {
    expect(singleLine('a\r\n\u0000b\tc')).toBe('a b c');
    expect(singleLine('plain text, unchanged')).toBe('plain text, unchanged');
    expect(multiLine('a\r\nb\rc\nd\u0000\u000be\u001ff\u0080g')).toBe('a\nb\nc\ndefg');
    expect(multiLine('tab\there')).toBe('tab\there');
  });
});
