/**
 * A Redis server of the test's own, on a free loopback port, as a child process: fault tests stop
 * and restart it without touching the shared Redis. `--save ""` (no RDB snapshots); `aof: true`
 * turns on the append-only file (fsync every second would lose up to a second of writes on a
 * crash; `appendfsync always` is used so that a stop loses no acknowledged write).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  port: number;
  url: string;
  /** Start (or start again, on the same port and data directory). */
  start(): Promise<void>;
  /** Stop it: SIGTERM by default (AOF flushed), SIGKILL to crash it. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stop it for good and remove its data directory. */
  dispose(): Promise<void>;
}

export async function startOwnRedis(opts: { aof?: boolean } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'followup-redis-'));
  let child: ChildProcess | null = null;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no', '--dir', dir, '--logfile', ''];
  if (opts.aof) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--appendonly', 'no');

  const own: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child) return;
      child = spawn('redis-server', args, { stdio: 'ignore' });
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
      probe.on('error', () => {});
      const until = Date.now() + 10_000;
      for (;;) {
        try {
          await probe.connect();
          // Wait until the AOF is loaded.
          while ((await probe.ping()) !== 'PONG');
          break;
        } catch (err) {
          probe.disconnect();
          if (Date.now() > until) throw new Error(`redis-server on port ${port} did not start: ${String(err)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      probe.disconnect();
    },
    async stop(signal = 'SIGTERM') {
      const c = child;
      if (!c) return;
      child = null;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill(signal);
      });
    },
    async dispose() {
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  return own;
}
