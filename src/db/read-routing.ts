import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { logger } from '../logger.js';
import { isDatabaseUnavailable } from './database.js';

/**
 * Reads of the dashboard and the JSON API go to a streaming replica
 * (DATABASE_READ_URL) while every write goes to the primary. The choice is made
 * once per request, here, and handed down as `req.reader`; handlers read through
 * `req.reader` and write through the primary `knex` they were built with, so a
 * handler never picks a pool itself:
 *
 * - GET and HEAD read the replica, unless this client wrote something the replica
 *   has not replayed yet (read-your-writes, below) or the replica is down;
 * - every other method reads the primary too (a form post that reads before it
 *   writes sees the truth).
 *
 * Read-your-writes: a request that may have written (any method but GET and HEAD,
 * answered below 400) leaves the primary's WAL position at that moment,
 * `pg_current_wal_lsn()`, in a short-lived cookie. A later GET carrying it reads
 * the replica only once the replica's `pg_last_wal_replay_lsn()` has reached that
 * position, else the primary; once reached, the cookie is dropped. So the page a
 * form redirects to always shows the form's change, and nobody else's reads wait.
 * The WAL position is exact where a time window is a guess: it never sends a read
 * to the primary longer than the replica actually lags (usually milliseconds),
 * and it is never too short under a lag spike. The cookie is not signed: it only
 * moves its bearer's own reads between two copies of the same data (a forged
 * value gives no access, at most primary reads), and it expires after
 * `WAL_COOKIE_SECONDS` in any case.
 *
 * When the replica cannot be reached, reads fall back to the primary (logged
 * once per outage) and the replica is asked again a few seconds later; a read
 * that fails because the replica went away under it is answered again from the
 * primary (`replicaFailover`), never with an error.
 */

declare module 'express-serve-static-core' {
  interface Request {
    /** The pool this request reads from: the replica, or the primary (see src/db/read-routing.ts). */
    reader: Knex;
    /** True when `reader` is the replica. */
    readsReplica?: boolean;
    /** Set when a read that failed on the replica is being answered again from the primary. */
    replicaRetried?: boolean;
  }
}

export const WAL_COOKIE = 'feedlog_wal';
/** The read-your-writes cookie lives this long at most; a replica lagging longer than this has bigger problems. */
export const WAL_COOKIE_SECONDS = 300;
/** A replica position older than this is asked again before it decides a read. */
const POSITION_FRESH_MS = 1_000;
/** After the replica failed, the primary serves reads this long before the replica is tried again. */
const RETRY_AFTER_DOWN_MS = 5_000;

/** A WAL position, `16/B374D848`, as a number that orders like it. */
export function parseLsn(value: string | null | undefined): bigint | undefined {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(value ?? '');
  return match ? (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`) : undefined;
}

/**
 * Where the reader stands: the WAL position a replica has replayed, or, on a
 * server that is not in recovery (a read-only role on the primary itself, or a
 * promoted replica), its current position: it has everything.
 */
export async function readerPosition(reader: Knex): Promise<bigint | undefined> {
  const result = await reader.raw('SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn');
  return parseLsn((result.rows as { lsn: string | null }[])[0]?.lsn);
}

/** The primary's WAL position now: everything committed so far lies before it. */
export async function primaryPosition(primary: Knex): Promise<string> {
  const result = await primary.raw('SELECT pg_current_wal_lsn()::text AS lsn');
  return (result.rows as { lsn: string }[])[0]!.lsn;
}

export interface ReadRoutingOptions {
  primary: Knex;
  /** The replica's pool; without one every read goes to the primary and nothing here costs a query. */
  replica?: Knex;
  /** How the replica's position is read (a test can stand in a lagging replica); `readerPosition` by default. */
  position?: (replica: Knex) => Promise<bigint | undefined>;
  now?: () => number;
  /** Told which pool each GET reads from, and why (for /metrics). */
  counted?: (pool: 'replica' | 'primary_own_writes' | 'primary_replica_down' | 'primary_failover') => void;
}

export interface ReadRouting {
  primary: Knex;
  replica: Knex | undefined;
  /** Sets `req.reader` (and arranges the read-your-writes cookie); mount before every route. */
  choose: RequestHandler;
  /** An error handler: a GET whose replica read failed for want of the replica is answered again from the primary. */
  failover(retry: (req: Request, res: Response) => void): ErrorRequestHandler;
  /** What the last look at the replica found (for /metrics). */
  state(): { up: boolean; position: bigint | undefined; checkedAt: number };
}

function cookieLsn(req: Request): { raw: string; lsn: bigint } | undefined {
  // The API does not parse cookies (it never authenticates with them): read the one header here.
  const header = req.headers.cookie;
  if (!header?.includes(WAL_COOKIE)) return undefined;
  const match = new RegExp(`(?:^|;\\s*)${WAL_COOKIE}=([0-9A-Fa-f]{1,8}%2F[0-9A-Fa-f]{1,8}|[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8})(?:;|$)`).exec(header);
  if (!match) return undefined;
  const raw = decodeURIComponent(match[1]!);
  const lsn = parseLsn(raw);
  return lsn === undefined ? undefined : { raw, lsn };
}

function walCookie(req: Request, value: string, maxAgeSeconds: number): string {
  const secure = req.secure || req.protocol === 'https' ? '; Secure' : '';
  return `${WAL_COOKIE}=${encodeURIComponent(value)}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; SameSite=Lax${secure}`;
}

/** Adds a Set-Cookie line without dropping the ones already set (the session's, CSRF's). */
function appendCookie(res: Response, cookie: string): void {
  const existing = res.getHeader('Set-Cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('Set-Cookie', [...list.filter((line) => !line.startsWith(`${WAL_COOKIE}=`)), cookie]);
}

const READS = new Set(['GET', 'HEAD']);

/**
 * A hot standby cancels a query that holds back the replay of WAL (a vacuumed
 * row it still reads) after max_standby_streaming_delay: SQLSTATE 40001,
 * "canceling statement due to conflict with recovery". The primary can answer it.
 */
export function isRecoveryConflict(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return code === '40001' && /conflict with recovery/i.test(message ?? '');
}

export function readRouting({ primary, replica, position = readerPosition, now = Date.now, counted = () => {} }: ReadRoutingOptions): ReadRouting {
  let up = true;
  let known: bigint | undefined;
  let checkedAt = 0;
  let downSince: number | undefined;
  let asking: Promise<void> | undefined;

  const markDown = (error: unknown) => {
    if (up) logger().warn({ err: error }, 'the read replica is unreachable: reads go to the primary until it answers again');
    up = false;
    downSince = now();
    checkedAt = now();
  };

  /** Asks the replica where it stands; concurrent requests share one question. */
  const ask = (): Promise<void> => {
    asking ??= position(replica!)
      .then((lsn) => {
        if (!up) logger().info('the read replica answers again: reads go to it');
        up = true;
        downSince = undefined;
        known = lsn;
        checkedAt = now();
      })
      .catch(markDown)
      .finally(() => {
        asking = undefined;
      });
    return asking;
  };

  /**
   * True when the replica is up and, if `needed` is given, has replayed at least that far.
   * Only a read that must see a write waits for the replica's answer; the others decide on
   * what is known and refresh it in the background (a read that then fails on a replica
   * gone meanwhile is answered again from the primary), so a slow or dead replica never
   * holds up a page.
   */
  const replicaServes = async (needed: bigint | undefined): Promise<boolean> => {
    const age = now() - checkedAt;
    if (!up) {
      if (downSince === undefined || now() - downSince >= RETRY_AFTER_DOWN_MS) void ask();
      return false;
    }
    if (needed !== undefined && (known === undefined || known < needed)) await ask();
    else if (age > POSITION_FRESH_MS) void ask();
    if (!up) return false;
    return needed === undefined || (known !== undefined && known >= needed);
  };

  /** After a request that may have written, the primary's position goes into the cookie, before the answer leaves. */
  const rememberWrites = (req: Request, res: Response) => {
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    (res as unknown as { end: (...args: unknown[]) => Response }).end = (...args: unknown[]) => {
      if (res.headersSent || res.statusCode >= 400) return end(...args);
      primaryPosition(primary)
        .then((lsn) => appendCookie(res, walCookie(req, lsn, WAL_COOKIE_SECONDS)))
        .catch((error: unknown) => logger().warn({ err: error }, 'could not read the primary WAL position for read-your-writes'))
        .finally(() => end(...args));
      return res;
    };
  };

  const choose: RequestHandler = async (req, res, next) => {
    req.reader = primary;
    req.readsReplica = false;
    if (!replica) return next();
    if (!READS.has(req.method)) {
      rememberWrites(req, res);
      return next();
    }
    if (req.replicaRetried) {
      counted('primary_failover');
      return next();
    }
    const written = cookieLsn(req);
    if (await replicaServes(written?.lsn)) {
      req.reader = replica;
      req.readsReplica = true;
      counted('replica');
      // Caught up with this client's writes: its later reads need no check.
      if (written) appendCookie(res, walCookie(req, '', 0));
    } else {
      counted(up ? 'primary_own_writes' : 'primary_replica_down');
    }
    next();
  };

  const failover =
    (retry: (req: Request, res: Response) => void): ErrorRequestHandler =>
    (error, req, res, next) => {
      if (!req.readsReplica || req.replicaRetried || res.headersSent) return next(error);
      const unavailable = isDatabaseUnavailable(error);
      if (!unavailable && !isRecoveryConflict(error)) return next(error);
      // A replica that went away is asked again later; one that cancelled a read to replay WAL is still fine.
      if (unavailable) markDown(error);
      req.replicaRetried = true;
      logger().warn({ method: req.method, url: req.originalUrl, err: error }, 'a read failed on the replica: answering it from the primary');
      retry(req, res);
    };

  return { primary, replica, choose, failover, state: () => ({ up, position: known, checkedAt }) };
}
