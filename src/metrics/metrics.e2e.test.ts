import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../app/app.js';
import { startScheduler } from '../scheduler/scheduler.js';
import { systemClock } from '../shared/clock.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { outboxEmailSetup } from '../../test/helpers/email.js';
import { createOrgWithIntegration, makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';
import { parsePrometheus, sampleValue } from '../../test/helpers/prometheus.js';
import { tokenMatches } from './metrics.routes.js';

const TOKEN = 'metrics-token-0123456789abcdef';

let db: TestDatabase;
let app: Express;
let ingestToken: string;

const scrape = async () => {
  const res = await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
  return parsePrometheus(res.text);
};

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex, metricsToken: TOKEN, email: outboxEmailSetup() });
  ({ token: ingestToken } = await createOrgWithIntegration(db.knex));
});
after(() => db.drop());

describe('GET /metrics is guarded by METRICS_TOKEN alone', () => {
  test('without METRICS_TOKEN the route answers 404, whatever is sent', async () => {
    const off = createApp({ knex: db.knex, metricsToken: undefined, email: outboxEmailSetup() });
    for (const header of [undefined, `Bearer ${TOKEN}`]) {
      const req = request(off).get('/metrics');
      const res = await (header ? req.set('Authorization', header) : req);
      assert.equal(res.status, 404);
    }
  });

  test('no token, a wrong token, a token of another kind, or the token without "Bearer" is a 401', async () => {
    for (const header of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, `Basic ${TOKEN}`, `Bearer ${ingestToken}`]) {
      const req = request(app).get('/metrics');
      const res = await (header ? req.set('Authorization', header) : req);
      assert.equal(res.status, 401, `${header}: ${res.text}`);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="feedlog metrics"');
      assert.doesNotMatch(res.text, /feedlog_ingest/);
    }
  });

  test('the comparison is by value, whatever the lengths', () => {
    assert.equal(tokenMatches(TOKEN, TOKEN), true);
    assert.equal(tokenMatches(`${TOKEN}`.slice(0), TOKEN), true);
    assert.equal(tokenMatches('', TOKEN), false);
    assert.equal(tokenMatches(`${TOKEN}${TOKEN}`, TOKEN), false);
  });
});

describe('what a scrape shows', () => {
  test('after an ingest: requests by status, the latency histogram, runs, records by outcome and errors by code', async () => {
    const before = await scrape();
    const created = (status: string) => sampleValue(before, 'feedlog_ingest_requests_total', 'feedlog_ingest_requests_total', { status }) ?? 0;
    const run = makeRun({ run_id: 'metrics-1' });
    assert.equal((await postRun(app, ingestToken, run)).status, 201);
    assert.equal((await postRun(app, ingestToken, run)).status, 200, 'the same run again is a duplicate');
    assert.equal((await postRun(app, ingestToken, '{"nope": true}')).status, 400);

    const after = await scrape();
    const value = (family: string, name: string, labels: Record<string, string> = {}) => sampleValue(after, family, name, labels) ?? 0;
    assert.equal(value('feedlog_ingest_requests_total', 'feedlog_ingest_requests_total', { status: '201' }), created('201') + 1);
    assert.equal(value('feedlog_ingest_requests_total', 'feedlog_ingest_requests_total', { status: '200' }), created('200') + 1);
    assert.equal(value('feedlog_ingest_requests_total', 'feedlog_ingest_requests_total', { status: '400' }), created('400') + 1);
    assert.equal(after.get('feedlog_ingest_requests_total')?.type, 'counter');

    // The duplicate stores nothing: records and errors count once.
    assert.equal(value('feedlog_ingest_runs_total', 'feedlog_ingest_runs_total', { status: 'completed_with_errors' }), 1);
    assert.equal(value('feedlog_ingest_records_total', 'feedlog_ingest_records_total', { outcome: 'succeeded' }), 1);
    assert.equal(value('feedlog_ingest_records_total', 'feedlog_ingest_records_total', { outcome: 'failed' }), 1);
    const errorCodes = after.get('feedlog_ingest_errors_total')!.samples;
    assert.ok(errorCodes.length > 0 && errorCodes.every((sample) => /^[a-z_]+$/.test(sample.labels.code ?? '')), JSON.stringify(errorCodes));
    assert.ok(
      errorCodes.some((sample) => sample.labels.code === 'job_title_mismatch' && sample.value >= 1),
      JSON.stringify(errorCodes),
    );

    const latency = after.get('feedlog_ingest_request_duration_seconds')!;
    assert.equal(latency.type, 'histogram');
    assert.equal(value('feedlog_ingest_request_duration_seconds', 'feedlog_ingest_request_duration_seconds_count', { status_class: '2xx' }), 2);
    assert.ok(value('feedlog_ingest_request_duration_seconds', 'feedlog_ingest_request_duration_seconds_sum', { status_class: '2xx' }) > 0);
    assert.equal(value('feedlog_ingest_request_duration_seconds', 'feedlog_ingest_request_duration_seconds_bucket', { status_class: '2xx', le: '+Inf' }), 2);
  });

  test('scheduler jobs: a duration histogram per job and result, and seconds since each job last succeeded', async () => {
    const scheduler = startScheduler({
      knex: db.knex,
      clock: systemClock,
      tickMs: 60_000,
      timer: false,
      log: { error: () => {}, debug: () => {} },
      jobs: [
        { name: 'metrics_test_ok', run: async () => {} },
        {
          name: 'metrics_test_fails',
          run: async () => {
            throw new Error('on purpose');
          },
        },
      ],
    });
    await scheduler.tick();
    await scheduler.stop();
    const families = await scrape();
    const count = (job: string, result: string) =>
      sampleValue(families, 'feedlog_scheduler_job_duration_seconds', 'feedlog_scheduler_job_duration_seconds_count', { job, result });
    assert.equal(count('metrics_test_ok', 'ok'), 1);
    assert.equal(count('metrics_test_fails', 'failed'), 1);
    const since = (job: string) => sampleValue(families, 'feedlog_scheduler_job_seconds_since_success', 'feedlog_scheduler_job_seconds_since_success', { job });
    assert.ok((since('metrics_test_ok') ?? -1) >= 0 && (since('metrics_test_ok') ?? 99) < 60);
    assert.equal(since('metrics_test_fails'), undefined, 'a job that never succeeded has no time since success');
  });

  test('database pools: used, free, pending and max of the primary (and the reader when there is one)', async () => {
    const families = await scrape();
    for (const family of ['feedlog_db_pool_connections_used', 'feedlog_db_pool_connections_free', 'feedlog_db_pool_pending_acquires']) {
      const value = sampleValue(families, family, family, { pool: 'primary' });
      assert.ok(value !== undefined && value >= 0, `${family}: ${value}`);
      assert.equal(families.get(family)?.type, 'gauge');
    }
    assert.equal(sampleValue(families, 'feedlog_db_pool_connections_max', 'feedlog_db_pool_connections_max', { pool: 'primary' }), 5);
    assert.equal(sampleValue(families, 'feedlog_db_pool_connections_used', 'feedlog_db_pool_connections_used', { pool: 'reader' }), undefined);
    assert.equal(families.has('feedlog_read_replica_up'), false, 'without a replica there is no replica to be up');
  });
});
