/**
 * DATABASE_READ_URL (src/db/read-routing.ts), on real PostgreSQL:
 * - the reader is a role whose transactions are read-only (and that may only
 *   SELECT), so a write that wrongly goes to it fails loudly; every GET of the
 *   router answers through it, and the data queries of each ran on it;
 * - read-your-writes: the reader is a stale copy of the data (a second database
 *   that never sees the writes), standing in for a lagging replica; a form post
 *   then the page it redirects to shows the new value (from the primary), while
 *   another person, who wrote nothing, reads the stale copy;
 * - the replica down: reads fall back to the primary, never an error; and a
 *   replica that goes away under a read (a TCP proxy cut) is answered again
 *   from the primary.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createApp } from '../src/app/app.js';
import { createKnex } from '../src/db/database.js';
import { parseLsn, primaryPosition, readerPosition, WAL_COOKIE } from '../src/db/read-routing.js';
import { createUnsubscribeToken } from '../src/email/preferences.queries.js';
import { findUserByEmail } from '../src/auth/auth.queries.js';
import { createFixtureUsers, emailOf, signIn, type BrowserSession } from './helpers/accounts.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { outboxEmailSetup } from './helpers/email.js';
import { freePort } from './helpers/free-port.js';
import { makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';
import { parsePrometheus, sampleValue } from './helpers/prometheus.js';
import { appRoutes } from './helpers/routes.js';

const METRICS_TOKEN = 'replica-test-metrics-token-0123';
const ROLE = `feedlog_reader_${process.pid}`;
const ROLE_PASSWORD = 'reader-password';

let db: TestDatabase;
/** A second database with the same fixtures, that the primary's writes never reach. */
let stale: TestDatabase;
let readOnly: Knex;
const targets: Record<string, string> = {};

const failedRecord = (externalId: string, title: string) => ({
  external_id: externalId,
  action: 'create',
  outcome: 'failed',
  employee: {
    first_name: 'Rhea',
    last_name: 'Plica',
    email: `${externalId.toLowerCase()}@example.com`,
    job_title: title,
    department: 'Kitchen',
    branch: 'London Soho',
  },
  messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: `Job title '${title}' does not exist` }],
});

/** The same fixtures, in the same order, so that ids match in both databases. */
async function seed(knex: Knex) {
  const fixtures = await createFixtureUsers(knex);
  const app = createApp({ knex, email: outboxEmailSetup() });
  const run = await postRun(app, fixtures.orgA.token, makeRun({ run_id: 'replica-run', records: [failedRecord('R-1', 'Replica Title')] }));
  assert.equal(run.status, 201, run.text);
  await postRun(app, fixtures.orgB.token, makeRun({ run_id: 'replica-run-b', records: [failedRecord('B-1', 'Other Title')] }));
  const groups = await request(app).get('/api/v1/error-groups').set('Authorization', `Bearer ${fixtures.apiTokens.owner}`);
  const group = (groups.body.items as { id: string; value: string | null }[]).find((g) => g.value === 'Replica Title')!;
  const teammate = (await findUserByEmail(knex, emailOf('teammate')))!.id;
  const [delivery] = await knex('email_deliveries')
    .insert({ org_id: fixtures.orgA.organisation.id, user_id: teammate, kind: 'summary', dedupe_key: 'summary:replica', subject: 'Replica outbox subject' })
    .returning('id');
  return {
    fixtures,
    targets: {
      run: String(run.body.id),
      recordIndex: '0',
      group: group.id,
      employee: 'R-1',
      delivery: String(delivery.id),
      unsubscribeToken: await createUnsubscribeToken(knex, fixtures.orgA.organisation.id, teammate),
    },
  };
}

let apiTokens: Record<string, string>;

before(async () => {
  db = await createTestDatabase();
  stale = await createTestDatabase();
  const seeded = await seed(db.knex);
  await seed(stale.knex);
  apiTokens = seeded.fixtures.apiTokens;
  Object.assign(targets, seeded.targets);
  // The reader: may log in and SELECT, and its transactions are read-only.
  await db.knex.raw(`DROP ROLE IF EXISTS ${ROLE}`);
  await db.knex.raw(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE_PASSWORD}'`);
  await db.knex.raw(`ALTER ROLE ${ROLE} SET default_transaction_read_only = on`);
  await db.knex.raw(`GRANT USAGE ON SCHEMA public TO ${ROLE}`);
  await db.knex.raw(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ROLE}`);
  const url = new URL(db.url);
  url.username = ROLE;
  url.password = ROLE_PASSWORD;
  readOnly = createKnex(url.toString(), 5);
});

after(async () => {
  await readOnly.destroy();
  await stale.drop();
  await db.drop();
  const admin = createKnex(new URL('/postgres', db.url).toString(), 1);
  await admin.raw(`DROP ROLE IF EXISTS ${ROLE}`);
  await admin.destroy();
});

const scrape = async (app: Express) => parsePrometheus((await request(app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).text);
const readsFrom = async (app: Express, pool: string) =>
  sampleValue(await scrape(app), 'feedlog_read_requests_total', 'feedlog_read_requests_total', { pool }) ?? 0;

/** Statements sent to a pool while `work` runs. */
async function statementsOn<T>(knex: Knex, work: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  const sql: string[] = [];
  const listener = (query: { sql: string }) => sql.push(query.sql);
  knex.on('query', listener);
  try {
    return { result: await work(), sql };
  } finally {
    knex.off('query', listener);
  }
}

/** A GET route with its parameters filled from the fixtures (`:id` by the route it belongs to). */
function concretePath(route: string): string {
  const path = route.split(' ')[1]!;
  const idOf =
    path.startsWith('/runs/') || path.startsWith('/api/v1/sync-runs/') ? targets.run : path.includes('error-groups') ? targets.group : targets.delivery;
  const query = path === '/search' ? '?q=nobody-by-this-name' : '';
  return (
    path.replace(/:(\w+)/g, (_, name: string) =>
      encodeURIComponent(
        (name === 'id'
          ? idOf
          : name === 'index'
            ? targets.recordIndex
            : targets[name === 'external_id' ? 'employee' : name === 'token' ? 'unsubscribeToken' : name]) ?? `?${name}`,
      ),
    ) + query
  );
}

/** Routes that read nothing of an organisation's data (or only the session's person), and those that stay on the primary on purpose. */
const NO_DATA_READ = new Set([
  '/healthz',
  '/metrics',
  '/static/vendor/chart.umd.min.js',
  '/api/v1/openapi.json',
  '/api/docs',
  '/settings/password',
  '/settings/profile',
]);
const OWN_SETTINGS = new Set(['/api/v1/me/email-preferences', '/settings/notifications']);
const PRIMARY_ON_PURPOSE = new Set(['/login', '/unsubscribe/:token', '/readyz']);
/** What the primary may be asked during a GET: who is calling (session, token, person, memberships), never the data shown. */
const AUTH_TABLES = /\b(sessions|api_tokens|ingest_tokens|users|memberships|organisations)\b/;

describe('reads through a read-only reader', () => {
  test('every GET of the router answers through it, as the owner and as support, and its data comes from the reader', async () => {
    const app = createApp({ knex: db.knex, reader: readOnly, metricsToken: METRICS_TOKEN, email: outboxEmailSetup() });
    const gets = appRoutes(app).filter((route) => route.startsWith('GET '));
    assert.ok(gets.length >= 30, `the router has its GETs: ${gets.join(', ')}`);
    const replicaBefore = await readsFrom(app, 'replica');
    let walked = 0;
    for (const who of ['owner', 'support'] as const) {
      const session: BrowserSession = await signIn(app, emailOf(who));
      for (const route of gets) {
        const path = concretePath(route);
        const routePath = route.split(' ')[1]!;
        const send = () =>
          path.startsWith('/api/')
            ? request(app).get(path).set('Authorization', `Bearer ${apiTokens[who]}`)
            : routePath === '/metrics'
              ? request(app).get(path).set('Authorization', `Bearer ${METRICS_TOKEN}`)
              : session.agent.get(path).set('Accept', 'text/html');
        const onReader = await statementsOn(readOnly, () => statementsOn(db.knex, send));
        const res = onReader.result.result;
        const onPrimary = onReader.result.sql;
        const expected = routePath === '/login' ? 303 : 200;
        assert.equal(res.status, expected, `GET ${path} as ${who} through the reader: ${res.status} ${res.text.slice(0, 300)}`);
        walked++;
        if (NO_DATA_READ.has(routePath) || PRIMARY_ON_PURPOSE.has(routePath)) continue;
        // Support belongs to no organisation: it has no email preferences to read.
        if (who === 'support' && OWN_SETTINGS.has(routePath)) continue;
        assert.ok(onReader.sql.length > 0, `GET ${path} as ${who} read nothing through the reader`);
        const dataOnPrimary = onPrimary.filter((sql) => !AUTH_TABLES.test(sql) && !/pg_current_wal_lsn|pg_is_in_recovery/.test(sql));
        assert.deepEqual(dataOnPrimary, [], `GET ${path} as ${who} read data from the primary`);
      }
    }
    // The walk, the sign-in page of each person and the scrape that counts them (the first one counted itself).
    assert.equal((await readsFrom(app, 'replica')) - replicaBefore, walked + 3, 'every GET chose the replica');
  });

  test('the reader really refuses writes (so a write sent to it cannot pass unnoticed)', async () => {
    await assert.rejects(readOnly('error_groups').update({ status: 'ignored' }), /read-only transaction|permission denied/);
  });

  test('writes go to the primary: a form post and an API PATCH succeed with the read-only reader in place', async () => {
    const app = createApp({ knex: db.knex, reader: readOnly, metricsToken: METRICS_TOKEN, email: outboxEmailSetup() });
    const owner = await signIn(app, emailOf('owner'));
    const posted = await owner.agent
      .post(`/error-groups/${targets.group}/status`)
      .type('form')
      .send({ status: 'resolved', _csrf: await owner.csrf() });
    assert.equal(posted.status, 303, posted.text);
    const cookie = ([] as string[]).concat(posted.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${WAL_COOKIE}=`));
    assert.ok(cookie, 'a successful write leaves the primary WAL position in a cookie');
    assert.match(cookie, /Max-Age=300; Path=\/; HttpOnly; SameSite=Lax/);
    const patched = await request(app)
      .patch(`/api/v1/error-groups/${targets.group}`)
      .set('Authorization', `Bearer ${apiTokens.owner}`)
      .send({ status: 'open' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await db.knex('error_groups').where({ id: targets.group }).first('status')).status, 'open');
  });

  test('WAL positions: the primary is never behind a reader on the same server, and positions order as numbers', async () => {
    const primary = parseLsn(await primaryPosition(db.knex))!;
    const reader = (await readerPosition(readOnly))!;
    assert.ok(reader >= primary, `${reader} >= ${primary}`);
    assert.ok(parseLsn('1/0')! > parseLsn('0/FFFFFFFF')!);
    assert.equal(parseLsn('0/1F'), 31n);
    for (const bad of ['', '1', 'x/1', '1/2/3', '123456789/0']) assert.equal(parseLsn(bad), undefined, bad);
  });
});

describe('read-your-writes against a lagging replica', () => {
  const statusShown = (html: string) => /class="status status-(\w+)">\1</.exec(html)?.[1];

  test("a form post, then the page it redirects to, shows the new value; someone who wrote nothing reads the replica's", async () => {
    // The replica: the stale database. It has replayed everything up to the moment both signed in (signing
    // in writes a session: the first page after it drops the cookie, the replica having it), and no further.
    let replicaAt = 0n;
    const app = createApp({ knex: db.knex, reader: stale.knex, replicaPosition: async () => replicaAt, email: outboxEmailSetup() });
    const owner = await signIn(app, emailOf('owner'));
    const teammate = await signIn(app, emailOf('teammate'));
    replicaAt = parseLsn(await primaryPosition(db.knex))!;
    const group = `/error-groups/${targets.group}`;
    for (const person of [owner, teammate])
      assert.equal(statusShown((await person.agent.get(group)).text), 'open', 'before any write the replica serves the page');

    const posted = await owner.agent
      .post(`${group}/status`)
      .type('form')
      .send({ status: 'ignored', _csrf: await owner.csrf() });
    assert.equal(posted.status, 303);
    const next = await owner.agent.get(posted.headers.location!);
    assert.equal(next.status, 200);
    assert.equal(statusShown(next.text), 'ignored', 'the page after the form shows what the form changed');
    assert.equal(statusShown((await owner.agent.get(group)).text), 'ignored', 'and so do later pages, until the replica has caught up');

    const other = await teammate.agent.get(group);
    assert.equal(statusShown(other.text), 'open', 'someone who wrote nothing reads the (stale) replica: reads do go to it');
    const api = await request(app).get(`/api/v1/error-groups/${targets.group}`).set('Authorization', `Bearer ${apiTokens.owner}`);
    assert.equal(api.body.status, 'open', 'an API client without the cookie reads the replica too');
  });

  test('once the replica has replayed the write, the reader reads it again and the cookie is dropped', async () => {
    // (The stale copy's group stays open whatever the primary holds: that is how a read from it shows.)
    let replicaAt = 0n;
    const app = createApp({ knex: db.knex, reader: stale.knex, replicaPosition: async () => replicaAt, email: outboxEmailSetup() });
    const owner = await signIn(app, emailOf('owner'));
    replicaAt = parseLsn(await primaryPosition(db.knex))!;
    const group = `/error-groups/${targets.group}`;
    const posted = await owner.agent
      .post(`${group}/status`)
      .type('form')
      .send({ status: 'resolved', _csrf: await owner.csrf() });
    const written = /feedlog_wal=([^;]+)/.exec(([] as string[]).concat(posted.headers['set-cookie'] ?? []).join('\n'))![1]!;
    assert.equal(statusShown((await owner.agent.get(group)).text), 'resolved');
    replicaAt = parseLsn(decodeURIComponent(written))!;
    const caughtUp = await owner.agent.get(group);
    assert.equal(statusShown(caughtUp.text), 'open', "caught up, the replica serves (here the stale copy's value shows it)");
    assert.ok(([] as string[]).concat(caughtUp.headers['set-cookie'] ?? []).some((c) => c.startsWith(`${WAL_COOKIE}=;`) && /Max-Age=0/.test(c)));
    assert.equal(statusShown((await owner.agent.get(group)).text), 'open');
  });

  test('a forged or malformed cookie changes nothing but where its bearer reads', async () => {
    let replicaAt = 0n;
    const app = createApp({ knex: db.knex, reader: stale.knex, replicaPosition: async () => replicaAt, email: outboxEmailSetup() });
    const teammate = await signIn(app, emailOf('teammate'));
    replicaAt = parseLsn(await primaryPosition(db.knex))!;
    await db.knex('error_groups').where({ id: targets.group }).update({ status: 'resolved' });
    const group = `/error-groups/${targets.group}`;
    const read = (wal: string) => request(app).get(group).set('Cookie', `${teammate.cookie}; ${WAL_COOKIE}=${wal}`);
    for (const value of ['nonsense', '1/2/3', '%00', 'FFFFFFFFF/0', '0%2F1']) {
      const res = await read(value);
      assert.equal(res.status, 200);
      assert.equal(statusShown(res.text), 'open', `${value}: read from the replica as if there were no cookie`);
    }
    const forged = await read('FFFFFFFF%2FFFFFFFFF');
    assert.equal(statusShown(forged.text), 'resolved', 'a far-future position reads the primary: nothing more');
  });
});

describe('when the replica is down', () => {
  test('reads fall back to the primary (200, never an error), and /metrics says the replica is down', async () => {
    const closedPort = await freePort();
    const gone = createKnex(`postgres://nobody@127.0.0.1:${closedPort}/nothing`, 2, 1_000);
    try {
      const app = createApp({ knex: db.knex, reader: gone, metricsToken: METRICS_TOKEN, email: outboxEmailSetup() });
      const owner = await signIn(app, emailOf('owner'));
      for (const path of ['/', '/runs', `/runs/${targets.run}`, `/error-groups/${targets.group}`, '/employees']) {
        const res = await owner.agent.get(path);
        assert.equal(res.status, 200, `${path}: ${res.text.slice(0, 200)}`);
      }
      const api = await request(app).get('/api/v1/sync-runs').set('Authorization', `Bearer ${apiTokens.owner}`);
      assert.equal(api.status, 200);
      const families = await scrape(app);
      assert.equal(sampleValue(families, 'feedlog_read_replica_up', 'feedlog_read_replica_up'), 0);
      assert.ok((sampleValue(families, 'feedlog_read_requests_total', 'feedlog_read_requests_total', { pool: 'primary_replica_down' }) ?? 0) >= 6);
    } finally {
      await gone.destroy();
    }
  });

  test('a replica that goes away under a read: that read is answered again from the primary', async () => {
    const target = new URL(db.url);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = new URL(db.url);
    proxied.port = String((proxy.address() as net.AddressInfo).port);
    const reader = createKnex(proxied.toString(), 2, 1_000);
    try {
      const app = createApp({ knex: db.knex, reader, metricsToken: METRICS_TOKEN, email: outboxEmailSetup() });
      const owner = await signIn(app, emailOf('owner'));
      assert.equal((await owner.agent.get('/runs')).status, 200);
      const failoversBefore = await readsFrom(app, 'primary_failover');
      // The replica dies between the look at it and the read: the proxy stops and cuts every connection.
      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      const res = await owner.agent.get(`/runs/${targets.run}`);
      assert.equal(res.status, 200, res.text.slice(0, 300));
      assert.match(res.text, /replica-run/);
      assert.equal((await readsFrom(app, 'primary_failover')) - failoversBefore, 1, 'the read was answered again, from the primary');
    } finally {
      await reader.destroy();
      proxy.close();
    }
  });
});
