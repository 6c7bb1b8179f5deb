import type { Request } from 'express';
import { z } from 'zod';
import { HttpError, notFound } from './errors.js';
import { problemsOf } from './zod-problems.js';

function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const errors = problemsOf(parsed.error);
    throw new HttpError(400, 'Bad Request', `Invalid ${what}${errors.length === 1 ? '' : 's'}.`, errors);
  }
  return parsed.data;
}

/** Validates a request's query string; a bad parameter is a 400 problem naming it. */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  return parseOrThrow(schema, req.query, 'query parameter');
}

/**
 * Validates a page's query string. A filter form sends each of its fields, the
 * empty ones too (the select's "all", a blank search): empty means no filter.
 */
export function parsePageQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const given = Object.fromEntries(Object.entries(req.query).filter(([, value]) => value !== ''));
  return parseOrThrow(schema, given, 'query parameter');
}

/** Validates a JSON request body; a bad or missing field is a 400 problem naming it. */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  return parseOrThrow(schema, req.body ?? {}, 'body field');
}

export const idParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** An id from the path; anything that is not one names no object, so it is a 404 like an unknown id. */
export function pathId(raw: unknown, what: string): number {
  const id = idParam.safeParse(raw);
  if (!id.success) throw notFound(`No ${what} ${String(raw)}.`);
  return id.data;
}

/**
 * Free text of a filter. PostgreSQL's text cannot hold U+0000: a NUL would fail
 * the query (a 500), so it is refused here, naming the parameter.
 */
export const filterText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((text) => !text.includes('\0'), 'must not contain the NUL character (U+0000)');

export const timestampParam = z.iso.datetime({ offset: true, message: 'expected an RFC 3339 timestamp' }).transform((value) => new Date(value));

/** `limit` (1..1000, default 50) and an opaque `cursor`, as api.md says. */
export const pageSchema = {
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(500).optional(),
};

/** Cursors are the sort key of the last item, base64url-encoded JSON: opaque to callers, stable for us. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

// A cursor comes back from the caller, so it is input: each part is checked for
// what the keyset query compares it with, or PostgreSQL fails on it (a 500).
export const cursorParts = {
  /**
   * A timestamptz exactly as toISOString() wrote it (UTC, milliseconds). Any other
   * RFC 3339 form was not given out by us, and some are refused by PostgreSQL
   * (offsets beyond ±15:59, year 0000): a 400, never a 500.
   */
  time: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    .refine((text) => !text.startsWith('0000') && !Number.isNaN(Date.parse(text)) && new Date(text).toISOString() === text, 'not a time we gave out'),
  /** A bigint identity column. */
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** A record's position in its run: an `integer` column, from 0. */
  index: z.number().int().min(0).max(2_147_483_647),
};

/** The shape of a list's cursor, part by part. */
export const cursorSchema = <const Parts extends [z.ZodType, ...z.ZodType[]]>(...parts: Parts) => z.tuple(parts);

/** Sync runs (started_at, id) and error groups (last_seen_started_at, id). */
export const timeIdCursor = cursorSchema(cursorParts.time, cursorParts.id);
/** Feed-log records: (started_at, sync_run_id, index). */
export const recordCursor = cursorSchema(cursorParts.time, cursorParts.id, cursorParts.index);

/** The key a cursor holds, if it has `schema`'s shape; anything else is a 400 naming the parameter (`cursor` unless said). */
export function decodeCursor<S extends z.ZodType>(cursor: string | undefined, schema: S, parameter = 'cursor'): z.infer<S> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined; // not JSON: the check below refuses it
  }
  const parsed = schema.safeParse(key);
  if (parsed.success) return parsed.data;
  throw new HttpError(400, 'Bad Request', 'The cursor is not one this API gave out: pass next_cursor back unchanged.', [
    { path: parameter, message: 'invalid cursor' },
  ]);
}

/** `{ items, next_cursor }` from rows fetched with limit + 1. */
export function page<Row, Item>(rows: Row[], limit: number, keyOf: (row: Row) => unknown[], toItem: (row: Row) => Item) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(toItem), next_cursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
