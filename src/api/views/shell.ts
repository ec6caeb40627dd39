/**
 * The shell every HTML page of the service shares: the status page's
 * stylesheet, header band and icon around a short message or form. The status
 * page, the sign-in page, the error page and the one-click action pages use it,
 * so a visitor sees one service, not four.
 *
 *   res.status(409).type('html').send(shellPage({ title: 'Already done', body: html`<p>…</p>` }))
 */
import { STATUS_PAGE_CSS } from './status-page-style.js';
import { html, page, type SafeHtml } from './html.js';

export { STATUS_PAGE_CSS } from './status-page-style.js';
export { html, page, raw, SafeHtml, FAVICON_HREF, FAVICON_SVG } from './html.js';

export interface ShellPageOptions {
  /** The page's <title> and its heading (unless `heading` is given). */
  title: string;
  heading?: string;
  /** The small line above the heading; "Follow-up" by default. */
  kicker?: string;
  /** The page's content, inside a white panel. Build it with `html` so it is escaped. */
  body: SafeHtml;
}

/** A short page in the status page's style: header band, then one panel. */
export function shellPage(opts: ShellPageOptions): string {
  const body = html`<header>
  <div class="wrap narrow-head">
    <p class="kicker">${opts.kicker ?? 'Follow-up'}</p>
    <h1>${opts.heading ?? opts.title}</h1>
  </div>
</header>
<main class="wrap narrow-main"><div class="panel">${opts.body}</div></main>`;
  return page({ title: `${opts.title} · Follow-up`, style: STATUS_PAGE_CSS, body });
}
