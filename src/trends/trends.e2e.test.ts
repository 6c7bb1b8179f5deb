import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../app/app.js';
import { frozenClock } from '../shared/clock.js';
import { type BrowserSession, signIn, startWithFixtureUsers, emailOf } from '../../test/helpers/accounts.js';
import type { TestDatabase } from '../../test/helpers/database.js';
import { makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';

let db: TestDatabase;
let app: Express;
let apiTokens: Record<string, string>;
let integrationA: number;
let orgA: number;
let owner: BrowserSession;
const clock = frozenClock('2026-11-21T12:30:00Z');

const record = (i: number, outcome = 'succeeded') => ({
  external_id: `e-${i}`,
  action: 'update',
  outcome,
  employee: { first_name: 'Ana', last_name: `L${i}`, email: `ana${i}@example.com`, job_title: 'Head Chef', department: 'Kitchen', branch: 'London Soho' },
  messages: [],
});

// Three runs in the 10:00 UTC hour (one failed, which records per run leave out), one at 11:15 that sent a fifth of the usual volume.
const RUNS = [
  { run_id: 'r1', started_at: '2026-11-21T10:00:00Z', finished_at: '2026-11-21T10:00:30Z', records: 10 },
  { run_id: 'r2', started_at: '2026-11-21T10:15:00Z', finished_at: '2026-11-21T10:16:00Z', records: 10 },
  { run_id: 'r3', started_at: '2026-11-21T10:30:00Z', finished_at: '2026-11-21T10:30:10Z', records: 0, failed: true },
  { run_id: 'r4', started_at: '2026-11-21T11:15:00Z', finished_at: '2026-11-21T11:15:20Z', records: 2 },
];

before(async () => {
  const fixtures = await startWithFixtureUsers();
  db = fixtures.db;
  apiTokens = fixtures.apiTokens;
  integrationA = fixtures.orgA.integration.id;
  orgA = fixtures.orgA.organisation.id;
  app = createApp({ knex: db.knex, clock });
  for (const run of RUNS) {
    const body = makeRun({
      run_id: run.run_id,
      started_at: run.started_at,
      finished_at: run.finished_at,
      status: run.failed ? 'failed' : 'completed',
      run_error: run.failed ? 'The target refused the credentials' : null,
      records: Array.from({ length: run.records }, (_, i) => record(i)),
    });
    const response = await postRun(app, fixtures.orgA.token, body);
    assert.equal(response.status, 201, response.text);
  }
  owner = await signIn(app, emailOf('owner'));
});
after(() => db.drop());

const api = (path: string, who = 'owner') => request(app).get(path).set('Authorization', `Bearer ${apiTokens[who]}`);

describe('GET /api/v1/trends', () => {
  test('24h: hourly buckets in the reader zone, with the runs, records, durations and errors of each hour', async () => {
    const res = await api(`/api/v1/trends?integration=${integrationA}&range=24h`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.bucket, '1h');
    assert.equal(res.body.buckets.length, 24);
    assert.equal(res.body.to, '2026-11-21T13:00:00.000Z');
    assert.equal(res.body.from, '2026-11-20T13:00:00.000Z');
    const ten = res.body.buckets.find((b: { start: string }) => b.start === '2026-11-21T10:00:00.000Z');
    assert.deepEqual(
      {
        runs: ten.runs,
        failed: ten.failed_runs,
        rate: ten.success_rate,
        records: ten.records,
        avg: ten.records_per_run_avg,
        min: ten.records_per_run_min,
        durationAvg: ten.duration_avg_ms,
        durationMax: ten.duration_max_ms,
        expected: ten.expected_runs,
      },
      { runs: 3, failed: 1, rate: 66.7, records: 20, avg: 10, min: 10, durationAvg: 33_333, durationMax: 60_000, expected: 4 },
    );
    assert.equal(ten.errors.run_failed, 1);
    const eleven = res.body.buckets.find((b: { start: string }) => b.start === '2026-11-21T11:00:00.000Z');
    assert.deepEqual([eleven.runs, eleven.records_per_run_min, eleven.success_rate], [1, 2, 100]);
    const empty = res.body.buckets[0];
    assert.deepEqual([empty.runs, empty.success_rate, empty.records_per_run_min], [0, null, null]);
    assert.ok(res.body.codes.includes('run_failed'));
  });

  test('7d and 30d: 6-hour and daily buckets, days starting at midnight in the caller zone', async () => {
    await db
      .knex('users')
      .where({ email: emailOf('owner') })
      .update({ time_zone: 'Europe/Copenhagen' });
    try {
      const week = await api(`/api/v1/trends?org=${orgA}&range=7d`);
      assert.equal(week.status, 200, week.text);
      assert.equal(week.body.bucket, '6h');
      assert.equal(week.body.buckets.length, 28);
      // 12:30 UTC is 13:30 in Copenhagen: the bucket 12:00-18:00 local is 11:00-17:00 UTC.
      assert.equal(week.body.to, '2026-11-21T17:00:00.000Z');
      const month = await api(`/api/v1/trends?org=${orgA}&range=30d`);
      assert.equal(month.body.bucket, '1d');
      assert.equal(month.body.buckets.length, 30);
      assert.equal(month.body.to, '2026-11-21T23:00:00.000Z');
      const day = month.body.buckets.at(-1);
      assert.deepEqual([day.start, day.runs, day.records], ['2026-11-20T23:00:00.000Z', 4, 22]);
      assert.equal(month.body.time_zone, 'Europe/Copenhagen');
    } finally {
      await db
        .knex('users')
        .where({ email: emailOf('owner') })
        .update({ time_zone: 'UTC' });
    }
  });

  test('custom: from and to as days, buckets sized to the range', async () => {
    const res = await api(`/api/v1/trends?integration=${integrationA}&from=2026-11-01&to=2026-11-21`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.range, 'custom');
    assert.equal(res.body.from, '2026-11-01T00:00:00.000Z');
    assert.equal(res.body.to, '2026-11-22T00:00:00.000Z');
    assert.equal(res.body.bucket, '12h');
    const runs = res.body.buckets.reduce((sum: number, b: { runs: number }) => sum + b.runs, 0);
    assert.equal(runs, 4);
  });

  test("another organisation's integration or organisation is a 404; a bad parameter a 400", async () => {
    assert.equal((await api(`/api/v1/trends?integration=${integrationA}`, 'outsider')).status, 404);
    assert.equal((await api(`/api/v1/trends?org=${orgA}`, 'outsider')).status, 404);
    const outsiders = await api('/api/v1/trends', 'outsider');
    assert.equal(outsiders.status, 200);
    assert.notEqual(outsiders.body.org, String(orgA));
    assert.equal((await api('/api/v1/trends?range=year')).status, 400);
    assert.equal((await api('/api/v1/trends?from=yesterday')).status, 400);
  });

  test('CSV: one chart table, formula cells neutralised', async () => {
    const res = await api(`/api/v1/trends?integration=${integrationA}&range=24h&format=csv&chart=records`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/csv/);
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.equal(lines[0], 'bucket_start,bucket_end,label,runs,failed_runs,records,records_per_run_avg,records_per_run_min');
    assert.equal(lines.length, 25);
    assert.ok(lines.includes('2026-11-21T10:00:00.000Z,2026-11-21T11:00:00.000Z,10:00,3,1,20,10,10'), lines.join('\n'));
  });
});

describe('GET /trends', () => {
  test('renders each chart with its data attribute and the table of the same numbers', async () => {
    const res = await owner.agent.get(`/trends?integration=${integrationA}&range=24h`);
    assert.equal(res.status, 200, res.text.slice(0, 500));
    for (const name of ['errors', 'success', 'records', 'duration', 'cadence']) assert.match(res.text, new RegExp(`id="chart-${name}"`));
    assert.match(res.text, /<canvas data-chart="\{&#34;type&#34;:&#34;bar&#34;/);
    assert.match(res.text, /<caption>Records per run, per bucket<\/caption>/);
    assert.match(res.text, /<script src="\/static\/trends.js" defer><\/script>/);
    assert.doesNotMatch(res.text, /<script>(?!<)/);
    assert.match(res.text, /<a href="\/trends" aria-current="page">Trends<\/a>/);
  });

  test('CSV of a chart from the page, the same as the API', async () => {
    const page = await owner.agent.get(`/trends?integration=${integrationA}&range=24h&format=csv&chart=cadence`);
    const apiCsv = await api(`/api/v1/trends?integration=${integrationA}&range=24h&format=csv&chart=cadence`);
    assert.equal(page.status, 200);
    assert.equal(page.text, apiCsv.text);
  });

  test('chart.js is served from our origin', async () => {
    const res = await request(app).get('/static/vendor/chart.umd.min.js');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /javascript/);
    assert.match(res.text, /Chart\.js v4/);
  });
});
