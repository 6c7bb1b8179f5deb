import type { Request, RequestHandler } from 'express';
import type { Knex } from 'knex';
import { HttpError } from './errors.js';
import { addHit, deleteBucket, deleteWindowsBefore } from './rate-limit.queries.js';

export interface RateLimit {
  /** Names the counter, e.g. "ingest". */
  name: string;
  limit: number;
  windowSeconds: number;
  /** Whose requests count together (a token, a client address); undefined skips the limit. */
  keyOf(req: Request): string | undefined;
}

/** Deletes the ended windows of this limiter (the part of the bucket before ':'), never a window still open. */
async function sweepEndedWindows(knex: Knex, bucket: string, windowSeconds: number, now: number): Promise<void> {
  await deleteWindowsBefore(knex, bucket.slice(0, bucket.indexOf(':') + 1), new Date(now - windowSeconds * 1000));
}

function windowOf(windowSeconds: number, now = Date.now()) {
  const windowStart = new Date(Math.floor(now / (windowSeconds * 1000)) * windowSeconds * 1000);
  return { now, windowStart, resetInSeconds: Math.max(1, Math.ceil((windowStart.getTime() + windowSeconds * 1000 - now) / 1000)) };
}

/**
 * Counts hits in fixed windows in PostgreSQL, so that every app process shares
 * one count. One upsert per request; old windows are swept now and then.
 */
export async function hit(knex: Knex, bucket: string, windowSeconds: number): Promise<{ hits: number; resetInSeconds: number }> {
  const { now, windowStart, resetInSeconds } = windowOf(windowSeconds);
  const hits = await addHit(knex, bucket, windowStart);
  if (Math.random() < 0.01) await sweepEndedWindows(knex, bucket, windowSeconds, now);
  return { hits, resetInSeconds };
}

/** Forgets a bucket's count (a successful sign-in clears its failures). */
export async function resetHits(knex: Knex, bucket: string): Promise<void> {
  await deleteBucket(knex, bucket);
}

export function rateLimit(knex: Knex, options: RateLimit): RequestHandler {
  return async (req, res, next) => {
    const key = options.keyOf(req);
    if (key === undefined) return next();
    const { hits, resetInSeconds } = await hit(knex, `${options.name}:${key}`, options.windowSeconds);
    res.setHeader('RateLimit-Limit', String(options.limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, options.limit - hits)));
    if (hits > options.limit) {
      throw new HttpError(
        429,
        'Too Many Requests',
        `More than ${options.limit} requests in ${options.windowSeconds} s. Retry in ${resetInSeconds} s.`,
        undefined,
        {
          'Retry-After': String(resetInSeconds),
        },
      );
    }
    next();
  };
}
