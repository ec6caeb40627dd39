/**
 * Every HTML page of the service wears the status page's style: the shell's
 * stylesheet, icon and header band, for the sign-in page, the dashboard's
 * sign-in refusals, a wrong method and an unknown page, as a browser sees them.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_PAGE_CSS } from '../../src/api/views/shell.js';
import { TOKENS, createTestContext } from '../support/app.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const ctx = createTestContext('html-pages', { STATUS_PAGE: 'token' });
beforeAll(() => ctx.seed());
afterAll(() => ctx.cleanup());

/** The marks of the shell: the status page's stylesheet, its icon, and the header band over one panel. */
function expectShell(res: request.Response, heading: string) {
  expect(res.headers['content-type']).toContain('text/html');
  expect(res.text).toContain(STATUS_PAGE_CSS);
  expect(res.text).toContain('<link rel="icon" type="image/svg+xml"');
  expect(res.text).toContain('<div class="wrap narrow-head">');
  expect(res.text).toContain('<div class="panel">');
  expect(res.text).toContain(`<h1>${heading}</h1>`);
  expect(res.text).not.toMatch(/at \S+ \(.*:\d+:\d+\)/);
}

describe('the HTML pages share the status page’s shell', () => {
  it('when the status page needs a viewer link, then the sign-in page and a stale link’s page use the shell', async () => {
    expectShell(await request(ctx.app).get('/').set('Accept', BROWSER).expect(401), 'Sign-in needed');
    expectShell(await request(ctx.app).get('/?token=fu_not-a-valid-token-000000').set('Accept', BROWSER).expect(401), 'Sign-in needed');
  });

  it('when a browser opens the dashboard sign-in with a bad or non-admin token, then the refusal is a shell page', async () => {
    expectShell(await request(ctx.app).get('/admin/login?token=not-a-token-0123456789').set('Accept', BROWSER).expect(401), 'Unauthorized');
    expectShell(await request(ctx.app).get(`/admin/login?token=${TOKENS.viewer}`).set('Accept', BROWSER).expect(403), 'Forbidden');
    expectShell(await request(ctx.app).get('/admin/login').set('Accept', BROWSER).expect(400), 'Bad Request');
  });

  it('when a browser sends a wrong method or asks for an unknown page, then it gets a shell page', async () => {
    expectShell(await request(ctx.app).post('/docs').set('Accept', BROWSER).expect(405), 'Method Not Allowed');
    expectShell(await request(ctx.app).get('/nowhere').set('Accept', BROWSER).expect(404), 'Not Found');
  });

  it('when the API reference is opened, then it carries the same stylesheet and icon', async () => {
    const res = await request(ctx.app).get('/docs').set('Accept', BROWSER).expect(200);
    expect(res.text).toContain(STATUS_PAGE_CSS);
    expect(res.text).toContain('<link rel="icon" type="image/svg+xml"');
  });
});
