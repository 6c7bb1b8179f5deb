import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { logger } from '../logger.js';

/** A URL as logged: an unsubscribe link's token works without signing in, so it never reaches the logs. */
export function loggedUrl(url: string): string {
  return url.replace(/^\/unsubscribe\/[^/?#]+/, '/unsubscribe/[redacted]');
}

/** One structured log line per request, with a request id that is also returned to the caller. */
export const requestLog: RequestHandler = (req, res, next) => {
  const requestId = req.get('x-request-id')?.slice(0, 100) || randomUUID();
  res.setHeader('X-Request-Id', requestId);
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    const level = res.statusCode >= 500 ? 'error' : 'info';
    logger()[level]({ requestId, method: req.method, url: loggedUrl(req.originalUrl), status: res.statusCode, durationMs: Math.round(durationMs) }, 'request');
  });
  next();
};
