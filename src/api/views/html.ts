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

/**
 * The service's icon: a check mark on the status page's blue, as SVG. Served at
 * /favicon.ico and /favicon.svg (src/api/routes/status-page.ts) and linked
 * from every page, so browsers stop asking for a missing file.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#1f5fa8"/><path d="M17 33l10 10 20-22" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

/** The icon's URL; the version query lets it be cached for a year and still change. */
export const FAVICON_HREF = '/favicon.svg?v=1';

/** A whole page: doctype, meta, icon, inline style (CSP allows inline styles, not scripts). */
export function page(opts: { title: string; style: string; body: SafeHtml }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(opts.title)}</title>
<link rel="icon" type="image/svg+xml" href="${FAVICON_HREF}">
<style>${opts.style}</style>
</head>
<body>
${opts.body.value}
</body>
</html>`;
}
