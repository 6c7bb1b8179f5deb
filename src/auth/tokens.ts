import { createHash, randomBytes } from 'node:crypto';

/**
 * Tokens are `fl_<kind>_<org id>_<secret>`: the org id lets a lookup use the
 * (org_id, token_hash) index; the 256-bit secret makes a fast hash (SHA-256)
 * safe to store, unlike a password.
 */
export type TokenKind = 'ing' | 'api';
const TOKEN = /^fl_(ing|api)_(\d{1,15})_([A-Za-z0-9_-]{43})$/;

export function generateToken(kind: TokenKind, scopeId: number): string {
  return `fl_${kind}_${scopeId}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Visible characters of the secret in a hint: enough to tell tokens apart, far too few to guess the rest. */
export const HINT_SECRET_CHARACTERS = 4;

/**
 * The kind, the id and the first characters of the secret, safe to show in
 * lists and the audit log. The secret is base64url, so it may hold `_` itself:
 * the prefix is matched, never found by the last `_`.
 */
export function tokenHint(token: string): string {
  const prefix = /^fl_[a-z]+_\d+_/.exec(token)?.[0] ?? '';
  return `${token.slice(0, prefix.length + HINT_SECRET_CHARACTERS)}…`;
}

export function parseToken(token: string): { kind: TokenKind; scopeId: number } | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  return { kind: match[1] as TokenKind, scopeId: Number(match[2]) };
}
