/**
 * The layering rules, checked on the source text: the store owns every Redis
 * key, BullMQ is a black box, and the adapters (API, CLI, demo, workers)
 * reach the queues only through the use cases.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const code = [...files('src'), ...files('workers'), ...files('jobs'), ...files('config')];
const outsideStore = code.filter((f) => !f.startsWith('src/store/'));

/** Files whose text matches, as paths relative to the root. */
const matching = (list: string[], pattern: RegExp) => list.filter((f) => pattern.test(source(f))).map((f) => relative('.', f));

describe('the store owns every Redis key', () => {
  it('outside src/store, no file sends a Redis command or defines a script', () => {
    const command = /\b(?:redis|conn|data|client)\.(?:h?get|h?set|hgetall|hdel|zadd|zrem|zrange\w*|zscore|zcard|xadd|xrange|xrevrange|xread|sadd|srem|smembers|scan|eval\w*|call|multi|pipeline|del|unlink|exists|lrange|rpush|lpush|defineCommand)\(/;
    expect(matching(outsideStore, command)).toEqual([]);
    expect(matching(outsideStore, /redis\.call\(/)).toEqual([]);
  });

  it('only the store, the composition root and the BullMQ prefix read the key map', () => {
    expect(matching(outsideStore, /store\/keys\.js'/).sort()).toEqual(['jobs/queues.ts', 'src/app/services.ts']);
  });

  it('the key map has no escape hatch for building other keys', () => {
    expect(source('src/store/keys.ts')).not.toMatch(/\bns\s*[:(]/);
  });
});

describe('BullMQ is a black box', () => {
  it('nothing reads BullMQ\'s internal keys or decodes a delayed score', () => {
    expect(matching(code, /\.keys\.(?:delayed|wait|active|prioritized|completed|failed|meta|id)\b|\/\s*4096\b|\bbull:/)).toEqual([]);
  });
});

describe('the adapters go through the use cases', () => {
  const adapters = [...files('src/api'), 'src/cli.ts', ...files('src/demo'), ...files('workers')];
  it('no route, CLI command, demo step or worker calls the scheduler or the reconcile enqueue directly', () => {
    expect(matching(adapters, /\bscheduler\.\w+\(|enqueueReconcile|jobs\/scheduler\.js|createBullScheduler/)).toEqual([]);
  });
  it('no adapter writes a commitment through the store', () => {
    expect(matching(adapters, /commitments?(?:Store)?\.(?:mutate|create)\(/)).toEqual([]);
  });
});

describe('dependencies point down', () => {
  /** The relative imports of a file, as paths from the root. */
  const importsOf = (file: string) =>
    [...source(file).matchAll(/^import[^'"]*['"](\.[^'"]+)['"]/gm)].map((m) => relative(ROOT, join(ROOT, file, '..', m[1]!)).replace(/\.js$/, '.ts'));
  const offenders = (dir: string, allowed: (target: string) => boolean) =>
    files(dir).flatMap((f) => importsOf(f).filter((t) => !allowed(t)).map((t) => `${f} → ${t}`));

  it('the check reads real imports', () => {
    expect(importsOf('src/app/services.ts')).toContain('src/store/keys.ts');
    expect(importsOf('workers/index.ts')).toContain('src/app/services.ts');
  });
  it('the domain imports nothing of ours outside itself', () => {
    expect(offenders('src/domain', (t) => t.startsWith('src/domain/'))).toEqual([]);
  });
  it('the store knows only the domain (and the Redis client factory)', () => {
    expect(offenders('src/store', (t) => t.startsWith('src/store/') || t.startsWith('src/domain/') || t === 'src/redis.ts')).toEqual([]);
  });
  it('the use cases never import an adapter (routes, workers, entry points)', () => {
    expect(offenders('src/app', (t) => !t.startsWith('src/api/') && !t.startsWith('workers/') && !['src/main.ts', 'src/cli.ts'].includes(t) && !t.startsWith('src/demo/'))).toEqual([]);
  });
  it('routes and workers never import each other', () => {
    expect(offenders('src/api', (t) => !t.startsWith('workers/'))).toEqual([]);
    expect(offenders('workers', (t) => !t.startsWith('src/api/'))).toEqual([]);
  });
});
