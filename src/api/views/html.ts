/** Tiny HTML helpers for the server-rendered pages: escaping, and a tagged template that escapes by default. */
import escapeHtml from 'escape-html';

/** Already-safe HTML, which `html` inserts as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export const raw = (s: string) => new SafeHtml(s);

type Part = SafeHtml | string | number | null | undefined | false | ReadonlyArray<SafeHtml | string>;

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map((p) => render(p as Part)).join('');
  return escapeHtml(String(part));
}

/** A template literal whose interpolations are escaped unless they are SafeHtml (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** A whole page: doctype, meta, inline style (CSP allows inline styles, not scripts). */
export function page(opts: { title: string; style: string; body: SafeHtml }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(opts.title)}</title>
<style>${opts.style}</style>
</head>
<body>
${opts.body.value}
</body>
</html>`;
}
