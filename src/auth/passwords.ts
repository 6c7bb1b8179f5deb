import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

export const MIN_PASSWORD_LENGTH = 12;

/** argon2id with the library's defaults (OWASP's minimum: 19 MiB, 2 iterations). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
