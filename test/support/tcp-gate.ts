/**
 * A TCP gate in front of a server (the SMTP sink), to stage an outage on a fixed port:
 * `open()` forwards every connection to the target; `close()` makes it unreachable, either
 * refusing connections (the listener goes away: ECONNREFUSED) or, with 'reset', accepting and
 * dropping them at once (counted, so a test can see how often the workers knocked).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './own-redis.js';

export interface TcpGate {
  port: number;
  url: string;
  /** Where open connections go. */
  target: number | null;
  open(): Promise<void>;
  close(mode?: 'refuse' | 'reset'): Promise<void>;
  /** Connections attempted while closed in 'reset' mode. */
  knocks: number;
  dispose(): Promise<void>;
}

export async function startTcpGate(scheme = 'smtp'): Promise<TcpGate> {
  const port = await freePort();
  let server: Server | null = null;
  let mode: 'open' | 'reset' = 'open';
  const sockets = new Set<Socket>();
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => {});
        if (mode === 'reset' || gate.target === null) {
          gate.knocks++;
          client.destroy();
          return;
        }
        const upstream = connect(gate.target, '127.0.0.1');
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
      server = s;
    });
  const unlisten = async () => {
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  const gate: TcpGate = {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    target: null,
    knocks: 0,
    async open() {
      mode = 'open';
      if (!server) await listen();
    },
    async close(how = 'refuse') {
      if (how === 'reset') {
        mode = 'reset';
        for (const sock of sockets) sock.destroy();
        if (!server) await listen();
      } else {
        await unlisten();
      }
    },
    dispose: unlisten,
  };
  await listen();
  return gate;
}
