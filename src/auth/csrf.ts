import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for the web forms. A session (or, before sign-in, a cookie) holds
 * a 256-bit secret; each rendered form carries it masked with fresh random
 * bytes, so the token differs on every page and a compressed response cannot
 * leak the secret (BREACH). No I/O here.
 */
const SECRET_BYTES = 32;

export function newCsrfSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function maskCsrfSecret(secret: string): string {
  const raw = Buffer.from(secret, 'base64url');
  const mask = randomBytes(raw.length);
  const masked = Buffer.alloc(raw.length);
  for (let i = 0; i < raw.length; i++) masked[i] = raw[i]! ^ mask[i]!;
  return Buffer.concat([mask, masked]).toString('base64url');
}

/** True when the submitted token is the secret, masked by any mask. */
export function csrfTokenMatches(token: unknown, secret: string | undefined): boolean {
  if (typeof token !== 'string' || !secret || token.length > 200) return false;
  const raw = Buffer.from(secret, 'base64url');
  const submitted = Buffer.from(token, 'base64url');
  if (raw.length !== SECRET_BYTES || submitted.length !== 2 * SECRET_BYTES) return false;
  const unmasked = Buffer.alloc(SECRET_BYTES);
  for (let i = 0; i < SECRET_BYTES; i++) unmasked[i] = submitted[i]! ^ submitted[SECRET_BYTES + i]!;
  return timingSafeEqual(unmasked, raw);
}
