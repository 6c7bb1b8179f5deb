import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../src/app/app.js';
import { parseErrorMix } from '../src/simulate/error-mix.js';
import { Simulation } from '../src/simulate/generator.js';
import { postRun, retryAfterMs, SimulateError } from '../src/simulate/poster.js';
import { Feed } from '../src/simulate/runner.js';
import { frozenClock } from '../src/shared/clock.js';
import { serveApp, type ServedApp } from './helpers/browser.js';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration } from './helpers/fixtures.js';
import { freePort } from './helpers/free-port.js';

let db: TestDatabase;
let served: ServedApp;
let token: string;
let integrationId: number;

before(async () => {
  db = await createTestDatabase();
  served = await serveApp(createApp({ knex: db.knex, ingestLimits: { perMinute: 100_000 } }));
  const created = await createOrgWithIntegration(db.knex, { slug: 'sim', integration: 'HR feed to Flow', schedule: '1h' });
  token = created.token;
  integrationId = created.integration.id;
});
after(async () => {
  await served.close();
  await db.drop();
});

const cli = (...args: string[]) => runCli(['simulate', ...args], { DATABASE_URL: db.url });

/** A server that answers the first requests with the given statuses (and headers), then 201; records each request. */
async function scriptedServer(script: { status: number; headers?: Record<string, string> }[]) {
  const seen: { authorization: string | undefined; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, body });
      const step = script.shift() ?? { status: 201 };
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
      res.end(step.status >= 400 ? JSON.stringify({ detail: `status ${step.status}` }) : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const aRun = () =>
  new Simulation({
    kind: 'hr-feed',
    schedule: { kind: 'interval', seconds: 3600 },
    employees: 3,
    errors: parseErrorMix('none'),
    seed: 1,
    start: new Date('2026-11-01T00:00:00Z'),
  }).next().body;

describe('the poster', () => {
  test('retries 503 and 429 after the Retry-After the server gives, with the token as bearer', async () => {
    const server = await scriptedServer([
      { status: 503, headers: { 'retry-after': '7' } },
      { status: 429, headers: { 'retry-after': '2' } },
    ]);
    const waits: number[] = [];
    const retries: string[] = [];
    try {
      const outcome = await postRun(aRun(), {
        url: server.url,
        token: 'fl_ing_test',
        wait: async (ms) => waits.push(ms),
        onRetry: (reason) => retries.push(reason),
      });
      assert.equal(outcome, 'created');
      assert.deepEqual(waits, [7000, 2000]);
      assert.deepEqual(retries, ['server busy', 'rate limited']);
      assert.equal(server.seen.length, 3);
      assert.ok(server.seen.every((request) => request.authorization === 'Bearer fl_ing_test'));
      assert.equal(JSON.parse(server.seen[2]!.body).run_id, aRun().run_id, 'the same body each time');
    } finally {
      await server.close();
    }
  });

  test('gives up after its attempts, saying so', async () => {
    const server = await scriptedServer(Array.from({ length: 5 }, () => ({ status: 503, headers: { 'retry-after': '1' } })));
    try {
      await assert.rejects(
        postRun(aRun(), { url: server.url, token: 't', attempts: 3, wait: async () => undefined }),
        (error: Error) => error instanceof SimulateError && /kept answering 503 after 3 attempts/.test(error.message),
      );
    } finally {
      await server.close();
    }
  });

  test('Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('12', 500), 12_000);
    assert.equal(retryAfterMs(null, 500), 500);
    assert.equal(retryAfterMs('soon', 500), 500);
    const now = Date.parse('2026-11-29T10:00:00Z');
    assert.equal(retryAfterMs('Sun, 29 Nov 2026 10:00:30 GMT', 500, now), 30_000);
  });
});

describe('feedlog simulate against a real server', () => {
  test('backfills a day of hourly HR feed runs over HTTP; a second run finds them stored already', async () => {
    const to = '2026-11-20T12:00:00Z';
    const args = [
      '--url',
      served.url,
      '--token',
      token,
      '--kind',
      'hr-feed',
      '--employees',
      '15',
      '--seed',
      '4',
      '--errors',
      'mismatch,missing,heavy',
      '--from',
      '2026-11-19T12:00:00Z',
      '--to',
      to,
    ];
    const first = await cli(...args);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '', 'no progress bar in a pipe');
    assert.match(first.stdout, /^hr-feed: posted 24 run\(s\), \d+ record\(s\) from 2026-11-19T12:00Z to 2026-11-20T11:00Z\.$/m);

    const runs = await db.knex('sync_runs').where({ integration_id: integrationId }).orderBy('started_at');
    assert.equal(runs.length, 24, 'one run an hour; the one of 12:00 had not finished by --to');
    assert.equal(runs[0].trigger, 'initial');
    assert.ok(
      runs.every((run) => run.started_at.getTime() < Date.parse(to)),
      'runs carry their past started_at',
    );
    const records = await db.knex('feed_records').where({ integration_id: integrationId }).count({ n: '*' }).first();
    assert.ok(Number(records!.n) >= 24 * 14);

    const again = await cli(...args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /posted 0 run\(s\).*\d+ stored already/);
    const after = await db.knex('sync_runs').where({ integration_id: integrationId }).count({ n: '*' }).first();
    assert.equal(Number(after!.n), runs.length, 'an engine retry never duplicates anything');
  });

  test('--follow goes on in real time: each run is posted once the clock passes its end, until stopped', async () => {
    const created = await createOrgWithIntegration(db.knex, { slug: 'follow', integration: 'Mapal OS to Flow', schedule: '15m' });
    const clock = frozenClock('2026-11-25T10:00:00Z');
    const feed = new Feed({
      label: 'mapal-os',
      simulation: {
        kind: 'mapal-os',
        schedule: { kind: 'interval', seconds: 900 },
        employees: 5,
        errors: parseErrorMix('none'),
        seed: 3,
        start: new Date('2026-11-25T09:00:00Z'),
      },
      post: { url: served.url, token: created.token },
    });
    await feed.backfill(clock.now());
    assert.equal(feed.tally.runs, 4, '09:00 to 09:45; the run of 10:00 has not finished yet');
    const controller = new AbortController();
    const postedAt: [string, Date][] = [];
    feed.onPosted = (run) => postedAt.push([run.body.run_id, clock.now()]);
    let waits = 0;
    await feed.follow(clock, controller.signal, async (ms) => {
      assert.ok(ms > 0 && ms < 16 * 60_000, `waits ${ms} ms for the next run`);
      clock.advance(ms);
      waits += 1;
      if (waits === 3) controller.abort();
    });
    assert.deepEqual(
      postedAt.map(([id]) => id),
      ['2026-11-25T10:00:00Z#7781', '2026-11-25T10:15:00Z#7781'],
    );
    for (const [id, at] of postedAt) assert.ok(at.getTime() > Date.parse(id.slice(0, 20)), 'posted after it ran');
    const stored = await db.knex('sync_runs').where({ integration_id: created.integration.id }).count({ n: '*' }).first();
    assert.equal(Number(stored!.n), 6);
  });

  test('--follow on an engine that is silent for good waits slot by slot and posts nothing (it never spins)', async () => {
    const clock = frozenClock('2026-11-25T10:00:00Z');
    const feed = new Feed({
      label: 'hr-feed',
      simulation: {
        kind: 'hr-feed',
        schedule: { kind: 'interval', seconds: 3600 },
        employees: 5,
        errors: parseErrorMix('none'),
        seed: 3,
        start: new Date('2026-11-25T06:00:00Z'),
        scenario: { silences: [{ from: new Date('2026-11-25T08:30:00Z'), to: null }] },
      },
      post: { url: served.url, token },
    });
    await feed.backfill(clock.now());
    const posted = feed.tally.runs;
    assert.equal(posted, 3, '06:00, 07:00 and 08:00');
    const controller = new AbortController();
    const waits: number[] = [];
    await feed.follow(clock, controller.signal, async (ms) => {
      waits.push(ms);
      clock.advance(ms);
      if (waits.length === 5) controller.abort();
    });
    assert.equal(feed.tally.runs, posted, 'nothing more was posted');
    assert.deepEqual(waits.slice(1), [3_600_000, 3_600_000, 3_600_000, 3_600_000], 'an hour to each silent slot');
  });

  test('a wrong token: exit 1, saying where the ingest token comes from', async () => {
    const result = await cli('--url', served.url, '--token', 'fl_ing_1_not-a-token', '--days', '1');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /refused the token \(401/);
    assert.match(result.stderr, /integration rotate-token/);
  });

  test('an API token instead of an ingest token: 403, named', async () => {
    const { createUser, createApiToken } = await import('../src/accounts/accounts.service.js');
    await createUser(db.knex, { email: 'sim@example.com', role: 'admin', orgSlug: 'sim', password: 'correct horse battery' });
    const apiToken = await createApiToken(db.knex, 'sim@example.com');
    const result = await cli('--url', served.url, '--token', apiToken, '--days', '1');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /must be an ingest token/);
  });

  test('no server there: exit 1, saying to start it', async () => {
    const port = await freePort();
    const result = await cli('--url', `http://127.0.0.1:${port}`, '--token', token, '--days', '1');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cannot reach feedlog at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Is it running\? Start it with `npm start`/);
  });

  test('bad arguments say which and how', async () => {
    const missing = await cli('--days', '1');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Missing --token/);
    const kind = await cli('--token', 't', '--kind', 'sap');
    assert.equal(kind.code, 1);
    assert.match(kind.stderr, /--kind 'sap' is not one of mapal-os, planday, hr-feed/);
    const errors = await cli('--token', 't', '--errors', 'mismatch,typos');
    assert.equal(errors.code, 1);
    assert.match(errors.stderr, /unknown kind 'typos'/);
    const future = await cli('--token', 't', '--to', '2999-01-01');
    assert.equal(future.code, 1);
    assert.match(future.stderr, /--to is in the future/);
    const schedule = await cli('--token', 't', '--schedule', 'every now and then');
    assert.equal(schedule.code, 1);
    assert.match(schedule.stderr, /Invalid --schedule/);
  });
});
