/**
 * The real server (`feedlog serve`, spawned as in production) under faults and
 * races (issue 9): SIGKILL in the middle of a large ingest (the run is whole
 * or absent; the retry stores it once), many engines posting at once, the same
 * run posted twice at the same moment (one 201, one 200, stored once), and two
 * app processes on one database doing both.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { createIntegration } from '../../src/integrations/integrations.service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createOrgWithIntegration, makeRun } from '../helpers/fixtures.js';
import { makeLargeRun } from '../helpers/large-run.js';
import { postOverHttp, type ServerProcess, startServer, waitForStatement } from '../helpers/server-process.js';

let db: TestDatabase;
let token: string;
let integrationId: number;
const servers: ServerProcess[] = [];
const SERVER_ENV = { INGEST_RATE_LIMIT_PER_MINUTE: '100000' };

before(async () => {
  db = await createTestDatabase();
  ({ token } = await createOrgWithIntegration(db.knex, { slug: 'acme' }));
  integrationId = (await db.knex('integrations').first('id')).id;
});
after(async () => {
  for (const server of servers) await server.kill();
  await db.drop();
});

async function serve(): Promise<ServerProcess> {
  const server = await startServer(db.url, SERVER_ENV);
  servers.push(server);
  return server;
}

/** The stored run of `runId` (any integration): how many rows, its record_count, and its feed_records rows. */
async function stored(runId: string) {
  const runs = await db.knex('sync_runs').where({ run_id: runId }).select('id', 'record_count', 'integration_id');
  const records =
    runs.length === 0
      ? 0
      : Number(
          (
            await db
              .knex('feed_records')
              .whereIn(
                'sync_run_id',
                runs.map((r) => r.id),
              )
              .count<{ count: string }[]>('* as count')
          )[0]!.count,
        );
  return { runs: runs.length, recordCount: runs[0]?.record_count as number | undefined, records };
}

/** Waits until no backend of another process is inside a transaction on the test database (the killed server's are rolled back). */
async function settled(): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const { rows } = await db.knex.raw(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()",
    );
    if (rows[0].n === 0) return;
  }
  assert.fail('the killed server left a transaction open for 30 s');
}

/** Starts a POST of `body` over HTTP and resolves once every byte is written (the answer may still come, or not). */
function sendRun(url: string, body: string, onAnswer: (status: number | Error) => void): Promise<void> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const req = http.request(
      {
        host: hostname,
        port,
        path: '/api/v1/sync-runs',
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => onAnswer(res.statusCode!));
      },
    );
    req.on('error', (error) => onAnswer(error));
    req.end(body, () => resolve());
  });
}

test('SIGKILL of the server in the middle of a large ingest: the run is whole or absent, and the retry stores it once', { timeout: 600_000 }, async () => {
  const COUNT = 30_000;
  // Killed at three moments: while the rows are written, while the body is still being parsed, and at the commit.
  const moments = ['during the inserts', 'just after the body is sent', 'late in the inserts'] as const;
  for (const [i, moment] of moments.entries()) {
    const runId = `killed-${i}`;
    const body = JSON.stringify(makeLargeRun(COUNT, runId));
    const server = await serve();
    const answers: (number | Error)[] = [];
    await sendRun(server.url, body, (answer) => answers.push(answer));
    if (moment !== 'just after the body is sent') await waitForStatement(db.url, /insert into "?feed_records/i);
    if (moment === 'late in the inserts') await new Promise((r) => setTimeout(r, 400));
    await server.kill();
    await settled();

    const afterKill = await stored(runId);
    const whole = afterKill.runs === 1 && afterKill.records === COUNT && afterKill.recordCount === COUNT;
    assert.ok(
      afterKill.runs === 0 || whole,
      `killed ${moment}: the run is whole or absent, found ${JSON.stringify(afterKill)} (answer: ${String(answers[0])})`,
    );
    if (answers[0] === 201) assert.ok(whole, 'a run answered 201 is stored');

    const restarted = await serve();
    const retry = await postOverHttp(restarted.url, token, body);
    assert.equal(retry.status, afterKill.runs === 0 ? 201 : 200, `the retry after a kill ${moment}: ${retry.text.slice(0, 300)}`);
    assert.deepEqual(await stored(runId), { runs: 1, recordCount: COUNT, records: COUNT }, 'stored once, whole');
    await restarted.kill();
    process.stderr.write(`kill ${moment}: ${afterKill.runs === 0 ? 'absent' : 'whole'} after the kill, stored once after the retry\n`);
  }
});

test('12 engines posting at once (3 runs of 2,000 records each): each post is a 201 or a 503 with Retry-After; after the retries every run is stored once and whole', {
  timeout: 300_000,
}, async () => {
  const server = await serve();
  const tokens: string[] = [];
  for (let i = 0; i < 12; i++) tokens.push((await createIntegration(db.knex, { orgSlug: 'acme', name: `engine ${i}`, schedule: '15m' })).token);
  const post = (engineToken: string, i: number, n: number) =>
    fetch(`${server.url}/api/v1/sync-runs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${engineToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...makeLargeRun(2_000, `engine-${i}-${n}`), started_at: `2026-11-21T0${n}:00:00Z`, finished_at: `2026-11-21T0${n}:09:00Z` }),
    }).then(async (res) => ({ i, n, engineToken, status: res.status, retryAfter: res.headers.get('retry-after'), text: (await res.text()).slice(0, 200) }));
  const answers = await Promise.all(tokens.flatMap((engineToken, i) => [0, 1, 2].map((n) => post(engineToken, i, n))));
  const unexpected = answers.filter((a) => !(a.status === 201 || (a.status === 503 && /^\d+$/.test(a.retryAfter ?? ''))));
  assert.deepEqual(unexpected, [], 'every post is a 201, or a 503 with Retry-After (busy: the engine retries)');
  // Engines retry what was refused: one at a time, as a retry after Retry-After would arrive.
  const refused = answers.filter((a) => a.status === 503);
  for (const a of refused) {
    const retry = await post(a.engineToken, a.i, a.n);
    assert.equal(retry.status, 201, `the retry of engine-${a.i}-${a.n}: ${retry.text}`);
  }
  process.stderr.write(
    `12 engines x 3 runs at once: ${answers.length - refused.length} answered 201, ${refused.length} answered 503 (then stored by the retry)\n`,
  );
  for (let i = 0; i < 12; i++) for (const n of [0, 1, 2]) assert.deepEqual(await stored(`engine-${i}-${n}`), { runs: 1, recordCount: 2_000, records: 2_000 });
  await server.kill();
});

test('the same run posted twice at the same moment, 10 times: one 201 and one 200 each, stored once', { timeout: 300_000 }, async () => {
  const server = await serve();
  for (let i = 0; i < 10; i++) {
    const body = JSON.stringify(makeRun({ run_id: `twice-${i}` }));
    const statuses = (await Promise.all([postOverHttp(server.url, token, body), postOverHttp(server.url, token, body)])).map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 201], `twice-${i}`);
    assert.equal((await stored(`twice-${i}`)).runs, 1);
  }
  await server.kill();
});

test('two app processes on one database: the same run sent to both at once is stored once; runs spread over both are all stored', {
  timeout: 300_000,
}, async () => {
  const [one, two] = [await serve(), await serve()];
  for (let i = 0; i < 10; i++) {
    const body = JSON.stringify(makeRun({ run_id: `both-${i}` }));
    const statuses = (await Promise.all([postOverHttp(one!.url, token, body), postOverHttp(two!.url, token, body)])).map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 201], `both-${i}: one process stores it, the other finds it`);
    assert.equal((await stored(`both-${i}`)).runs, 1);
  }
  // 40 distinct runs, alternately to each process, all at once; then a read through each shows all of them.
  const spread = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      postOverHttp(
        i % 2 ? one!.url : two!.url,
        token,
        JSON.stringify(
          makeRun({
            run_id: `spread-${i}`,
            started_at: `2026-11-22T10:${String(i).padStart(2, '0')}:00Z`,
            finished_at: `2026-11-22T11:${String(i).padStart(2, '0')}:00Z`,
          }),
        ),
      ),
    ),
  );
  assert.deepEqual(
    spread.map((a) => a.status).filter((s) => s !== 201),
    [],
    spread.find((a) => a.status !== 201)?.text,
  );
  const rows = await db.knex('sync_runs').where({ integration_id: integrationId }).where('run_id', 'like', 'spread-%').count<{ count: string }[]>('* as count');
  assert.equal(Number(rows[0]!.count), 40);
  await one!.kill();
  await two!.kill();
});
