/**
 * Deadline phrases in an agreed action, read against the meeting's dates:
 * "before the end of 2009", "by March 2010", "no later than 30 June 2010",
 * "within six months", "at the next meeting". Dates go through chrono-node;
 * the period phrases it does not read (end of a year, quarters, halves) and
 * links to the next meeting are matched here. Pure.
 */
import * as chrono from 'chrono-node';
import type { Span } from './text.js';

export type DeadlineFinding =
  | { kind: 'date'; date: string; span: Span; phrase: string; confidence: number; via: string }
  | { kind: 'meeting'; offset: string; meetingWords: string; span: Span; phrase: string; confidence: number; via: string };

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** The day before y-m-d. */
const dayBefore = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);

const ORDINAL: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, last: 4, '1st': 1, '2nd': 2, '3rd': 3, '4th': 4 };
const BEFORE = /^(before|prior to|ahead of)$/i;

interface Rule {
  re: RegExp;
  read(m: RegExpExecArray, refYear: number): Omit<Extract<DeadlineFinding, { kind: 'date' }>, 'span' | 'phrase' | 'kind'> | Omit<Extract<DeadlineFinding, { kind: 'meeting' }>, 'span' | 'phrase' | 'kind'> | null;
}

const PERIOD_RULES: Rule[] = [
  {
    // "at the next meeting", "to the next Senior Officials Meeting", "before the next session"
    re: /\b(at|by|before|to|until|for|prior to|ahead of|in time for)\s+(?:the\s+|its\s+|their\s+)?next\s+((?:[A-Z][\w-]*\s+|of\s+the\s+){0,6}?)(meeting|session|conference|summit|SOM)\b/gi,
    read: (m) => ({ offset: BEFORE.test(m[1]!) ? '-P1D' : 'P0D', meetingWords: `${m[2] ?? ''}${m[3]}`.trim(), confidence: 0.8, via: 'next meeting' }),
  },
  {
    // "before the end of 2009", "by end-2010"
    re: /\b(before|by|until|till|no later than|not later than|prior to)\s+(?:the\s+)?end(?:\s+of\s+|-)(\d{4})\b/gi,
    read: (m) => ({ date: iso(Number(m[2]), 12, 31), confidence: 0.95, via: 'end of year' }),
  },
  {
    // "by the end of the year"
    re: /\b(before|by|until|no later than)\s+the\s+end\s+of\s+(?:this|the)\s+year\b/gi,
    read: (_m, refYear) => ({ date: iso(refYear, 12, 31), confidence: 0.7, via: 'end of the meeting year' }),
  },
  {
    // "by the third quarter of 2010", "in Q1 2011"
    re: /\b(by|before|in|during|within|by the end of)\s+(?:the\s+)?(?:(first|second|third|fourth|last|1st|2nd|3rd|4th)\s+quarter\s+of|Q([1-4]))\s+(\d{4})\b/gi,
    read: (m) => {
      const q = m[3] ? Number(m[3]) : ORDINAL[m[2]!.toLowerCase()]!;
      const y = Number(m[4]);
      if (/^before$/i.test(m[1]!)) return q === 1 ? { date: iso(y - 1, 12, 31), confidence: 0.8, via: 'quarter' } : { date: iso(y, (q - 1) * 3, lastDay(y, (q - 1) * 3)), confidence: 0.8, via: 'quarter' };
      return { date: iso(y, q * 3, lastDay(y, q * 3)), confidence: 0.85, via: 'quarter' };
    },
  },
  {
    // "by the first half of 2010"
    re: /\b(by|in|during|within|by the end of)\s+the\s+(first|second)\s+half\s+of\s+(\d{4})\b/gi,
    read: (m) => ({ date: m[2]!.toLowerCase() === 'first' ? iso(Number(m[3]), 6, 30) : iso(Number(m[3]), 12, 31), confidence: 0.8, via: 'half-year' }),
  },
  {
    // "by mid-2010"
    re: /\b(by|before)\s+mid-?\s?(\d{4})\b/gi,
    read: (m) => ({ date: iso(Number(m[2]), 6, 30), confidence: 0.6, via: 'mid-year' }),
  },
];

/** "in 2010", "during 2011": the year's last day, weakly; only a year not before the meeting's. */
const IN_YEAR = /\b(in|during|throughout|within)\s+(\d{4})\b/gi;

const overlaps = (a: Span, b: Span) => a[0] < b[1] && b[0] < a[1];

/**
 * Every deadline phrase in `text[start, end)`, in text order, with absolute
 * spans. `ref` is the meeting's last day (YYYY-MM-DD): relative phrases count
 * from it, and a date before it is not a deadline.
 */
export function findDeadlines(text: string, start: number, end: number, ref: string): DeadlineFinding[] {
  const source = text.slice(start, end);
  const [ry, rm, rd] = ref.split('-').map(Number) as [number, number, number];
  const out: DeadlineFinding[] = [];
  const taken: Span[] = [];
  const add = (f: DeadlineFinding) => {
    if (taken.some((s) => overlaps(s, f.span))) return;
    taken.push(f.span);
    out.push(f);
  };

  for (const rule of PERIOD_RULES) {
    rule.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = rule.re.exec(source)) !== null) {
      const r = rule.read(m, ry);
      if (!r) continue;
      const span: Span = [start + m.index, start + m.index + m[0].length];
      if ('offset' in r) add({ kind: 'meeting', ...r, span, phrase: m[0] });
      else if (r.date >= ref) add({ kind: 'date', ...r, span, phrase: m[0] });
    }
  }

  const reference = { instant: new Date(Date.UTC(ry, rm - 1, rd, 12)), timezone: 0 };
  for (const r of chrono.en.GB.parse(source, reference, { forwardDate: true })) {
    // Month names alone ("may", "march") and weekdays are too weak: a date needs a digit, or is "within …".
    if (!/\d/.test(r.text) && !/^within\b/i.test(r.text)) continue;
    const leadMatch = /\b(no later than|not later than|on or before|by the end of|by|before|prior to|ahead of|until|till|in|during|on|from)\s+(?:the\s+)?$/i.exec(source.slice(Math.max(0, r.index - 30), r.index));
    const lead = leadMatch?.[1]?.toLowerCase() ?? '';
    const span: Span = [start + r.index - (leadMatch ? leadMatch[0].length : 0), start + r.index + r.text.length];
    const point = r.end ?? r.start;
    const y = point.get('year')!;
    const m = point.get('month')!;
    const d = point.get('day')!;
    const dayKnown = point.isCertain('day') || /^within\b/i.test(r.text);
    const yearKnown = point.isCertain('year') || /^within\b/i.test(r.text);
    let date: string;
    let via: string;
    let confidence = yearKnown ? 0.9 : 0.6;
    if (/^within\b/i.test(r.text)) {
      date = iso(y, m, d);
      via = 'within a period of the meeting';
      confidence = 0.8;
    } else if (!dayKnown) {
      // "by March 2010": the month's last day; "before March 2010": the last day of the month before.
      date = /^(before|prior to|ahead of)/.test(lead) ? dayBefore(y, m, 1) : iso(y, m, lastDay(y, m));
      via = 'month';
      confidence -= 0.1;
    } else if (/^(before|prior to|ahead of)$/.test(lead)) {
      date = dayBefore(y, m, d);
      via = 'day before';
    } else {
      date = iso(y, m, d);
      via = lead ? `date (${lead})` : 'date of the action';
      if (!lead || lead === 'on' || lead === 'in' || lead === 'from') confidence -= 0.2;
    }
    if (date < ref) continue;
    add({ kind: 'date', date, span, phrase: text.slice(span[0], span[1]), confidence: Math.round(confidence * 100) / 100, via: yearKnown ? via : `${via}, year assumed` });
  }

  IN_YEAR.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IN_YEAR.exec(source)) !== null) {
    const y = Number(m[2]);
    if (y < ry || y > ry + 20) continue;
    add({ kind: 'date', date: iso(y, 12, 31), span: [start + m.index, start + m.index + m[0].length], phrase: m[0], confidence: 0.5, via: 'within a year' });
  }
  return out.sort((a, b) => a.span[0] - b.span[0]);
}
