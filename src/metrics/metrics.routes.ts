import { timingSafeEqual, createHash } from 'node:crypto';
import { Router } from 'express';
import type { Knex } from 'knex';
import { HttpError, notFound } from '../http/errors.js';
import { noStore } from '../http/no-store.js';
import { poolGauges, registry } from './metrics.js';
import { CONTENT_TYPE, Gauge } from './registry.js';

/** Compares in constant time whatever the lengths (both sides hashed to 32 bytes first). */
export function tokenMatches(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export interface MetricsSources {
  /** METRICS_TOKEN; without one the route does not exist (404). */
  token: string | undefined;
  pools: { primary: Knex; reader?: Knex };
  /** Whether the read replica answered when last asked (absent without DATABASE_READ_URL). */
  replicaUp?: () => boolean;
}

/**
 * GET /metrics in Prometheus' text format, for a scraper holding METRICS_TOKEN
 * (`Authorization: Bearer <token>`). Not part of the JSON API: no API token opens it,
 * and METRICS_TOKEN opens nothing else.
 */
export function metricsRoutes({ token, pools, replicaUp }: MetricsSources): Router {
  const router = Router();
  const perScrape = [
    ...poolGauges({ primary: pools.primary, reader: pools.reader }),
    ...(replicaUp
      ? [
          new Gauge('feedlog_read_replica_up', '1 when the read replica (DATABASE_READ_URL) answered when last asked, else 0.', () => [
            { value: replicaUp() ? 1 : 0 },
          ]),
        ]
      : []),
  ];
  router.get('/metrics', noStore, (req, res) => {
    if (!token) throw notFound('No metrics here: set METRICS_TOKEN to turn GET /metrics on.');
    const given = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!given || !tokenMatches(given, token)) {
      throw new HttpError(401, 'Unauthorized', 'Send METRICS_TOKEN as "Authorization: Bearer <token>".', undefined, {
        'WWW-Authenticate': 'Bearer realm="feedlog metrics"',
      });
    }
    res.type(CONTENT_TYPE).send(registry.text(perScrape));
  });
  return router;
}
