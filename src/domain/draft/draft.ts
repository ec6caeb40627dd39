/**
 * Draft a meeting file from an outcome statement: the meeting (title, place,
 * dates, zone), its participants matched against the party registry, and one
 * draft commitment per agreed action, with a short title, the count of
 * outputs as a target, and the deadline the text gives. Pure: the draft
 * changes nothing until a reviewer imports it.
 *
 * Every extracted field carries its provenance (the character span it came
 * from, a confidence between 0 and 1, and the rule that found it), keyed by
 * the same path as the warnings ("commitments.4.due"), so a reviewer sees why.
 */
import { slugify } from '../commitment.js';
import type { Due } from '../deadline.js';
import { AppError } from '../errors.js';
import type { Meeting } from '../meeting.js';
import type { MeetingDue } from '../meeting-due.js';
import type { Party } from '../party.js';
import { agrees, findActions, findCount, shortTitle } from './actions.js';
import { findDeadlines, type DeadlineFinding } from './deadlines.js';
import { findParticipants, mentionsIn, needlesOf, type Participant } from './participants.js';
import { countryCode3, placeZone } from './places.js';
import { blocksOf, type Block, type Sentence, type Span, unwrap } from './text.js';

/** Unknown names listed one by one; beyond this a draft says how many more there are. */
const MAX_NAME_WARNINGS = 100;

/** Commitments drafted from one statement; beyond this a draft says how many more agreed actions it left out. */
export const MAX_DRAFT_COMMITMENTS = 1000;

/** How much of an action is read for its title, count, deadline and parties (as much as a commitment's source text keeps). */
const ACTION_WINDOW = 5000;

/** The largest statement accepted, in UTF-8 bytes. */
export const DRAFT_MAX_BYTES = 1024 * 1024;

export interface Provenance {
  /** [start, end) in the statement as a JavaScript string (UTF-16 code units), or null for a value derived from others or a default. */
  span: Span | null;
  confidence: number;
  via: string;
}

export interface DraftWarning {
  path: string;
  message: string;
}

export interface DraftCommitment {
  id: string;
  title: string;
  sourceText: string;
  theme: null;
  leads: string[];
  members: string[];
  /** A date deadline, a deadline tied to a meeting, or none. */
  due: Due | MeetingDue;
  target?: { units: number };
}

export interface StatementDraft {
  meeting: Meeting;
  parties: Party[];
  commitments: DraftCommitment[];
  warnings: DraftWarning[];
  /** Who took part and as what, in text order (the registry keeps a party's kind; this is its role at this meeting). */
  participants: Array<{ partyId: string; role: 'participant' | 'observer'; span: Span }>;
  provenance: Record<string, Provenance>;
}

export interface DraftOptions {
  /** The party registry. */
  parties: readonly Party[];
  /** Known meetings, to link "at the next meeting" to a planned one. */
  meetings?: ReadonlyArray<{ id: string; title: string; startDate?: string | null | undefined; status?: 'planned' | 'held' | undefined }>;
  now: Date;
  /** The new meeting's id; by default a slug of its title and year. */
  meetingId?: string;
  /** The zone to use when the place gives none. */
  timeZone?: string;
}

/** Why a statement cannot be drafted at all. */
export class DraftInputError extends AppError {
  constructor(
    readonly reason: 'empty' | 'binary' | 'too_large' | 'not_text',
    detail: string,
  ) {
    super(reason === 'too_large' ? 'payload_too_large' : reason === 'not_text' ? 'unsupported_media_type' : 'validation', detail, [{ path: 'body', message: detail }]);
    this.name = 'DraftInputError';
  }
}

/**
 * The statement as text, or a DraftInputError: not a string or bytes (say, a
 * JSON body), empty, not text (NUL or control bytes, invalid UTF-8), or over 1 MiB.
 */
export function statementText(input: unknown): string {
  let text: string;
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new DraftInputError('not_text', 'Send the statement as text/plain (or a .txt file).');
  }
  if (typeof input === 'string') {
    if (input.length > DRAFT_MAX_BYTES || new TextEncoder().encode(input).length > DRAFT_MAX_BYTES) throw new DraftInputError('too_large', `The statement is larger than ${DRAFT_MAX_BYTES} bytes.`);
    text = input;
  } else {
    if (input.length > DRAFT_MAX_BYTES) throw new DraftInputError('too_large', `The statement is larger than ${DRAFT_MAX_BYTES} bytes.`);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new DraftInputError('binary', 'The statement is not UTF-8 text.');
    }
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new DraftInputError('empty', 'The statement is empty.');
  const controls = text.match(/[\u0000-\u0008\u000E-\u001F\u007F\uFFFD]/g)?.length ?? 0;
  if (text.includes('\u0000') || controls > Math.max(2, text.length / 1000)) throw new DraftInputError('binary', 'The statement looks binary, not text.');
  return text;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH = '(January|February|March|April|May|June|July|August|September|October|November|December)';
const pad = (n: number) => String(n).padStart(2, '0');

interface DateRange {
  start: string;
  end: string;
  span: Span;
  where: 'header' | 'body';
}

function fmtRange(r: DateRange): string {
  const [ys, ms, ds] = r.start.split('-').map(Number) as [number, number, number];
  const [ye, me, de] = r.end.split('-').map(Number) as [number, number, number];
  const name = (m: number) => MONTHS[m - 1]!.replace(/^./, (c) => c.toUpperCase());
  if (r.start === r.end) return `${ds} ${name(ms)} ${ys}`;
  if (ys === ye && ms === me) return `${ds}–${de} ${name(me)} ${ye}`;
  return `${ds} ${name(ms)} ${ys !== ye ? `${ys} ` : ''}– ${de} ${name(me)} ${ye}`;
}

const real = (y: number, m: number, d: number) => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCMonth() === m - 1 && t.getUTCDate() === d ? `${y}-${pad(m)}-${pad(d)}` : null;
};

/** Date ranges written "27 - 29 June 2009", "27-29 July 2009", "between 27 and 29 July 2009", "27 July – 1 August 2009", "July 27-29, 2009", or one day. */
function rangesIn(text: string, from: number, to: number, where: DateRange['where']): DateRange[] {
  const slice = text.slice(from, to);
  const out: DateRange[] = [];
  const patterns: Array<[RegExp, (m: RegExpExecArray) => [string | null, string | null]]> = [
    [new RegExp(`\\b(?:between\\s+)?(\\d{1,2})\\s*(?:-|–|—|to|and|until)\\s*(\\d{1,2})\\s+${MONTH}\\s+(\\d{4})\\b`, 'gi'), (m) => {
      const mo = MONTHS.indexOf(m[3]!.toLowerCase()) + 1;
      return [real(Number(m[4]), mo, Number(m[1])), real(Number(m[4]), mo, Number(m[2]))];
    }],
    [new RegExp(`\\b(\\d{1,2})\\s+${MONTH}\\s*(?:-|–|—|to|until)\\s*(\\d{1,2})\\s+${MONTH}\\s+(\\d{4})\\b`, 'gi'), (m) => [
      real(Number(m[5]), MONTHS.indexOf(m[2]!.toLowerCase()) + 1, Number(m[1])),
      real(Number(m[5]), MONTHS.indexOf(m[4]!.toLowerCase()) + 1, Number(m[3])),
    ]],
    [new RegExp(`\\b${MONTH}\\s+(\\d{1,2})\\s*(?:-|–|—|to)\\s*(\\d{1,2}),?\\s+(\\d{4})\\b`, 'gi'), (m) => {
      const mo = MONTHS.indexOf(m[1]!.toLowerCase()) + 1;
      return [real(Number(m[4]), mo, Number(m[2])), real(Number(m[4]), mo, Number(m[3]))];
    }],
    [new RegExp(`\\b(?:on\\s+)?(\\d{1,2})\\s+${MONTH}\\s+(\\d{4})\\b`, 'gi'), (m) => {
      const d = real(Number(m[3]), MONTHS.indexOf(m[2]!.toLowerCase()) + 1, Number(m[1]));
      return [d, d];
    }],
  ];
  const taken: Span[] = [];
  for (const [re, read] of patterns) {
    let m: RegExpExecArray | null;
    while ((m = re.exec(slice)) !== null) {
      const span: Span = [from + m.index, from + m.index + m[0].length];
      if (taken.some((t) => t[0] < span[1] && span[0] < t[1])) continue;
      const [start, end] = read(m);
      if (start && end && end >= start) {
        taken.push(span);
        out.push({ start, end, span, where });
      }
    }
  }
  return out.sort((a, b) => a.span[0] - b.span[0]);
}

/** A sentence that says the meeting took place. */
const HELD = /\b(?:held|hosted|convened|met|took place|was opened|opened|gathered)\b/i;

function isLabelLine(line: string): boolean {
  return /^(?:Location|Venue|Place|Dates?|Time)\s*:/i.test(line);
}

/** Draft from the statement: text or UTF-8 bytes (anything else is a 415 DraftInputError). */
export function draftFromStatement(input: unknown, options: DraftOptions): StatementDraft {
  const text = statementText(input);
  const blocks = blocksOf(text);
  const sentences: Sentence[] = blocks.flatMap((b) => b.sentences);
  // Only marks (bullets, dashes) and spaces: there is nothing to draft from.
  if (blocks.length === 0 || sentences.length === 0) throw new DraftInputError('empty', 'The statement has no text to draft from.');
  const warnings: DraftWarning[] = [];
  const provenance: Record<string, Provenance> = {};
  const warn = (path: string, message: string) => warnings.push({ path, message });
  const at = (s: Span) => `chars ${s[0]}–${s[1]}`;

  // ── The meeting: title, place, dates, zone ──
  const firstBlock = blocks[0]!;
  let title: string;
  if (!firstBlock.bullet && !isLabelLine(firstBlock.firstLine) && firstBlock.firstLine.length >= 3 && firstBlock.firstLine.length <= 300 && !/[.:]$/.test(firstBlock.firstLine)) {
    title = firstBlock.firstLine;
    const start = text.indexOf(title, firstBlock.span[0]);
    provenance['meeting.title'] = { span: [start, start + title.length], confidence: 0.9, via: 'first line' };
  } else {
    const s = sentences[0]!;
    title = s.text.slice(0, 120).replace(/[.:]$/, '');
    if (title.length < 3) title = 'Meeting';
    provenance['meeting.title'] = { span: [s.span[0], s.span[0] + title.length], confidence: 0.3, via: 'first sentence (no heading line)' };
    warn('meeting.title', 'The statement has no heading line; the title is its first words. Give the meeting its title.');
  }

  const heldSentences = sentences.filter((s) => HELD.test(s.text) && !agrees(s.text));
  let place = '';
  const label = /\b(?:Location|Venue|Place)\s*:[ \t]*([^\n]{0,200}?)\s*(?=(?:Dates?|Time|Venue)\s*:|\r?\n|$)/i.exec(text);
  if (label && label[1]!.trim().length >= 2) {
    place = label[1]!.trim().replace(/[.;]$/, '');
    const start = label.index + label[0].indexOf(label[1]!);
    provenance['meeting.place'] = { span: [start, start + place.length], confidence: 0.95, via: 'Location label' };
  } else {
    const candidates: Array<{ place: string; span: Span }> = [];
    for (const s of heldSentences) {
      const re = /\b(?:in|at)\s+((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)*(?:,\s*(?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)*)?)/g;
      const src = text.slice(s.span[0], s.span[1]);
      let m: RegExpExecArray | null;
      while ((m = re.exec(src)) !== null) {
        const start = s.span[0] + m.index + m[0].indexOf(m[1]!);
        if (placeZone(m[1]!) !== null) candidates.push({ place: m[1]!, span: [start, start + m[1]!.length] });
      }
    }
    const best = candidates.at(-1);
    if (best) {
      place = best.place;
      provenance['meeting.place'] = { span: best.span, confidence: 0.6, via: '"in <place>" in the sentence that says the meeting was held' };
    } else {
      warn('meeting.place', 'The statement names no place for the meeting.');
    }
  }

  const header: DateRange[] = [];
  for (const m of text.matchAll(/(?:\b|(?<=[a-z]))Dates?\s*:\s*([^\n]*)/g)) {
    const from = m.index! + m[0].length - m[1]!.length;
    header.push(...rangesIn(text, from, from + m[1]!.length, 'header'));
  }
  const body = heldSentences.flatMap((s) => rangesIn(text, s.span[0], s.span[1], 'body')).filter((r) => !header.some((h) => h.span[0] === r.span[0]));
  const chosen = body[0] ?? header[0] ?? null;
  let startDate: string;
  let endDate: string;
  const notes: string[] = [];
  if (chosen) {
    ({ start: startDate, end: endDate } = chosen);
    const others = [...header, ...body].filter((r) => r.start !== chosen.start || r.end !== chosen.end);
    const agreeing = [...header, ...body].length - others.length;
    const confidence = others.length > 0 ? 0.5 : agreeing > 1 ? 0.95 : 0.8;
    provenance['meeting.startDate'] = { span: chosen.span, confidence, via: `dates in the ${chosen.where === 'body' ? 'text that says the meeting was held' : 'Date label'}` };
    provenance['meeting.endDate'] = { span: chosen.span, confidence, via: provenance['meeting.startDate'].via };
    for (const o of others) {
      const message = `The statement disagrees with itself about the dates: ${fmtRange(o)} in the ${o.where === 'header' ? 'heading' : 'text'} (${at(o.span)}) but ${fmtRange(chosen)} in the ${chosen.where === 'header' ? 'heading' : 'text'} (${at(chosen.span)}); ${fmtRange(chosen)} is used. Check which is right.`;
      warn('meeting.startDate', message);
      // Worded as a secretariat writes it in a meeting file's notes: "27-29 July 2009 …; the July dates …".
      const sameDays = o.start.slice(8) === chosen.start.slice(8) && o.end.slice(8) === chosen.end.slice(8) && o.start.slice(0, 4) === chosen.start.slice(0, 4);
      const which = sameDays && o.start.slice(5, 7) !== chosen.start.slice(5, 7) ? MONTHS[Number(chosen.start.slice(5, 7)) - 1]!.replace(/^./, (ch) => ch.toUpperCase()) : fmtRange(chosen).replace('–', '-');
      const side = (r: DateRange) => (r.where === 'header' ? 'header' : 'body text');
      notes.push(`The source gives the dates both as ${fmtRange(o).replace('–', '-')} (${side(o)}) and ${fmtRange(chosen).replace('–', '-')} (${side(chosen)}). The ${which} dates from the ${side(chosen)} are used.`);
    }
  } else {
    startDate = endDate = options.now.toISOString().slice(0, 10);
    provenance['meeting.startDate'] = { span: null, confidence: 0, via: 'none found: today' };
    provenance['meeting.endDate'] = provenance['meeting.startDate'];
    warn('meeting.startDate', 'The statement gives no dates for the meeting; today is used. Set the dates.');
  }

  const hostCountry = place ? countryCode3(place.split(',').at(-1)!) : null;
  const zoneFromPlace = place ? placeZone(place) : null;
  const host = hostCountry ? options.parties.find((p) => p.id === hostCountry) : undefined;
  let timeZone: string | undefined;
  if (zoneFromPlace) {
    timeZone = zoneFromPlace.zone;
    provenance['meeting.timeZone'] = { span: provenance['meeting.place']?.span ?? null, confidence: zoneFromPlace.via.startsWith('country') ? 0.6 : 0.8, via: `zone of the place (${zoneFromPlace.via})` };
  } else if (host) {
    timeZone = host.timeZone;
    provenance['meeting.timeZone'] = { span: provenance['meeting.place']?.span ?? null, confidence: 0.5, via: `zone of the host ${host.id}` };
  } else if (options.timeZone) {
    timeZone = options.timeZone;
    provenance['meeting.timeZone'] = { span: null, confidence: 0.3, via: 'the default zone given' };
  } else {
    warn('meeting.timeZone', 'No time zone could be found for the meeting place; set one.');
  }

  const year = startDate.slice(0, 4);
  const meetingId = options.meetingId ?? slugify(title.includes(year) ? title : `${title} ${year}`);
  provenance['meeting.id'] = { span: null, confidence: options.meetingId ? 1 : 0.5, via: options.meetingId ? 'given' : 'slug of the title and year' };
  const meeting: Meeting = {
    id: meetingId,
    title: title.slice(0, 300),
    place: place.slice(0, 200),
    ...(timeZone ? { timeZone } : {}),
    startDate,
    endDate,
    source: { title: `${title.slice(0, 270)}: outcome statement` },
    notes,
  };

  // ── Participants ──
  const found = findParticipants(text, sentences, options.parties, timeZone);
  const participants: Participant[] = [...found.participants];
  if (found.attendance.length === 0) {
    warn('parties', 'No attendance list found ("In attendance were …", "attended by …"); no participants were drafted. Add them.');
  }
  const registry = new Map(options.parties.map((p) => [p.id, p]));
  const parties: Party[] = [];
  const participantsOut: StatementDraft['participants'] = [];
  const draftedById = new Map<string, Party>();
  const ordered: Array<Participant | { partyId: string; span: Span; via: string; role: 'participant' | 'observer'; drafted: Party }> = [...participants];
  for (const u of found.unknown) {
    if (u.drafted && !registry.has(u.drafted.id) && !draftedById.has(u.drafted.id) && !participants.some((p) => p.partyId === u.drafted!.id)) {
      draftedById.set(u.drafted.id, u.drafted);
      ordered.push({ partyId: u.drafted.id, span: u.span, via: 'drafted', role: u.drafted.kind === 'observer' ? 'observer' : 'participant', drafted: u.drafted });
    }
  }
  ordered.sort((a, b) => a.span[0] - b.span[0]);
  for (const p of ordered) {
    const party = 'drafted' in p && p.drafted ? p.drafted : registry.get(p.partyId)!;
    const i = parties.length;
    parties.push(party);
    participantsOut.push({ partyId: p.partyId, role: p.role, span: p.span });
    provenance[`parties.${i}`] = { span: p.span, confidence: p.via === 'drafted' ? 0.4 : p.via === 'id' ? 0.85 : 0.95, via: p.via === 'drafted' ? 'not in the registry: drafted from the text' : `registry party by ${p.via}${p.role === 'observer' ? ', as an observer' : ''}` };
    if (p.via === 'drafted') warn(`parties.${i}`, `"${party.name}" is not in the party registry; it was drafted as ${party.kind} ${party.id} in ${party.timeZone}, without contacts. Check it.`);
    else if (p.role === 'observer' && party.kind !== 'observer') warn(`parties.${i}`, `${party.id} attended as an observer, but the registry records it as ${party.kind}.`);
  }
  const unmatched = found.unknown.filter((u) => !u.drafted);
  for (const u of unmatched.slice(0, MAX_NAME_WARNINGS)) warn('parties', `"${u.name.slice(0, 200)}" (${at(u.span)}) matches no party in the registry by name, short name or ISO code; add it or map it to a party.`);
  if (unmatched.length > MAX_NAME_WARNINGS) warn('parties', `${unmatched.length - MAX_NAME_WARNINGS} more names match no party in the registry.`);
  const participantIds = parties.map((p) => p.id);

  // Leads by default: the co-chairs that took part, the host first.
  const coChairs = parties.filter((p) => p.roles.includes('co-chair'));
  const fallbackLeads = [...coChairs].sort((a, b) => (a.id === hostCountry ? -1 : b.id === hostCountry ? 1 : 0)).map((p) => p.id);

  // ── Commitments ──
  const { actions, negated } = findActions(text, blocks);
  for (const n of negated) warn('commitments', `Not drafted: "${n.text.slice(0, 120)}" (${at(n.span)}) reads like an agreement but is ${n.reason}.`);
  if (actions.length === 0) {
    warn('commitments', 'No agreed action found: no sentence says "agreed to", "committed to", "decided to" or "supported the proposal to". Add the commitments by hand.');
  }
  if (actions.length > MAX_DRAFT_COMMITMENTS) {
    warn('commitments', `The statement has ${actions.length} agreed actions; the first ${MAX_DRAFT_COMMITMENTS} were drafted. Split the statement to draft the rest.`);
  }
  const memberNeedles = needlesOf(parties, { demonyms: true });
  const usedIds = new Set<string>();
  const nextSuffix = new Map<string, number>();
  const commitments: DraftCommitment[] = [];
  let defaulted = 0;
  actions.slice(0, MAX_DRAFT_COMMITMENTS).forEach((full, i) => {
    const path = `commitments.${i}`;
    // Read at most the part of the action a commitment keeps as its source text.
    const a = { ...full, span: [full.span[0], Math.min(full.span[1], full.span[0] + ACTION_WINDOW)] as Span, actionStart: Math.min(full.actionStart, full.span[0] + ACTION_WINDOW) };
    const { title: t, span: titleSpan } = shortTitle(text, a.actionStart, a.span[1]);
    const base = slugify(t);
    let id = base;
    for (let k = nextSuffix.get(base) ?? 2; usedIds.has(id); k++) {
      id = `${base.slice(0, 56)}-${k}`;
      nextSuffix.set(base, k + 1);
    }
    usedIds.add(id);
    provenance[path] = { span: full.span, confidence: a.confidence, via: a.via };
    provenance[`${path}.sourceText`] = { span: a.span, confidence: 1, via: full.span[1] > a.span[1] ? 'verbatim, cut at 5,000 characters' : 'verbatim' };
    provenance[`${path}.title`] = { span: titleSpan, confidence: 0.5, via: 'first clause of the agreed action' };

    // Leads: who the text says leads, else the co-chairs.
    const leadSpan = leadPhrase(text, a);
    let leads = leadSpan ? mentionsIn(text, leadSpan[0], leadSpan[1], memberNeedles).map((m) => m.partyId) : [];
    if (leads.length > 0) provenance[`${path}.leads`] = { span: leadSpan, confidence: 0.8, via: 'named as lead' };
    else {
      leads = fallbackLeads;
      defaulted++;
      provenance[`${path}.leads`] = { span: null, confidence: 0.3, via: fallbackLeads.length ? 'none named: the co-chairs' : 'none named' };
    }
    const mentioned = mentionsIn(text, a.span[0], a.span[1], memberNeedles).filter((m) => !leads.includes(m.partyId) && participantIds.includes(m.partyId));
    const members = mentioned.map((m) => m.partyId);
    if (members.length) provenance[`${path}.members`] = { span: mentioned[0]!.span, confidence: 0.6, via: `named in the action: ${mentioned.map((m) => `${m.partyId} (${at(m.span)})`).join(', ')}` };

    const c: DraftCommitment = { id, title: t, sourceText: a.text.slice(0, 5000), theme: null, leads: [...leads], members, due: null };
    if (a.text.length > 5000) warn(`${path}.sourceText`, 'The source text is longer than 5,000 characters and was cut.');

    const count = findCount(text, a.actionStart, a.span[1]) ?? (a.actionStart !== a.span[0] ? findCount(text, a.span[0], a.span[1]) : null);
    if (count) {
      c.target = { units: count.units };
      provenance[`${path}.target.units`] = { span: count.span, confidence: count.span[0] >= a.actionStart ? 0.85 : 0.6, via: `count: "${count.phrase}"` };
    }

    const deadlines = findDeadlines(text, a.span[0], a.span[1], endDate);
    const d = deadlines[0];
    if (d) {
      const zone = registry.get(leads[0] ?? '')?.timeZone ?? draftedById.get(leads[0] ?? '')?.timeZone ?? timeZone ?? 'UTC';
      if (d.kind === 'date') {
        c.due = { date: d.date, timeZone: zone };
        provenance[`${path}.due`] = { span: d.span, confidence: d.confidence, via: `${d.via}: "${unwrap(d.phrase)}", in the zone of ${leads[0] ? `the first lead ${leads[0]}` : 'the meeting'}` };
        if (d.via.includes('year assumed')) warn(`${path}.due`, `"${unwrap(d.phrase)}" gives no year; ${d.date.slice(0, 4)} is assumed.`);
      } else {
        const target = nextMeeting(d, options, meetingId, startDate);
        c.due = { meetingId: target?.id ?? `${meetingId.slice(0, 74)}-next`, offset: d.offset };
        provenance[`${path}.due`] = { span: d.span, confidence: target ? d.confidence : 0.4, via: `${d.via}: "${unwrap(d.phrase)}"` };
        warn(
          `${path}.due`,
          target
            ? `"${unwrap(d.phrase)}" links this deadline to the planned meeting ${target.id} ("${target.title}"); that meeting must exist when the file is imported.`
            : `"${unwrap(d.phrase)}" links this deadline to a next meeting, but no planned meeting is known; create the meeting ${c.due.meetingId} (or another) before importing, or set a date.`,
        );
      }
      const others = deadlines.slice(1).filter((o) => (o.kind === 'date' ? o.date : o.offset) !== (d.kind === 'date' ? d.date : d.offset));
      if (others.length) warn(`${path}.due`, `The action gives more than one deadline; the first is used. Also: ${others.map((o) => `"${unwrap(o.phrase)}" (${at(o.span)})`).join(', ')}.`);
    }
    commitments.push(c);
  });
  if (defaulted > 0 && commitments.length > 0 && fallbackLeads.length > 0) {
    const names = fallbackLeads.map((id) => registry.get(id)?.name ?? id);
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]!;
    meeting.notes.push(`The source names no lead for ${defaulted === commitments.length ? 'any commitment' : `${defaulted} of ${commitments.length} commitments`}; the co-chairs (${list}) are recorded as leads until an admin assigns others.`);
  }
  if (defaulted > 0 && commitments.length > 0) {
    warn('commitments', fallbackLeads.length
      ? `The statement names no lead for ${defaulted} of ${commitments.length} commitments; the co-chairs (${fallbackLeads.join(', ')}) are recorded as leads until someone assigns others.`
      : `The statement names no lead for ${defaulted} of ${commitments.length} commitments, and no co-chair took part; assign leads.`);
  }

  return { meeting, parties, commitments, warnings, participants: participantsOut, provenance };
}

/**
 * Where the text names who leads an action: "led by X", "under the leadership of X",
 * "welcomed the offer of X to", or the subject of "X offered/volunteered to" or "X agreed to lead".
 */
function leadPhrase(text: string, a: { span: Span; actionStart: number; via: string }): Span | null {
  const src = text.slice(a.span[0], a.span[1]);
  const named = /\b(?:led|coordinated|co-chaired|chaired|hosted)\s+by\s+([^,.;]{3,160})|\bunder\s+the\s+(?:leadership|coordination)\s+of\s+([^,.;]{3,160})|\bwelcomed\s+the\s+offer\s+(?:of|by|from)\s+(.+?)\s+to\b/i.exec(src);
  if (named) {
    const g = named[1] ?? named[2] ?? named[3]!;
    const start = a.span[0] + named.index + named[0].indexOf(g);
    return [start, start + g.length];
  }
  // The subject of "offered to", "volunteered to", "agreed to lead": the words of the sentence before it.
  if (/^(?:offered|volunteered)\s+to$/i.test(a.via) || /^\s*(?:lead|co-lead|coordinate|host)\b/i.test(text.slice(a.actionStart, a.actionStart + 12))) {
    const before = text.slice(a.span[0], a.actionStart);
    const sentenceStart = Math.max(before.lastIndexOf('. '), before.lastIndexOf(', ')) + 1;
    const verb = before.search(/\s*\b(?:offered|volunteered|agreed|agree|committed|decided|undertook)\b[\s\S]*$/i);
    return [a.span[0] + sentenceStart, a.span[0] + (verb > sentenceStart ? verb : before.length)];
  }
  return null;
}

/** The planned meeting that "the next meeting" means: a planned one whose title shares the words used, else the earliest planned. */
function nextMeeting(d: Extract<DeadlineFinding, { kind: 'meeting' }>, options: DraftOptions, selfId: string, after: string): { id: string; title: string } | null {
  const planned = (options.meetings ?? []).filter((m) => m.id !== selfId && (m.status === 'planned' || (m.status === undefined && (!m.startDate || m.startDate > after))));
  if (planned.length === 0) return null;
  const words = d.meetingWords.toLowerCase().split(/\s+/).filter((w) => w.length > 2 && w !== 'the' && w !== 'meeting' && w !== 'of');
  const score = (m: { title: string }) => words.filter((w) => m.title.toLowerCase().includes(w)).length;
  const byDate = (a: { startDate?: string | null | undefined }, b: { startDate?: string | null | undefined }) => (a.startDate ?? '9999') < (b.startDate ?? '9999') ? -1 : (a.startDate ?? '9999') > (b.startDate ?? '9999') ? 1 : 0;
  return [...planned].sort((a, b) => score(b) - score(a) || byDate(a, b))[0]!;
}

/** The meeting file in a draft, as `POST /v1/meetings/import` takes it (the review aids left out). */
export function meetingFileOf(draft: StatementDraft): { meeting: Meeting; parties: Party[]; commitments: DraftCommitment[] } {
  return { meeting: draft.meeting, parties: draft.parties, commitments: draft.commitments };
}

export type { Block };
