/**
 * The outcome statement as blocks (paragraphs and bullet items) and
 * sentences, each with its character span in the original text, so every
 * extracted field can say where it came from. Pure.
 */

/** Half-open character range [start, end) in the original text. */
export type Span = [number, number];

export interface Sentence {
  span: Span;
  /** The sentence as written, line breaks of hard-wrapped text read as spaces. */
  text: string;
}

export interface Block {
  span: Span;
  /** The block without its bullet marker, as written (line breaks read as spaces). */
  text: string;
  /** Where `text` starts in the original. */
  contentStart: number;
  bullet: boolean;
  /** The first line of the block, trimmed (a heading or label line). */
  firstLine: string;
  sentences: Sentence[];
}

const BULLET = /^[ \t]*(?:[•●▪◦‣∙·\-*–—]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))[ \t]+/;
// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'no', 'nos', 'mr', 'ms', 'mrs', 'dr', 'st', 'art', 'para', 'paras', 'approx', 'vs', 'inc', 'ltd', 'co', 'u.s', 'u.n', 'h.e', 'cf', 'al', 'vol', 'p', 'pp']);

/** Line breaks inside a block read as one space; everything else stays as written. */
export function unwrap(s: string): string {
  return s.replace(/[ \t]*\r?\n[ \t]*/g, ' ');
}

/** Trim a span so it starts and ends on non-space characters. */
export function trimSpan(text: string, [start, end]: Span): Span {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return [start, end];
}

/** The sentences of `text[start, end)`. */
export function sentencesIn(text: string, start: number, end: number): Sentence[] {
  const out: Sentence[] = [];
  const boundary = /[.!?]["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])/g;
  boundary.lastIndex = start;
  let from = start;
  const slice = text.slice(0, end);
  let m: RegExpExecArray | null;
  while ((m = boundary.exec(slice)) !== null) {
    const stop = m.index + m[0].length;
    const word = /([A-Za-z.]+)\.$/.exec(text.slice(Math.max(from, m.index - 12), m.index + 1))?.[1]?.toLowerCase() ?? '';
    const isInitial = /(^|[\s(])[A-Z]$/.test(text.slice(Math.max(from, m.index - 2), m.index));
    if (m[0].startsWith('.') && (ABBREVIATIONS.has(word) || isInitial)) continue;
    const span = trimSpan(text, [from, stop]);
    if (span[1] > span[0]) out.push({ span, text: unwrap(text.slice(span[0], span[1])) });
    from = stop;
  }
  const span = trimSpan(text, [from, end]);
  if (span[1] > span[0]) out.push({ span, text: unwrap(text.slice(span[0], span[1])) });
  return out;
}

/**
 * Blocks: a bullet line starts a new block and takes the non-bullet lines
 * that follow it up to a blank line; other consecutive non-empty lines form
 * a paragraph.
 */
export function blocksOf(text: string): Block[] {
  const lines: Array<{ start: number; end: number; body: string }> = [];
  for (let i = 0; i <= text.length; ) {
    let j = text.indexOf('\n', i);
    if (j === -1) j = text.length;
    lines.push({ start: i, end: j, body: text.slice(i, j) });
    i = j + 1;
  }
  const blocks: Block[] = [];
  let current: { start: number; contentStart: number; end: number; bullet: boolean; firstLine: string } | null = null;
  const close = () => {
    if (!current) return;
    const span = trimSpan(text, [current.start, current.end]);
    const content = trimSpan(text, [current.contentStart, current.end]);
    if (content[1] > content[0]) {
      blocks.push({
        span,
        text: unwrap(text.slice(content[0], content[1])),
        contentStart: content[0],
        bullet: current.bullet,
        firstLine: current.firstLine,
        sentences: sentencesIn(text, content[0], content[1]),
      });
    }
    current = null;
  };
  for (const line of lines) {
    if (line.body.trim() === '') {
      close();
      continue;
    }
    const bullet = BULLET.exec(line.body);
    if (bullet || !current) {
      close();
      current = { start: line.start, contentStart: line.start + (bullet ? bullet[0].length : 0), end: line.end, bullet: bullet !== null, firstLine: line.body.slice(bullet ? bullet[0].length : 0).trim() };
    } else {
      current.end = line.end;
    }
  }
  close();
  return blocks;
}
