import type { Knex } from 'knex';
import { findUserByEmail } from './auth.queries.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { hit, resetHits } from '../http/rate-limit.js';

/**
 * Sign-in attempts are limited twice, with counters in PostgreSQL: per account
 * (failures only, so a person locked out is not locked out for ever by others
 * once the window ends) and per client address (every attempt, against
 * guessing across many accounts). An unknown email counts and answers exactly
 * like a known one, so the answers never tell whether an account exists.
 */
export const LOGIN_LIMITS = {
  failuresPerAccount: 5,
  attemptsPerAddress: 30,
  windowSeconds: 15 * 60,
} as const;

export type LoginResult = { outcome: 'signed_in'; userId: number } | { outcome: 'invalid' } | { outcome: 'throttled'; retryInSeconds: number };

let dummyHash: Promise<string> | undefined;

/** A hash to verify against when no user has the email, so that both answers take as long. */
function hashOfNobody(): Promise<string> {
  dummyHash ??= hashPassword('feedlog: no such user, no such password');
  return dummyHash;
}

const accountBucket = (email: string) => `login-account:${email.trim().toLowerCase()}`;

/**
 * The password check of both sign-in and password change. Each attempt takes
 * its place in the account's count before the password is checked, in one
 * upsert: parallel guesses each get a number, and only the first
 * `failuresPerAccount` of a window are ever checked. A right password clears
 * the count, so only failures keep their place.
 */
export async function checkAccountPassword(knex: Knex, email: string, password: string): Promise<LoginResult> {
  const { failuresPerAccount, windowSeconds } = LOGIN_LIMITS;
  const account = await hit(knex, accountBucket(email), windowSeconds);
  if (account.hits > failuresPerAccount) return { outcome: 'throttled', retryInSeconds: account.resetInSeconds };

  const user = await findUserByEmail(knex, email);
  const passwordMatches = await verifyPassword(user?.password_hash ?? (await hashOfNobody()), password);
  if (!user || !passwordMatches || user.disabled_at) return { outcome: 'invalid' };
  await resetHits(knex, accountBucket(email));
  return { outcome: 'signed_in', userId: user.id };
}

/** A password reset ends the lockout whose message sent the person to ask for one. */
export async function liftLockout(knex: Knex, email: string): Promise<void> {
  await resetHits(knex, accountBucket(email));
}

export async function attemptLogin(knex: Knex, input: { email: string; password: string; clientAddress: string }): Promise<LoginResult> {
  const { attemptsPerAddress, windowSeconds } = LOGIN_LIMITS;
  const address = await hit(knex, `login-address:${input.clientAddress}`, windowSeconds);
  if (address.hits > attemptsPerAddress) return { outcome: 'throttled', retryInSeconds: address.resetInSeconds };
  return checkAccountPassword(knex, input.email.trim().toLowerCase(), input.password);
}
