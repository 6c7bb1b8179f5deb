import type { RequestHandler } from 'express';
import { HttpError } from '../http/errors.js';

/**
 * A body at least this large as sent (compressed or not) is a large ingest: a
 * 100,000-record run is about 3 MB of gzip and a few hundred MB of memory
 * once parsed, validated, classified and stored. Small runs are never held.
 */
export const LARGE_BODY_BYTES = 1024 * 1024;

/** Seconds a refused engine is told to wait: about the time a large run takes. */
export const RETRY_AFTER_SECONDS = 15;

/**
 * Lets at most `limit` large ingests run at once in this process, so memory
 * stays bounded whatever the number of engines posting; beyond it answers 503
 * with Retry-After before the body is read (Node discards it unbuffered, and
 * engines retry). A body
 * of unknown length (chunked) counts as large. The slot is freed when the
 * response is sent or the connection closes, whichever comes first.
 */
export function ingestGate(limit: number): RequestHandler {
  let running = 0;
  return (req, res, next) => {
    const length = req.get('content-length');
    const large = length === undefined ? req.get('transfer-encoding') !== undefined : Number(length) >= LARGE_BODY_BYTES;
    if (!large) {
      next();
      return;
    }
    if (running >= limit) {
      throw new HttpError(
        503,
        'Service Unavailable',
        `${limit} large run${limit === 1 ? ' is' : 's are'} being ingested already; retry in ${RETRY_AFTER_SECONDS} seconds. Nothing was stored.`,
        undefined,
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    }
    running += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running -= 1;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}
