/**
 * What the HTTP benchmarks share: a store filled with commitments shaped
 * like the seed's, and servers run in child processes of their own (so each
 * side's CPU time is its own), started, asked for their CPU and stopped over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import type { z } from 'zod';
import { loadConfig } from '../config/env.js';
import { createServices } from '../src/app/services.js';
import { systemClock } from '../src/domain/clock.js';
import { createCommitment, type CommitmentInputSchema } from '../src/domain/commitment.js';
import type { Due } from '../src/domain/deadline.js';
import { MeetingFileSchema } from '../src/domain/meeting.js';

/**
 * Store the seed's meeting and parties and `n` commitments `c-0` … `c-<n-1>` under `prefix`,
 * with leads and members spread over the parties and the deadline `dueOf(i)`.
 */
export async function populate(redis: Redis, prefix: string, n: number, opts: { at: Date; dueOf: (i: number) => Due; sourceText: (i: number) => string }): Promise<void> {
  const services = createServices(loadConfig({ REDIS_PREFIX: prefix, NODE_ENV: 'production' }), { redis }, { clock: systemClock, logger: pino({ level: 'silent' }) });
  const file = MeetingFileSchema.parse(JSON.parse(readFileSync(new URL('../config/seed/ahg-som-2009.json', import.meta.url), 'utf8')));
  await services.meetings.create(file.meeting);
  for (const p of file.parties) await services.parties.create(p);
  const ids = file.parties.map((p) => p.id);
  const writes = Array.from({ length: n }, (_, i) =>
    createCommitment(
      {
        meetingId: file.meeting.id,
        id: `c-${i}`,
        title: `Commitment ${i}: technical meeting on topic ${i % 97} with the focal points`,
        sourceText: opts.sourceText(i),
        theme: null,
        leads: [ids[i % ids.length]!, ids[(i * 7 + 3) % ids.length]!].filter((x, j, a) => a.indexOf(x) === j),
        members: [ids[(i * 3 + 1) % ids.length]!],
        due: opts.dueOf(i),
        reminderPolicy: null,
      } as z.output<typeof CommitmentInputSchema>,
      'bench',
      opts.at,
    ),
  );
  for (let i = 0; i < writes.length; i += 200) await Promise.all(writes.slice(i, i + 200).map((w) => services.commitmentStore.create(w)));
  await services.close();
}

/** The environment of our server in a benchmark: production settings, JSON logs at info, an API on a free port, no seed. */
export const productionEnv = (redisUrl: string, prefix: string): Record<string, string> => ({
  REDIS_URL: redisUrl,
  REDIS_PREFIX: prefix,
  PORT: '0',
  HOST: '127.0.0.1',
  NODE_ENV: 'production',
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'json',
  SEED: 'none',
});

/** Run this benchmark file again as a server child (`--serve=<side> --prefix=<prefix>`); resolves with the URL it listens on. */
export function startChild(file: string, side: string, prefix: string, execArgv: string[] = []): Promise<{ proc: ChildProcess; url: string }> {
  const proc = fork(file, [`--serve=${side}`, `--prefix=${prefix}`], {
    execArgv: ['--import', 'tsx', ...execArgv],
    // Our logs go where production's would, to a file descriptor: here /dev/null.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (msg) => resolve({ proc, url: (msg as { url: string }).url }));
    proc.once('exit', (code) => reject(new Error(`${side} server exited with ${code}`)));
  });
}

/** In the child: serve, tell the parent the URL, answer 'cpu' with the CPU time used so far, stop on 'stop'. */
export async function serveInChild(serve: () => Promise<{ url: string; stop: () => Promise<void> }>): Promise<void> {
  const { url, stop } = await serve();
  process.on('message', (msg) => {
    if (msg === 'stop') void stop().finally(() => process.exit(0));
    if (msg === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ cpuMs: (u.user + u.system) / 1000 });
    }
  });
  process.send!({ url });
}

/** CPU time the child has used so far, in ms. */
export function cpuOf(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const on = (msg: unknown) => {
      if (typeof msg === 'object' && msg !== null && 'cpuMs' in msg) {
        proc.off('message', on);
        resolve((msg as { cpuMs: number }).cpuMs);
      }
    };
    proc.on('message', on);
    proc.send('cpu');
  });
}

export function stopChild(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    const kill = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.send('stop');
  });
}
