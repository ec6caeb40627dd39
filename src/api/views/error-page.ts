/**
 * The HTML face of an error, for a browser (the error handler in
 * src/api/problem.ts picks it when `Accept` prefers text/html). It says what
 * the problem+json would say, in the status page's style, and never a stack.
 */
import type { FieldError } from '../../domain/errors.js';
import { html, type SafeHtml } from './html.js';
import { shellPage } from './shell.js';

const HINT: Record<number, string> = {
  400: 'Check the address: one of its values is not one this page understands.',
  401: 'This page needs a sign-in. Ask the secretariat for a viewer link.',
  403: 'Your sign-in does not allow this.',
  404: 'Nothing lives at this address. The status page is at the start of this site.',
  429: 'Too many requests came from here at once. Wait a little and try again.',
  503: 'The service cannot reach its data store just now. Try again in a minute.',
};

export function renderErrorPage(status: number, title: string, detail: string, errors: readonly FieldError[] = []): string {
  const hint = HINT[status] ?? (status >= 500 ? 'Something went wrong on our side. It has been logged; try again later.' : '');
  const fields: SafeHtml | '' = errors.length
    ? html`<ul class="field-errors">${errors.map((e) => html`<li><code>${e.path}</code>: ${e.message}</li>`)}</ul>`
    : '';
  return shellPage({
    title: `${status} ${title}`,
    kicker: `Follow-up · error ${status}`,
    heading: title,
    body: html`<p class="detail">${detail}</p>${fields}${hint ? html`<p class="muted">${hint}</p>` : ''}<p><a href="/">Go to the status page</a></p>`,
  });
}
