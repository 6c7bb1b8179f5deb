import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../app/app.js';
import { createKnex } from '../db/database.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { countRows, createOrgWithIntegration, makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';
import { rotateIngestToken } from '../integrations/integrations.service.js';

let db: TestDatabase;
let app: Express;
let token: string;

const post = (body: unknown, bearer = token) => postRun(app, bearer, body);

async function storedCounts() {
  return {
    runs: await countRows(db.knex, 'sync_runs'),
    records: await countRows(db.knex, 'feed_records'),
    errors: await countRows(db.knex, 'errors'),
    states: await countRows(db.knex, 'employee_states'),
  };
}

/** A POST with the given headers and nothing else (no Content-Length, no body), as raw HTTP. */
async function rawPost(headers: string[]): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    // write, not end: a half-closed request gets no answer; Connection: close ends the stream.
    socket.write(
      ['POST /api/v1/sync-runs HTTP/1.1', 'Host: localhost', `Authorization: Bearer ${token}`, ...headers, 'Connection: close', '', ''].join('\r\n'),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    server.close();
  }
}

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex });
  ({ token } = await createOrgWithIntegration(db.knex));
});
after(() => db.drop());

describe('POST /api/v1/sync-runs', () => {
  test('an integration created without its systems learns them from its first run, and keeps what was set', async () => {
    const learner = await createOrgWithIntegration(db.knex, { slug: 'learns-systems' });
    assert.equal(learner.integration.source_system, null);
    assert.equal((await post(makeRun({ run_id: 'names-systems' }), learner.token)).status, 201);
    assert.equal((await post(makeRun({ run_id: 'other-systems', source_system: 'Planday', target_system: 'Other LMS' }), learner.token)).status, 201);
    const row = await db.knex('integrations').where({ id: learner.integration.id }).first();
    assert.deepEqual([row.source_system, row.target_system], ['Fourth', 'Flow Learning']);
  });

  test('a new run is stored and answered 201 with its summary', async () => {
    const response = await post(makeRun({ run_id: 'new-run' }));
    assert.equal(response.status, 201, response.text);
    assert.equal(response.body.run_id, 'new-run');
    assert.match(response.body.id, /^\d+$/);
    assert.deepEqual(response.body.counts, { succeeded: 1, failed: 1, warning: 0 });
    assert.equal(response.body.record_count, 2);
    assert.equal(response.body.error_counts.job_title_mismatch, 1);
    assert.equal(response.body.integration.name, 'Fourth to Flow');
    const records = await db
      .knex('feed_records')
      .where({ sync_run_id: Number(response.body.id) })
      .orderBy('index');
    assert.equal(records.length, 2);
    assert.equal(records[1].job_title, 'kitchen porter');
    assert.equal(records[1].error_count, 1);
  });

  test('an identical retry is answered 200 with the same summary and stores nothing more', async () => {
    const run = makeRun({ run_id: 'retried' });
    const first = await post(run);
    assert.equal(first.status, 201);
    const before = await storedCounts();
    // Deep-equal JSON: key order and whitespace do not matter.
    const reordered = Object.fromEntries(Object.entries(run).reverse());
    const again = await post(JSON.stringify(reordered, null, 2));
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, first.body);
    assert.deepEqual(await storedCounts(), before);
  });

  test('the same run_id with a different body is a 409 and changes nothing', async () => {
    assert.equal((await post(makeRun({ run_id: 'conflict' }))).status, 201);
    const before = await storedCounts();
    const response = await post(makeRun({ run_id: 'conflict', status: 'completed' }));
    assert.equal(response.status, 409);
    assert.equal(response.type, 'application/problem+json');
    assert.match(response.body.detail, /different body/);
    assert.deepEqual(await storedCounts(), before);
  });

  test('two identical posts racing each other store one run', async () => {
    const run = makeRun({ run_id: 'race' });
    const responses = await Promise.all([post(run), post(run), post(run)]);
    const statuses = responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 201]);
    const runs = await db.knex('sync_runs').where({ run_id: 'race' });
    assert.equal(runs.length, 1);
    const records = await db.knex('feed_records').where({ sync_run_id: runs[0].id });
    assert.equal(records.length, 2);
  });

  test('a malformed run is a 400 problem document naming every bad path, and nothing is stored', async () => {
    const before = await storedCounts();
    const run = makeRun({ run_id: 'bad', schema_version: 2, trigger: 'hourly', started_at: '2026-11-21 10:15', finished_at: '2026-11-21T10:00:00Z' });
    const records = run.records as Array<Record<string, unknown>>;
    records.push({ external_id: 'x', action: 'delete', outcome: 'failed', employee: { email: 42 } });
    const response = await post(run);
    assert.equal(response.status, 400);
    assert.equal(response.type, 'application/problem+json');
    const paths = response.body.errors.map((e: { path: string }) => e.path).sort();
    assert.deepEqual(paths, ['records[2].action', 'records[2].employee.email', 'schema_version', 'started_at', 'trigger']);
    const email = response.body.errors.find((e: { path: string }) => e.path === 'records[2].employee.email');
    assert.match(email.message, /expected string/);
    assert.deepEqual(await storedCounts(), before);
  });

  test('finished_at before started_at is named', async () => {
    const response = await post(makeRun({ run_id: 'backwards', finished_at: '2026-11-21T10:00:00Z' }));
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.errors, [{ path: 'finished_at', message: 'must not be before started_at' }]);
  });

  test('a missing run_id and records that are not an array are named', async () => {
    const run = makeRun({ records: 'none' });
    delete run.run_id;
    const response = await post(run);
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.errors.map((e: { path: string }) => e.path).sort(), ['records', 'run_id']);
  });

  test('a null or absent external_id or attribute is stored, not rejected', async () => {
    const run = makeRun({
      run_id: 'nulls',
      records: [{ action: 'create', outcome: 'failed', employee: { first_name: null, email: 'x@example.com' }, messages: [] }],
    });
    const response = await post(run);
    assert.equal(response.status, 201, response.text);
    assert.ok(response.body.error_counts.missing_required_field >= 1);
  });

  test('unknown keys at any level are kept in the stored payload', async () => {
    const run = makeRun({ run_id: 'unknown-keys', engine_version: '4.2' });
    const records = run.records as Array<Record<string, unknown>>;
    records[0] = { ...records[0], shift_pattern: 'A', employee: { ...(records[0]!.employee as object), pronouns: 'she/her' } };
    const response = await post(run);
    assert.equal(response.status, 201, response.text);
    const stored = await db.knex('sync_runs').where({ run_id: 'unknown-keys' }).first();
    assert.equal(stored.header.engine_version, '4.2');
    const record = await db.knex('feed_records').where({ sync_run_id: stored.id, index: 0 }).first();
    assert.equal(record.raw.shift_pattern, 'A');
    assert.equal(record.raw.employee.pronouns, 'she/her');
  });

  test('a gzip body is accepted', async () => {
    const response = await postRun(app, token, gzipSync(JSON.stringify(makeRun({ run_id: 'gzipped' }))));
    assert.equal(response.status, 201, response.text);
    assert.equal(response.body.run_id, 'gzipped');
  });

  test('a body that claims gzip but is not is a 400', async () => {
    const response = await postRun(app, token, Buffer.from('{"not":"gzip"}'));
    assert.equal(response.status, 400);
  });

  test('invalid JSON is a 400', async () => {
    const response = await postRun(app, token, '{"run_id": ');
    assert.equal(response.status, 400);
    assert.equal(response.type, 'application/problem+json');
  });

  test('an empty body is a 400 that says so, with or without a JSON content type', async () => {
    const before = await storedCounts();
    // Without a Content-Length (no body at all) and with `Content-Length: 0` (curl posting an empty file).
    for (const contentType of ['application/json', 'application/json; charset=utf-8', undefined]) {
      for (const contentLength of [undefined, '0']) {
        const req = request(app).post('/api/v1/sync-runs').set('Authorization', `Bearer ${token}`);
        if (contentType) req.set('Content-Type', contentType);
        if (contentLength) req.set('Content-Length', contentLength);
        const response = await req;
        const what = `${contentType} ${contentLength}: ${response.text}`;
        assert.equal(response.status, 400, what);
        assert.equal(response.type, 'application/problem+json', what);
        assert.equal(response.body.detail, 'The body is empty: send the run as JSON with Content-Type: application/json.', what);
        assert.deepEqual(response.body.errors, [{ path: '', message: 'empty body' }], what);
      }
    }
    // Node's client always sends a Content-Length on a POST; a raw request can send neither it nor a body.
    const raw = await rawPost(['Content-Type: application/json']);
    assert.match(raw, /^HTTP\/1\.1 400 /, raw);
    assert.match(raw, /The body is empty/, raw);
    assert.deepEqual(await storedCounts(), before);
  });

  test('a body that is not JSON is a 415', async () => {
    const response = await postRun(app, token, 'a,b', 'text/csv');
    assert.equal(response.status, 415);
    assert.match(response.body.detail, /application\/json/);
  });

  test('text that PostgreSQL cannot hold is a 400 naming the path', async () => {
    const run = makeRun({ run_id: 'nul' });
    (run.records as Array<{ employee: Record<string, unknown> }>)[1]!.employee.last_name = 'Ok\u0000afor';
    const response = await post(run);
    assert.equal(response.status, 400);
    assert.deepEqual(
      response.body.errors.map((e: { path: string }) => e.path),
      ['records[1].employee.last_name'],
    );
  });

  test('without a token, with a malformed one, or with a revoked one the answer is 401', async () => {
    const anonymous = await request(app).post('/api/v1/sync-runs').set('Content-Type', 'application/json').send('{}');
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /Bearer/);
    assert.equal((await post(makeRun(), 'not-a-token')).status, 401);
    assert.equal((await post(makeRun(), `${token.slice(0, -4)}AAAA`)).status, 401);

    const other = await createOrgWithIntegration(db.knex, { slug: 'rotating' });
    const rotated = await rotateIngestToken(db.knex, 'rotating', other.integration.name);
    assert.equal((await post(makeRun({ run_id: 'old-token' }), other.token)).status, 401);
    assert.equal((await post(makeRun({ run_id: 'new-token' }), rotated.token)).status, 201);
  });

  test('a run is stored under the integration of its token, never one named in the body', async () => {
    const second = await createOrgWithIntegration(db.knex, { slug: 'second-org' });
    const response = await post(makeRun({ run_id: 'scoped', org_id: 1, integration_id: 1 }), second.token);
    assert.equal(response.status, 201);
    const stored = await db.knex('sync_runs').where({ run_id: 'scoped' }).first();
    assert.equal(stored.org_id, second.organisation.id);
    assert.equal(stored.integration_id, second.integration.id);
  });

  test('a run is stored whole or not at all when the database fails halfway', async () => {
    const before = await storedCounts();
    await db.knex.raw(`CREATE FUNCTION fail_errors() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await db.knex.raw('CREATE TRIGGER fail_errors BEFORE INSERT ON errors FOR EACH STATEMENT EXECUTE FUNCTION fail_errors()');
    try {
      const response = await post(makeRun({ run_id: 'half-written' }));
      assert.equal(response.status, 500);
      assert.doesNotMatch(response.text, /injected failure/, 'internals are not shown to callers');
    } finally {
      await db.knex.raw('DROP TRIGGER fail_errors ON errors');
      await db.knex.raw('DROP FUNCTION fail_errors()');
    }
    assert.deepEqual(await storedCounts(), before);
    assert.equal((await post(makeRun({ run_id: 'half-written' }))).status, 201);
  });
});

describe('limits', () => {
  test('a body over the limit is a 413', async () => {
    const small = createApp({ knex: db.knex, ingestLimits: { bodyLimit: 1024 } });
    const response = await postRun(small, token, makeRun({ run_id: 'x'.repeat(200), padding: 'p'.repeat(2000) }));
    assert.equal(response.status, 413);
  });

  test('a gzip body is limited by its decompressed size', async () => {
    const small = createApp({ knex: db.knex, ingestLimits: { bodyLimit: 4096 } });
    const body = gzipSync(JSON.stringify(makeRun({ run_id: 'bomb', padding: ' '.repeat(100_000) })));
    assert.ok(body.length < 4096);
    const response = await postRun(small, token, body);
    assert.equal(response.status, 413);
  });

  test('more records than the limit is a 413 that says how many', async () => {
    const small = createApp({ knex: db.knex, ingestLimits: { maxRecords: 2 } });
    const run = makeRun({ run_id: 'too-many' });
    (run.records as unknown[]).push((run.records as unknown[])[0]);
    const response = await postRun(small, token, run);
    assert.equal(response.status, 413);
    assert.match(response.body.detail, /at most 2 records; this one has 3/);
  });
});

describe('rate limit', () => {
  test('the third post in a minute over a limit of 2 is a 429 with Retry-After, and nothing of it is stored', async () => {
    const limited = createApp({ knex: db.knex, ingestLimits: { perMinute: 2 } });
    // Windows are whole minutes: an attempt that straddles a boundary is retried with fresh tokens.
    for (let attempt = 0; attempt < 3; attempt++) {
      const first = await createOrgWithIntegration(db.knex, { slug: `limited-${attempt}` });
      const neighbour = await createOrgWithIntegration(db.knex, { slug: `neighbour-${attempt}` });
      const minute = Math.floor(Date.now() / 60_000);
      const responses = [];
      for (let i = 0; i < 3; i++) responses.push(await postRun(limited, first.token, makeRun({ run_id: `limited-${i}` })));
      const other = await postRun(limited, neighbour.token, makeRun({ run_id: 'neighbour' }));
      if (Math.floor(Date.now() / 60_000) !== minute) continue;
      assert.deepEqual(
        responses.map((r) => r.status),
        [201, 201, 429],
      );
      assert.ok(Number(responses[2]!.headers['retry-after']) >= 1);
      assert.equal(await db.knex('sync_runs').where({ org_id: first.organisation.id, run_id: 'limited-2' }).first(), undefined);
      assert.equal(other.status, 201, "another token's count is its own");
      return;
    }
    assert.fail('could not post three runs within one minute window');
  });
});

describe('when the database is down', () => {
  test('ingest answers 503 with Retry-After, and readyz says so while healthz stays up', async () => {
    const unreachable = createKnex('postgres://postgres:x@127.0.0.1:1/feedlog', 1);
    try {
      const down = createApp({ knex: unreachable });
      const response = await postRun(down, token, makeRun());
      assert.equal(response.status, 503);
      assert.ok(Number(response.headers['retry-after']) > 0);
      assert.equal((await request(down).get('/readyz')).status, 503);
      assert.equal((await request(down).get('/healthz')).status, 200);
    } finally {
      await unreachable.destroy();
    }
  });

  test('readyz is 200 when the database answers', async () => {
    const response = await request(app).get('/readyz');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { status: 'ok', database: 'ok' });
  });
});
