/**
 * No Docker engine runs in CI, so these checks keep the Dockerfile and
 * docker-compose.yml consistent with the code they run: the variables they set
 * exist in config/env.ts and parse, the commands name real files and roles,
 * and the ports agree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envDescriptions, loadConfig } from '../../config/env.js';

const root = new URL('../../', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, root), 'utf8');
const compose = read('docker-compose.yml');
const dockerfile = read('Dockerfile');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };

/** The `KEY: value` lines of every `environment:` block (value undefined when passed through). */
function composeEnv(): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  let keyIndent = -1;
  for (const line of compose.split('\n')) {
    const block = /^(\s+)environment:/.exec(line);
    if (block) {
      keyIndent = block[1]!.length + 2;
      continue;
    }
    if (keyIndent < 0 || /^\s*(#|$)/.test(line)) continue;
    const indent = /^\s*/.exec(line)![0].length;
    const entry = /^\s+([A-Z][A-Z0-9_]*):\s*(.*)$/.exec(line);
    if (indent === keyIndent && entry) {
      const v = entry[2]!.replace(/^"|"$/g, '').replace(/\$\{\w+:-([^}]*)\}/, '$1');
      env.set(entry[1]!, v === '' ? undefined : v);
    } else if (indent < keyIndent) keyIndent = -1;
  }
  return env;
}

describe('docker-compose.yml and the Dockerfile', () => {
  it('when compose sets a variable, then config/env.ts knows it and accepts the value', () => {
    const env = composeEnv();
    const known = new Set([...envDescriptions.map((d) => d.name), 'HEALTHCHECK_PORT']);
    expect([...env.keys()].filter((k) => !known.has(k))).toEqual([]);
    const given = Object.fromEntries([...env].filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(() => loadConfig(given)).not.toThrow();
    expect(env.get('REDIS_URL')).toBe('redis://redis:6379');
    expect(env.get('SMTP_URL')).toBe('smtp://mailpit:1025');
    expect([...env.keys()]).toEqual(expect.arrayContaining(['PORT', 'SHUTDOWN_TIMEOUT_MS', 'HEALTHCHECK_PORT', 'ACTION_LINK_SECRET']));
  });

  it('when the services start, then they run the compiled entry point in the roles npm start:api and start:workers use', () => {
    expect(existsSync(new URL('src/main.ts', root))).toBe(true);
    // tsconfig.build.json keeps the source layout: src/main.ts compiles to dist/src/main.js.
    const build = read('tsconfig.build.json');
    expect(build).toMatch(/"rootDir": "\."/);
    expect(build).toMatch(/"outDir": "dist"/);
    expect(compose).toContain('command: ["node", "dist/src/main.js", "--role=api"]');
    expect(compose).toContain('command: ["node", "dist/src/main.js", "--role=workers"]');
    expect(pkg.scripts['start:api']).toBe('tsx src/main.ts --role=api');
    expect(pkg.scripts['start:workers']).toBe('tsx src/main.ts --role=workers');
    expect(pkg.scripts['start:dist']).toBe('node dist/src/main.js');
    expect(dockerfile).toContain('CMD ["node", "dist/src/main.js"]');
  });

  it('when the image runs, then its runtime stage has production dependencies only and no tsx or TypeScript', () => {
    const runtime = dockerfile.slice(dockerfile.search(/^FROM .* AS runtime$/m));
    const deps = dockerfile.slice(dockerfile.search(/^FROM .* AS deps$/m), dockerfile.search(/^FROM .* AS build$/m));
    expect(deps).toContain('npm ci --omit=dev');
    expect(runtime).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).not.toMatch(/tsx|\.ts\b|COPY src /);
    const prod = (JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies;
    expect(Object.keys(prod).filter((d) => d === 'tsx' || d === 'typescript' || d.startsWith('@types/'))).toEqual([]);
  });

  it('when Redis is configured, then it has AOF, noeviction, hz 100 and a volume, as a reminder service needs', () => {
    const redis = compose.slice(compose.indexOf('  redis:'), compose.indexOf('  mailpit:'));
    for (const flag of ['--appendonly\n      - "yes"', '--maxmemory-policy\n      - noeviction', '--hz\n      - "100"', 'redis-data:/data']) expect(redis).toContain(flag);
  });

  it('when the stack runs, then api and workers have healthchecks on the ports they serve, restart, and a grace period', () => {
    for (const service of ['api', 'workers']) {
      const block = compose.slice(compose.indexOf(`  ${service}:\n`)).split(/\n {2}\w/)[0]!;
      expect(block).toMatch(/healthcheck:/);
      expect(block).toMatch(/stop_grace_period: \d+s/);
    }
    expect(compose).toMatch(/<<: \*app[\s\S]*restart: unless-stopped|restart: unless-stopped[\s\S]*<<: \*app/);
    expect(compose).toContain("fetch('http://127.0.0.1:3000/healthz')");
    expect(compose).toContain("fetch('http://127.0.0.1:9464/healthz')");
    expect(composeEnv().get('METRICS_PORT')).toBe('9464');
    expect(compose).toMatch(/"127\.0\.0\.1:1025:1025"[\s\S]*"127\.0\.0\.1:8025:8025"/);
  });

  it('when the image is built, then it runs as a non-root user, has a HEALTHCHECK and the CLI on the PATH', () => {
    expect(dockerfile).toMatch(/^FROM .* AS deps$/m);
    expect(dockerfile).toMatch(/^FROM .* AS runtime$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    expect(dockerfile).toContain(`ln -s /app/${pkg.bin.followup} /usr/local/bin/followup`);
    expect(dockerfile).toContain('COPY bin ./bin');
  });
});
