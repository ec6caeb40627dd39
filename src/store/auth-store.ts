/**
 * API tokens and generated secrets on Redis.
 *
 * Only SHA-256 hashes of tokens are stored. Operator tokens from API_TOKENS
 * are compared in constant time; a generated admin token is looked up by its
 * hash, which reveals nothing about the token itself.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Principal, TokenSpec } from '../domain/auth.js';
import type { Keys } from './keys.js';

// One-shot hashing: no Hash object per call (every API request hashes its bearer token).
const sha256 = (s: string): Buffer => hash('sha256', s, 'buffer');

export interface Authenticator {
  authenticate(token: string): Promise<Principal | null>;
  /**
   * `authenticate` without a promise when the answer needs no Redis (operator-configured
   * tokens): the principal or null; undefined when the token must be looked up in the store.
   */
  authenticateConfigured?(token: string): Principal | null | undefined;
  /**
   * The principal of the token whose reference (`tokenRef`) this is, while that token is
   * still configured or stored; null once it is gone. Lets a session check its token on each use.
   */
  byRef(ref: string): Promise<Principal | null>;
}

/** A token's reference: its SHA-256 in hex, which is what the store keeps, never the token. */
export const tokenRef = (token: string): string => sha256(token).toString('hex');

/** Authenticate against operator-configured tokens, or else the generated ones kept in Redis. */
export function createAuthenticator(redis: Redis, keys: Keys, specs: readonly TokenSpec[] | undefined): Authenticator {
  const configured = (specs ?? []).map((s) => ({
    hash: sha256(s.token),
    principal: { name: s.name, role: s.role, ...(s.role === 'editor' ? { parties: s.parties ?? [] } : {}) } satisfies Principal,
  }));
  const fromConfigured = (hash: Buffer): Principal | null => {
    let found: Principal | null = null;
    // Compare against every entry, without stopping early, so timing says nothing.
    for (const c of configured) if (timingSafeEqual(c.hash, hash)) found = c.principal;
    return found;
  };
  return {
    authenticateConfigured(token) {
      return configured.length > 0 ? fromConfigured(sha256(token)) : undefined;
    },
    async authenticate(token) {
      const hash = sha256(token);
      if (configured.length > 0) return fromConfigured(hash);
      const stored = await redis.hget(keys.tokens, hash.toString('hex'));
      return stored ? (JSON.parse(stored) as Principal) : null;
    },
    async byRef(ref) {
      if (!/^[0-9a-f]{64}$/.test(ref)) return null;
      const hash = Buffer.from(ref, 'hex');
      if (configured.length > 0) {
        let found: Principal | null = null;
        for (const c of configured) if (timingSafeEqual(c.hash, hash)) found = c.principal;
        return found;
      }
      const stored = await redis.hget(keys.tokens, ref);
      return stored ? (JSON.parse(stored) as Principal) : null;
    },
  };
}

/**
 * At first start without API_TOKENS, generate an admin token. Returns the token
 * only to the one process that created it (so it is printed once), else null.
 */
export async function ensureGeneratedAdminToken(redis: Redis, keys: Keys): Promise<string | null> {
  const token = `fu_${randomBytes(24).toString('base64url')}`;
  const principal: Principal = { name: 'generated-admin', role: 'admin' };
  const created = await redis.hsetnx(keys.tokens, '__admin', sha256(token).toString('hex'));
  if (!created) return null;
  await redis.hset(keys.tokens, sha256(token).toString('hex'), JSON.stringify(principal));
  return token;
}

/** A secret shared by every process: the configured one, or one generated once and kept in Redis. */
export async function sharedSecret(redis: Redis, keys: Keys, name: string, configured?: string): Promise<string> {
  if (configured) return configured;
  await redis.set(keys.secret(name), randomBytes(32).toString('base64url'), 'NX');
  return (await redis.get(keys.secret(name)))!;
}
