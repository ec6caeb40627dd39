/**
 * The store's Lua scripts, loaded from `lua/*.lua`.
 *
 * One file per command. A name ending in `-N` takes N keys; the others take a
 * variable number, passed as the first argument. A line `--@include "name"`
 * is replaced by `lua/includes/name.lua`, so a shared piece (appending an
 * event) is written once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const DIR = new URL('./lua/', import.meta.url);

function withIncludes(source: string, seen = new Set<string>()): string {
  return source.replace(/^--@include "([\w-]+)"$/gm, (_line, name: string) => {
    if (seen.has(name)) return '';
    seen.add(name);
    return withIncludes(readFileSync(new URL(`includes/${name}.lua`, DIR), 'utf8'), seen);
  });
}

interface Script {
  lua: string;
  numberOfKeys?: number;
}

/** Every script by name (the file name without `-N.lua`), read once. */
const scripts: ReadonlyMap<string, Script> = new Map(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.lua'))
    .map((file) => {
      const m = /^([\w]+?)(?:-(\d+))?\.lua$/.exec(file);
      if (!m) throw new Error(`unexpected script file name ${file}`);
      const lua = withIncludes(readFileSync(new URL(file, DIR), 'utf8'));
      return [m[1]!, m[2] === undefined ? { lua } : { lua, numberOfKeys: Number(m[2]) }] as const;
    }),
);

type Arg = string | number;

export interface ScriptedRedis extends Redis {
  /** KEYS count first, then keys and arguments (see writeCommitment.lua). */
  writeCommitment(...args: Arg[]): Promise<[string, number]>;
  appendEvents(...args: Arg[]): Promise<number>;
  appendEventsOnce(...args: Arg[]): Promise<'missing' | 'changed' | 'already' | 'ok'>;
  recordDelivery(...args: Arg[]): Promise<number>;
  /** KEYS count first (see indexLedgerByParty.lua). */
  indexLedgerByParty(...args: Arg[]): Promise<number>;
  /** KEYS count first (see readEntries.lua). */
  readEntries(...args: Arg[]): Promise<string[][]>;
  compareAndSet(...args: Arg[]): Promise<number>;
  delIfEquals(...args: Arg[]): Promise<number>;
  zremIfAtMost(...args: Arg[]): Promise<number>;
  slotAdd(...args: Arg[]): Promise<number>;
  slotClose(...args: Arg[]): Promise<number>;
  deleteMeetingIfUnused(...args: Arg[]): Promise<'missing' | 'tied' | 'owned' | 'ok'>;
}

/** Define every script on a client (idempotent) and return it typed. */
export function withScripts(redis: Redis): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof r.writeCommitment !== 'function') {
    for (const [name, script] of scripts) redis.defineCommand(name, script);
  }
  return r;
}

/** The script names, for tests. */
export const scriptNames = (): string[] => [...scripts.keys()].sort();
