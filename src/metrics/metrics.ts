/**
 * What GET /metrics shows: ingest requests and their latency, records and
 * errors stored, scheduler jobs, the database pools. The counters live for the
 * process (Prometheus adds processes up and copes with restarts).
 */
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry } from './registry.js';

export const registry = new Registry();

/** Seconds: from 5 ms (a duplicate's 200) to 2 min (a 100k-record run on a busy server). */
const INGEST_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const JOB_SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

export const ingestRequests = registry.register(
  new Counter('feedlog_ingest_requests_total', 'POST /api/v1/sync-runs requests answered, by HTTP status.', ['status']),
);
export const ingestDuration = registry.register(
  new Histogram('feedlog_ingest_request_duration_seconds', 'Time to answer POST /api/v1/sync-runs, by HTTP status class.', INGEST_SECONDS, ['status_class']),
);
export const ingestRuns = registry.register(new Counter('feedlog_ingest_runs_total', 'Runs stored (committed), by run status.', ['status']));
export const ingestRecords = registry.register(
  new Counter('feedlog_ingest_records_total', 'Records stored with committed runs, by outcome (created, updated, ...).', ['outcome']),
);
export const ingestErrors = registry.register(new Counter('feedlog_ingest_errors_total', 'Errors stored with committed runs, by error code.', ['code']));

export const jobDuration = registry.register(
  new Histogram('feedlog_scheduler_job_duration_seconds', 'Time one pass of a scheduler job took, by job and result.', JOB_SECONDS, ['job', 'result']),
);

const lastSuccess = new Map<string, number>();
let lastTickDelay: number | undefined;

registry.register(
  new Gauge('feedlog_scheduler_job_seconds_since_success', 'Seconds since each scheduler job last finished without failing (its lag).', () =>
    [...lastSuccess].map(([job, at]) => ({ labels: { job }, value: (Date.now() - at) / 1000 })),
  ),
);
registry.register(
  new Gauge('feedlog_scheduler_tick_delay_seconds', 'How late the last scheduler tick started against its timer (event-loop or tick overrun).', () =>
    lastTickDelay === undefined ? [] : [{ value: lastTickDelay }],
  ),
);

/** The scheduler reports each job pass here. */
export function jobRan(job: string, seconds: number, ok: boolean): void {
  jobDuration.observe({ job, result: ok ? 'ok' : 'failed' }, seconds);
  if (ok) lastSuccess.set(job, Date.now());
}

/** The scheduler reports how late a tick started against when its timer was due. */
export function tickStarted(delaySeconds: number): void {
  lastTickDelay = Math.max(0, delaySeconds);
}

/** What an ingest answer says it stored (src/runs/run-summary.ts, the spec's run summary). */
interface StoredRun {
  status?: unknown;
  counts?: unknown;
  error_counts?: unknown;
}

const countsOf = (value: unknown): [string, number][] =>
  value && typeof value === 'object'
    ? Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] > 0)
    : [];

/**
 * Watches POST /api/v1/sync-runs from outside the ingest code: every answer counts
 * by status with its latency, and a 201 (a run committed; a duplicate's 200 stores
 * nothing) adds its records by outcome and errors by code, read from the run
 * summary it answers with.
 */
export const observeIngest: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST' || req.path !== '/api/v1/sync-runs') return next();
  const started = process.hrtime.bigint();
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    if (res.statusCode === 201 && body && typeof body === 'object') {
      const run = body as StoredRun;
      ingestRuns.inc({ status: typeof run.status === 'string' ? run.status : 'unknown' });
      for (const [outcome, count] of countsOf(run.counts)) ingestRecords.inc({ outcome }, count);
      for (const [code, count] of countsOf(run.error_counts)) ingestErrors.inc({ code }, count);
    }
    return json(body);
  };
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    ingestRequests.inc({ status: String(res.statusCode) });
    ingestDuration.observe({ status_class: `${Math.floor(res.statusCode / 100)}xx` }, seconds);
  });
  next();
};

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
}

const poolOf = (knex: Knex) => (knex.client as { pool?: TarnPool }).pool;

/** The pools' use, read at scrape time: connections in use, idle, requests waiting for one, and the maximum. */
export function poolGauges(pools: Record<string, Knex | undefined>): Gauge[] {
  const named = Object.entries(pools).filter((entry): entry is [string, Knex] => entry[1] !== undefined);
  const gauge = (name: string, help: string, read: (pool: TarnPool) => number) =>
    new Gauge(name, help, () =>
      named.flatMap(([pool, knex]) => {
        const tarn = poolOf(knex);
        return tarn ? [{ labels: { pool }, value: read(tarn) }] : [];
      }),
    );
  return [
    gauge('feedlog_db_pool_connections_used', 'Database connections in use, per pool (primary, reader).', (pool) => pool.numUsed()),
    gauge('feedlog_db_pool_connections_free', 'Idle database connections, per pool.', (pool) => pool.numFree()),
    gauge('feedlog_db_pool_pending_acquires', 'Queries waiting for a database connection, per pool.', (pool) => pool.numPendingAcquires()),
    gauge('feedlog_db_pool_connections_max', 'The most connections a pool opens (DATABASE_POOL_MAX).', (pool) => pool.max),
  ];
}

export const readsByPool = registry.register(
  new Counter('feedlog_read_requests_total', 'GET and HEAD requests, by the pool they read from (replica, or primary and why).', ['pool']),
);
