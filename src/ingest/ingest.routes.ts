import express, { Router, type RequestHandler } from 'express';
import type { Knex } from 'knex';
import { config } from '../config.js';
import { HttpError } from '../http/errors.js';
import { rateLimit } from '../http/rate-limit.js';
import { requireBearer } from '../auth/bearer.js';
import { checkAndHash, rejectInvalidUtf8 } from './body.js';
import { collectGarbage, LARGE_RUN_RECORDS } from './heap.js';
import { ingestGate } from './ingest-gate.js';
import { ingestRun } from './ingest.service.js';
import { validateRun } from './validate-run.js';

const JSON_TYPES = ['application/json', 'application/*+json'];

const requireJson: RequestHandler = (req, _res, next) => {
  const type = req.is(JSON_TYPES);
  // No body at all (req.is says null) or a zero Content-Length (curl posting an
  // empty file): its type is beside the point, and express.json would turn the
  // second into {}, answered with a list of missing fields.
  if (type === null || req.get('content-length') === '0') {
    throw new HttpError(400, 'Bad Request', 'The body is empty: send the run as JSON with Content-Type: application/json.', [
      { path: '', message: 'empty body' },
    ]);
  }
  if (!type) {
    throw new HttpError(415, 'Unsupported Media Type', `Send the run as Content-Type: application/json (got ${req.get('content-type') ?? 'none'}).`);
  }
  next();
};

const invalid = (detail: string, errors: { path: string; message: string }[]) => new HttpError(400, 'Bad Request', detail, errors);

export interface IngestLimits {
  bodyLimit: number;
  maxRecords: number;
  /** Posts per token per minute. */
  perMinute: number;
  /** Large ingests at once in this process. */
  concurrency: number;
}

export function ingestRoutes(knex: Knex, overrides: Partial<IngestLimits> = {}): Router {
  const { ingestBodyLimit: bodyLimit, ingestMaxRecords: maxRecords, ingestRateLimitPerMinute: perMinute, ingestConcurrency: concurrency } = config();
  const limits: IngestLimits = { bodyLimit, maxRecords, perMinute, concurrency, ...overrides };
  const router = Router();
  const perToken = rateLimit(knex, {
    name: 'ingest',
    limit: limits.perMinute,
    windowSeconds: 60,
    keyOf: (req) => (req.ingestCaller ? `${req.ingestCaller.orgId}:${req.ingestCaller.tokenId}` : undefined),
  });

  router.post(
    '/api/v1/sync-runs',
    requireBearer(knex, 'ing'),
    perToken,
    ingestGate(limits.concurrency),
    requireJson,
    express.json({ limit: limits.bodyLimit, inflate: true, strict: false, type: JSON_TYPES, verify: rejectInvalidUtf8 }),
    async (req, res) => {
      const body: unknown = req.body;
      const records = (body as { records?: unknown } | null)?.records;
      if (Array.isArray(records) && records.length > limits.maxRecords) {
        throw new HttpError(
          413,
          'Content Too Large',
          `A run may carry at most ${limits.maxRecords} records; this one has ${records.length}. Split it into several runs.`,
        );
      }
      // Checked and hashed in one pass (body.ts): the hash is kept only for a valid run.
      const bodySha256 = checkAndHash(body);
      // The body itself, not a validated copy of it (validate-run.ts says why; a copy would also drop `__proto__` keys).
      const validated = validateRun(body);
      if (!validated.success) {
        const { errors } = validated;
        throw invalid(`The run is invalid (${errors.length} problem${errors.length === 1 ? '' : 's'}); nothing was stored.`, errors);
      }
      // A large run's body text and bytes are garbage now, and so is all it leaves once answered: see heap.ts.
      const large = validated.run.records.length >= LARGE_RUN_RECORDS;
      if (large) {
        res.once('finish', () => void collectGarbage());
        await collectGarbage();
      }
      const { created, summary } = await ingestRun(knex, req.ingestCaller!, validated.run, bodySha256);
      res.status(created ? 201 : 200).json(summary);
    },
  );
  return router;
}
