/**
 * Control characters in text that people type. Pure.
 *
 * At input (the domain's zod schemas):
 * - one-line fields (titles, themes, reasons, names) lose every control
 *   character: each run of C0 (TAB and LF included), DEL, C1 and the Unicode
 *   line and paragraph separators becomes one space;
 * - multi-line fields (a commitment's source text, a completion note) keep LF
 *   and TAB, because a note may legitimately have paragraphs: CR LF and a lone
 *   CR become LF, and every other control character (NUL, ESC, form feed…) is
 *   dropped. CR and NUL never survive.
 *
 * At output, every value printed into a line of a text part goes through
 * `singleLine`, so a title or a note cannot start a line of its own there,
 * whatever the store holds from before these rules.
 */

// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex
const DROPPED_IN_MULTI_LINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Every run of control characters (line breaks and tabs included) as one space. */
export function singleLine(s: string): string {
  return s.replace(ANY_CONTROL, ' ');
}

/** Line breaks as LF, tabs kept, every other control character dropped. */
export function multiLine(s: string): string {
  return s.replace(/\r\n?|[\u2028\u2029]/g, '\n').replace(DROPPED_IN_MULTI_LINE, '');
}
