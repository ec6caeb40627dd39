import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envDescriptions, loadConfig } from '../../config/env.js';

/** The ConfigError a bad environment produces. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('an empty environment gives the documented defaults, frozen', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: 'followup',
      SEED: '2009',
      BODY_LIMIT: '100kb',
      PUBLIC_BASE_URL: 'http://localhost:3000',
      REMINDER_BEFORE: ['P30D', 'P14D', 'P7D', 'P1D'],
      REMINDER_ON_DUE: true,
      REMINDER_QUIET_DAYS: [6, 0],
      DIGEST_TZ: 'Asia/Jakarta',
    });
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.API_TOKENS).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('parses lists, booleans and the token array', () => {
    const c = loadConfig({
      PORT: '0',
      REMINDER_BEFORE: 'P7D, PT5S',
      REMINDER_ON_DUE: 'no',
      REMINDER_QUIET_DAYS: '',
      PUBLIC_BASE_URL: 'https://followup.example.org/',
      API_TOKENS: JSON.stringify([{ name: 'lka-focal', token: 'x'.repeat(16), role: 'editor', parties: ['LKA'] }]),
      SEED: 'none',
    });
    expect(c.PORT).toBe(0);
    expect(c.REMINDER_BEFORE).toEqual(['P7D', 'PT5S']);
    expect(c.REMINDER_ON_DUE).toBe(false);
    expect(c.REMINDER_QUIET_DAYS).toEqual([]);
    expect(c.PUBLIC_BASE_URL).toBe('https://followup.example.org');
    expect(c.API_TOKENS).toEqual([{ name: 'lka-focal', token: 'x'.repeat(16), role: 'editor', parties: ['LKA'] }]);
    expect(c.SEED).toBe('none');
  });

  it('PUBLIC_BASE_URL defaults to localhost on the configured port', () => {
    expect(loadConfig({ PORT: '8080' }).PUBLIC_BASE_URL).toBe('http://localhost:8080');
  });

  it.each<[Record<string, string>, string, RegExp]>([
    [{ PORT: 'abc' }, 'PORT', /port number from 0 to 65535/],
    [{ PORT: '70000' }, 'PORT', /port number from 0 to 65535/],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL', /redis:\/\/ or rediss:\/\//],
    [{ REDIS_PREFIX: 'a b' }, 'REDIS_PREFIX', /letters, digits/],
    [{ SMTP_URL: 'mail.example.org' }, 'SMTP_URL', /smtp:\/\//],
    [{ PUBLIC_BASE_URL: 'mailto:a@example.org' }, 'PUBLIC_BASE_URL', /http\(s\) URL/],
    [{ API_TOKENS: 'not json' }, 'API_TOKENS', /JSON array/],
    [{ API_TOKENS: '[{"name":"a","token":"short","role":"admin"}]' }, 'API_TOKENS', /0\.token: expected at least 16 characters/],
    [{ API_TOKENS: '[{"name":"a","token":"0123456789abcdef","role":"root"}]' }, 'API_TOKENS', /0\.role/],
    [{ ACTION_LINK_SECRET: 'short' }, 'ACTION_LINK_SECRET', /at least 32 characters/],
    [{ SEED: '2010' }, 'SEED', /2009|none/],
    [{ REMINDER_BEFORE: 'P7D,seven days' }, 'REMINDER_BEFORE', /ISO 8601 duration/],
    [{ REMINDER_SEND_AT: '9am' }, 'REMINDER_SEND_AT', /HH:MM/],
    [{ REMINDER_QUIET_DAYS: '7' }, 'REMINDER_QUIET_DAYS', /6/],
    [{ DIGEST_TZ: 'Mars/Olympus' }, 'DIGEST_TZ', /IANA time zone/],
    [{ DIGEST_STEERING_GROUP: 'not-an-address' }, 'DIGEST_STEERING_GROUP', /email/i],
  ])('%j stops with a message naming %s and what it expects', (env, variable, expects) => {
    const err = configError(env);
    expect(err.problems.map((p) => p.variable)).toEqual([variable]);
    expect(err.problems[0]!.message).toMatch(expects);
    expect(err.message).toContain(`${variable}: `);
    expect(err.message).toMatch(/docs\/operating\.md/);
  });

  it('reports every bad variable at once', () => {
    const err = configError({ PORT: 'abc', REDIS_URL: 'nope', SEED: 'x' });
    expect(err.problems.map((p) => p.variable).sort()).toEqual(['PORT', 'REDIS_URL', 'SEED']);
  });

  it('describes every variable, for the configuration table', () => {
    expect(envDescriptions.length).toBeGreaterThan(20);
    for (const d of envDescriptions) expect(d.description, d.name).not.toBe('');
    expect(envDescriptions.map((d) => d.name)).toEqual(expect.arrayContaining(['PORT', 'REDIS_URL', 'REDIS_PREFIX', 'SMTP_URL', 'MAIL_FROM', 'PUBLIC_BASE_URL', 'API_TOKENS', 'ACTION_LINK_SECRET', 'SEED']));
  });

  it('the configuration table in docs/operating.md has a row for every variable, with its description', () => {
    const operating = readFileSync(new URL('../../docs/operating.md', import.meta.url), 'utf8');
    const section = operating.split('\n## Configuration\n')[1]!.split('\n## ')[0]!;
    // Each row is `| NAME | default | description |`, the description being config/env.ts's own.
    for (const { name, description } of envDescriptions) {
      const row = section.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      expect(row!.split(' | ').at(-1), name).toBe(`${description.replaceAll('|', '\\|')} |`);
    }
  });
});
