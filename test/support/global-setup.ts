/**
 * Give every test a real Redis: REDIS_URL when it is set (CI and this machine),
 * otherwise a throwaway testcontainers Redis (a laptop with Docker).
 */
import type { TestProject } from 'vitest/node';

let stopContainer: (() => Promise<unknown>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL;
  if (!url) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start().catch((err: unknown) => {
      throw new Error(
        'REDIS_URL is not set and testcontainers could not start a Redis container ' +
          `(${err instanceof Error ? err.message : String(err)}).\n` +
          'Run the tests against a local Redis instead: REDIS_URL=redis://127.0.0.1:6379 npm test',
      );
    });
    url = container.getConnectionUrl();
    stopContainer = () => container.stop();
  }
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  await stopContainer?.();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
