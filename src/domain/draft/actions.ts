/**
 * Agreed actions in an outcome statement: which sentences commit the
 * meeting to something, a short title for each, and the count of outputs it
 * names ("two technical expert meetings" → 2). Pure.
 */
import type { Block, Span } from './text.js';
import { unwrap } from './text.js';

/** Verbs of agreement. Each match marks where the agreed action begins (after the match). */
const AGREEMENT =
  /\b(?:(?:agreed|agree|agrees)\s+to|(?:agreed|agree|agrees)\s+on|(?:committed|commit|commits)\s+(?:themselves\s+|itself\s+)?to|(?:decided|decide|decides|resolved|resolve|resolves|undertook|undertakes)\s+to|(?:supported|support|supports|endorsed|endorse|endorses|approved|approve|approves|adopted|adopt|adopts)\s+(?:the\s+|a\s+)?(?:proposal|recommendation|plan|establishment|creation|decision|initiative)s?(?:\s+(?:to|of|for|by\s+[A-Z][\w -]{0,80}?\s+to))?|welcomed\s+the\s+offer\s+(?:of|by|from)\s+[^.;]{1,160}?\s+to|(?:offered|volunteered)\s+to)\b/i;

/** "agreed that … will/would/should/shall …": an agreement on an action, not on a view. */
const AGREED_THAT = /\b(?:agreed|agree|agrees|decided|decides)\s+that\b(?=[\s\S]{0,400}?\b(?:would|will|should|shall)\s+\w)/i;

/** Words that negate the agreement just before it ("did not agree to", "could not commit to"). */
const NEGATION = /\b(?:not|never|no longer|declined|unable|refused)\b[^.;]{0,20}$/i;
/** A modal just before the verb makes it a possibility, not an agreement ("actions the region could undertake to …", "may agree to"). */
const MODAL = /\b(?:could|might|may|would)\s+$/i;

/** A lead-in announcing a list of commitments: "Delegates committed to the following objectives:" */
const LEAD_IN = /\b(?:agreed|committed|decided|resolved|undertook|endorsed|adopted|supported)\b.*\b(?:following|below)\b.*:\s*$|:\s*$/;

/** True when the sentence contains a verb of agreement on an action. */
export function agrees(sentence: string): boolean {
  return AGREEMENT.test(sentence) || AGREED_THAT.test(sentence);
}

export interface AgreedAction {
  /** The source: a whole bullet item, or the sentence that agrees. */
  span: Span;
  text: string;
  /** Where the action itself starts (after "agreed to …"), absolute; the source start when the item is under a lead-in. */
  actionStart: number;
  /** The agreement phrase, or "listed under: <lead-in>". */
  via: string;
  confidence: number;
}

export interface NotAnAction {
  span: Span;
  text: string;
  reason: string;
}

function agreementIn(text: string, from: number, to: number): { index: number; end: number; phrase: string } | null {
  const slice = text.slice(from, to);
  const m = AGREEMENT.exec(slice) ?? AGREED_THAT.exec(slice);
  if (!m) return null;
  return { index: from + m.index, end: from + m.index + m[0].length, phrase: unwrap(m[0]) };
}

/**
 * The agreed actions, one per bullet item or sentence, in text order. A
 * bullet item under a lead-in that agrees ("committed to the following
 * objectives:") is an action even without a verb of agreement of its own.
 * Sentences whose agreement is negated are returned apart, so the draft can warn.
 */
export function findActions(text: string, blocks: readonly Block[]): { actions: AgreedAction[]; negated: NotAnAction[] } {
  const actions: AgreedAction[] = [];
  const negated: NotAnAction[] = [];
  let leadIn: Block | null = null;
  for (const b of blocks) {
    if (!b.bullet) {
      const last = b.sentences.at(-1);
      // Cheap test first: only a sentence that ends in a colon can introduce a list.
      leadIn = last && /:\s*$/.test(last.text) && LEAD_IN.test(last.text.slice(-400)) && agreementIn(text, last.span[0], last.span[1] + 1) !== null ? b : null;
      if (leadIn) continue;
    }
    const underLeadIn = b.bullet && leadIn !== null;
    let found = false;
    for (const s of b.sentences) {
      const a = agreementIn(text, s.span[0], s.span[1]);
      if (!a) continue;
      const before = text.slice(Math.max(s.span[0], a.index - 80), a.index);
      if (NEGATION.test(before) || MODAL.test(before)) {
        negated.push({ span: s.span, text: s.text, reason: `${MODAL.test(before) ? 'only a possibility' : 'negated'}: "${unwrap(text.slice(s.span[0], a.end)).slice(-60)}"` });
        continue;
      }
      const span: Span = b.bullet ? [b.contentStart, b.span[1]] : s.span;
      actions.push({ span, text: b.bullet ? b.text : s.text, actionStart: a.end, via: a.phrase, confidence: 0.9 });
      found = true;
      // A bullet item is one action; a paragraph has one per agreeing sentence.
      if (b.bullet) break;
    }
    if (!found && underLeadIn) {
      actions.push({ span: [b.contentStart, b.span[1]], text: b.text, actionStart: b.contentStart, via: `listed under: ${leadIn!.sentences.at(-1)!.text}`, confidence: 0.7 });
    }
  }
  return { actions, negated };
}

const NUMBER_WORDS: Record<string, number> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
  thirty: 30, forty: 40, fifty: 50, 'a dozen': 12, dozen: 12, 'a pair of': 2, 'a couple of': 2, 'a series of two': 2,
};

/** What a commitment can be counted in: the outputs a meeting agrees to deliver. */
const OUTPUTS =
  'toolkits|handbooks|modules|briefs|meetings|workshops|seminars|trainings|training courses|training sessions|courses|sessions|conferences|reports|studies|papers|visits|exercises|consultations|dialogues|events|missions|pilots|pilot projects|projects|surveys|webinars|roundtables|round tables|forums|fora|assessments|guidelines|manuals|campaigns|simulations|study visits|publications';

const COUNT = new RegExp(
  `\\b(${Object.keys(NUMBER_WORDS).sort((a, b) => b.length - a.length).join('|')}|\\d{1,4})(?:\\s*\\((?:\\d{1,4})\\))?\\s+((?:[a-z][a-z-]*\\s+){0,4}?)(${OUTPUTS})\\b`,
  'i',
);

/** The first count of outputs in `text[from, to)`: "two technical expert meetings" → 2, "3 regional workshops" → 3. */
export function findCount(text: string, from: number, to: number): { units: number; span: Span; phrase: string } | null {
  const m = COUNT.exec(text.slice(from, to));
  if (!m) return null;
  const raw = m[1]!.toLowerCase();
  const units = /^\d+$/.test(raw) ? Number(raw) : NUMBER_WORDS[raw]!;
  if (!(units >= 2 && units <= 1000)) return null;
  return { units, span: [from + m.index, from + m.index + m[0].length], phrase: unwrap(m[0]) };
}

/** Where a short title stops: the first comma, or a word that starts a purpose, manner or detail. */
const TITLE_STOP = /[,;:.]|\((?!\d{1,4}\))|\s(?:to|in order|which|that|who|would|will|should|shall|comprising|comprised|consisting|including|focused|focusing|aimed|aiming|from|with a view|so as|as a|as an|in accordance|in the context|through|by|under|within|before|after|no later|at the next|during|in(?=\s+(?:\d{4}|the\s+(?:first|second|third|fourth|last)\b|Q[1-4]\b)))\s/i;
const LIGHT_VERBS = /^(?:have|be|see|consider having)\s+/i;

/**
 * A short title from the action: its first clause, without a light verb
 * and article ("have a technical expert working group to develop …" →
 * "Technical expert working group"), at most ten words.
 */
export function shortTitle(text: string, actionStart: number, end: number): { title: string; span: Span } {
  const from = actionStart;
  let clause = text.slice(from, end);
  let lead = clause.length - clause.trimStart().length;
  clause = clause.trimStart();
  const light = LIGHT_VERBS.exec(clause);
  if (light) {
    lead += light[0].length;
    clause = clause.slice(light[0].length);
    const article = /^(?:a|an|the)\s+/i.exec(clause);
    if (article) {
      lead += article[0].length;
      clause = clause.slice(article[0].length);
    }
  }
  const stop = TITLE_STOP.exec(clause);
  let cut = stop ? clause.slice(0, stop.index) : clause;
  const words = unwrap(cut).trim().split(/\s+/);
  if (words.length > 10) cut = words.slice(0, 10).join(' ');
  let title = unwrap(cut).trim().replace(/\s*\(\d{1,4}\)/g, '').replace(/\s+/g, ' ');
  if (/^(?:a|an|the)\s+\S+\s+\S+/i.test(title)) title = title.replace(/^(?:a|an|the)\s+/i, '');
  if (title.length < 3) {
    const first = unwrap(text.slice(from, end)).trim().split(/\s+/).slice(0, 8).join(' ');
    title = first.length >= 3 ? first : 'Agreed action';
  }
  title = title.charAt(0).toUpperCase() + title.slice(1);
  return { title: title.slice(0, 300), span: [from + lead, from + lead + Math.min(cut.length, end - from - lead)] };
}
