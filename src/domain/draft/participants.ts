/**
 * Who took part: the attendance list of a statement matched against the
 * party registry by name, short name (the id, "UNHCR") and, for a state, any
 * English name of its ISO country ("Viet Nam" for VNM). Pure.
 */
import type { Party } from '../party.js';
import { countryCode3, countryNames, countryZone } from './places.js';
import { type Span, unwrap } from './text.js';

export interface Mention {
  partyId: string;
  span: Span;
  /** How it matched: "name", "id", "country name". */
  via: string;
}

export interface Participant extends Mention {
  role: 'participant' | 'observer';
  /** The party is not in the registry: drafted from the text. */
  drafted?: Party;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Needle {
  partyId: string;
  re: RegExp;
  via: string;
}

/** The search patterns of a registry: names and country names case-insensitively (with "-n"/"-ns" for demonyms), ids exactly. */
export function needlesOf(parties: readonly Party[], { demonyms = false } = {}): Needle[] {
  const out: Needle[] = [];
  for (const p of parties) {
    const names = new Set([p.name]);
    const alt = p.name.replace(/^(?:the\s+)?(?:office of the|government of(?: the)?)\s+/i, '');
    if (alt !== p.name && alt.length >= 4) names.add(alt);
    const countryish = /^[A-Z]{3}$/.test(p.id) ? countryNames(p.id) : [];
    for (const n of names) out.push({ partyId: p.id, re: new RegExp(`\\b${escape(n).replace(/\s+/g, '\\s+')}${demonyms ? '(?:ns?)?' : ''}\\b`, 'gi'), via: 'name' });
    for (const n of countryish) if (!names.has(n)) out.push({ partyId: p.id, re: new RegExp(`\\b${escape(n).replace(/\s+/g, '\\s+')}${demonyms ? '(?:ns?)?' : ''}\\b`, 'gi'), via: 'country name' });
    if (p.id.length >= 3) out.push({ partyId: p.id, re: new RegExp(`\\b${escape(p.id)}\\b`, 'g'), via: 'id' });
  }
  return out;
}

/**
 * Every mention of a registry party in `text[from, to)`, in text order; where
 * two overlap the longer wins, so "United Nations Office on Drugs and Crime"
 * is not also read as a shorter name inside it.
 */
export function allMentionsIn(text: string, from: number, to: number, needles: readonly Needle[]): Mention[] {
  const slice = text.slice(from, to);
  const all: Mention[] = [];
  for (const n of needles) {
    n.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = n.re.exec(slice)) !== null) all.push({ partyId: n.partyId, span: [from + m.index, from + m.index + m[0].length], via: n.via });
  }
  all.sort((a, b) => a.span[0] - b.span[0] || b.span[1] - a.span[1]);
  const kept: Mention[] = [];
  for (const m of all) {
    const last = kept.at(-1);
    if (!last || m.span[0] >= last.span[1]) kept.push(m);
    else if (m.span[1] - m.span[0] > last.span[1] - last.span[0]) kept[kept.length - 1] = m;
  }
  return kept;
}

/** Every registry party named in `text[from, to)`: its first mention each, in text order. */
export function mentionsIn(text: string, from: number, to: number, needles: readonly Needle[]): Mention[] {
  const first = new Map<string, Mention>();
  for (const m of allMentionsIn(text, from, to, needles)) if (!first.has(m.partyId)) first.set(m.partyId, m);
  return [...first.values()];
}

/** Sentences that list who attended. */
const ATTENDANCE = /\b(?:in attendance were|were in attendance|attended by|attended|(?:participants|delegations|delegates|representatives) (?:included|came|were present)|(?:was|were) represented|brought together|the following (?:countries|delegations|participants))\b/i;

const FILLER = /^(?:and|with|as well as|including|representatives?|delegations?|delegates|officials|senior officials|observers?|of|from|the|also|by|in attendance were)\b\s*/i;

export interface UnknownName {
  name: string;
  span: Span;
  /** A party drafted for it: a country with an ISO code, or an organisation with an acronym in brackets. */
  drafted?: Party;
}

/**
 * The participants in the attendance sentence(s), in text order, and the
 * names there that match no registry party. An item that says "as an
 * observer" (or lists "observers") gets the observer role.
 */
export function findParticipants(
  text: string,
  sentences: ReadonlyArray<{ span: Span; text: string }>,
  registry: readonly Party[],
  meetingZone: string | undefined,
): { participants: Participant[]; unknown: UnknownName[]; attendance: Span[] } {
  const needles = needlesOf(registry);
  const attendance = sentences.filter((s) => ATTENDANCE.test(s.text)).map((s) => s.span);
  const participants: Participant[] = [];
  const unknown: UnknownName[] = [];
  const seen = new Set<string>();
  for (const [from, to] of attendance) {
    const every = allMentionsIn(text, from, to, needles);
    const first = new Map<string, Mention>();
    for (const m of every) if (!first.has(m.partyId)) first.set(m.partyId, m);
    const mentions = [...first.values()];
    // Items of the list: split at commas, semicolons and "and"/"as well as" outside brackets.
    const items: Span[] = [];
    /** Whether each item was joined to the one before by "and" (not a comma): "X and Y as observers" covers both. */
    const joinedByAnd: boolean[] = [false];
    let depth = 0;
    let itemStart = from;
    const body = text.slice(from, to);
    const sepAt = /[,;]|\s(?:and|as well as)\s/y;
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch === '(') depth++;
      else if (ch === ')') depth = Math.max(0, depth - 1);
      sepAt.lastIndex = i;
      const sep = depth === 0 ? sepAt.exec(body) : null;
      if (sep) {
        items.push([itemStart, from + i]);
        joinedByAnd.push(/and/.test(sep[0]) && !/as well as/.test(sep[0]));
        itemStart = from + i + sep[0].length;
        i += sep[0].length - 1;
      }
    }
    items.push([itemStart, to]);
    for (const m of mentions) {
      if (seen.has(m.partyId)) continue;
      seen.add(m.partyId);
      const k = items.findIndex((it) => it[0] <= m.span[0] && m.span[0] < it[1]);
      const item = items[k] ?? m.span;
      // "the ASEAN Secretariat as an observer", "observers from X", "X and Y as observers"
      let observer = /\bobservers?\b/i.test(text.slice(item[0], item[1]));
      for (let j = k + 1; !observer && k >= 0 && j < items.length && joinedByAnd[j]; j++) observer = /\bas\s+observers\b/i.test(text.slice(items[j]![0], items[j]![1]));
      participants.push({ ...m, role: observer ? 'observer' : 'participant' });
    }
    // Items and mentions are both in text order: sweep once to skip the items a mention covers.
    let next = 0;
    for (const it of items) {
      while (next < every.length && every[next]!.span[1] <= it[0]) next++;
      if (next < every.length && every[next]!.span[0] < it[1]) continue;
      let s = it[0];
      let name = text.slice(it[0], it[1]);
      // Only the list, not the sentence's opening words ("In attendance were representatives from").
      const trigger = ATTENDANCE.exec(name);
      if (trigger) {
        s += trigger.index + trigger[0].length;
        name = name.slice(trigger.index + trigger[0].length);
      }
      for (let f = FILLER.exec(name.trimStart()); f && f[0].length > 0; f = FILLER.exec(name.trimStart())) {
        const lead = name.length - name.trimStart().length;
        s += lead + f[0].length;
        name = name.trimStart().slice(f[0].length);
      }
      const observer = /\s+as\s+(?:an\s+)?observers?\b.*$/i;
      const isObserver = observer.test(name);
      name = name.replace(observer, '').replace(/[.\s]+$/, '');
      const clean = unwrap(name).trim();
      if (!/[A-Z]/.test(clean) || clean.length < 2 || clean.length > 200) continue;
      const span: Span = [s + (name.length - name.trimStart().length), s + name.trimEnd().length];
      const acronym = /\(([A-Z][A-Z0-9-]{1,15})\)\s*$/.exec(clean)?.[1];
      const bare = clean.replace(/\s*\([^)]*\)\s*$/, '');
      const code3 = countryCode3(bare);
      let drafted: Party | undefined;
      const kind = isObserver ? 'observer' : code3 ? 'state' : 'organisation';
      if (code3 && !registry.some((p) => p.id === code3)) {
        const zone = countryZone(code3);
        if (zone) drafted = { id: code3, name: bare, kind, timeZone: zone, contacts: [], roles: [] };
      } else if (acronym && meetingZone && !registry.some((p) => p.id === acronym)) {
        drafted = { id: acronym, name: bare.replace(/^the\s+/i, ''), kind, timeZone: meetingZone, contacts: [], roles: [] };
      }
      unknown.push({ name: clean, span, ...(drafted ? { drafted } : {}) });
    }
  }
  return { participants, unknown, attendance };
}
