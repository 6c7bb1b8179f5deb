/**
 * Scale-out that runs (issue 14): a PostgreSQL primary and a streaming replica
 * (Debian's server binaries: initdb, pg_ctl, pg_basebackup -R) in temporary
 * directories on free ports, two real app processes (`feedlog serve`) with
 * DATABASE_URL on the primary and DATABASE_READ_URL on the replica, then ingest
 * through both processes at once together with reads (API lists and pages)
 * for LOAD_SECONDS. Checked: every run answered 201 is on the primary and,
 * after catch-up, on the replica with the same record counts; no read failed;
 * a form post and the page it redirects to show the new value under load
 * (read-your-writes through a real, lagging replica); the replica's lag during
 * the load is sampled from pg_stat_replication and printed.
 * Run with `npm run test:stress -- replica` (as root it runs PostgreSQL as the
 * postgres user).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { Knex } from 'knex';
import { createIntegration } from '../../src/integrations/integrations.service.js';
import { createKnex } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createFixtureUsers, csrfFrom, emailOf, FIXTURE_PASSWORD } from '../helpers/accounts.js';
import { freePort } from '../helpers/free-port.js';
import { makeLargeRun } from '../helpers/large-run.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';
import { type ServerProcess, startServer } from '../helpers/server-process.js';

const LOAD_SECONDS = 40;
const INGEST_WORKERS = 4;
const READ_WORKERS = 4;
const METRICS_TOKEN = 'stress-metrics-token-0123456789';

/** The newest installed PostgreSQL server binaries, or a message saying how to install them. */
function serverBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((version) => ['initdb', 'pg_ctl', 'pg_basebackup'].every((tool) => fs.existsSync(path.join(root, version, 'bin', tool))))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(`No PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) under ${root}: apt-get install -y postgresql`);
  }
  return path.join(root, versions[0]!, 'bin');
}

const asRoot = process.getuid?.() === 0;
const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;

/** Runs a PostgreSQL tool, as the postgres user when this process is root (the server refuses to run as root). */
function pgTool(bin: string, tool: string, args: string[]): string {
  const command = [path.join(bin, tool), ...args];
  return asRoot
    ? execFileSync('su', ['postgres', '-c', command.map(quote).join(' ')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    : execFileSync(command[0]!, command.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Cluster {
  dir: string;
  port: number;
  url: (database: string) => string;
}

let bin: string;
let workDir: string;
let primary: Cluster;
let replica: Cluster;
let primaryKnex: Knex;
let replicaKnex: Knex;
const servers: ServerProcess[] = [];
const ingestTokens: string[] = [];
let apiToken: string;

const cluster = (name: string, port: number): Cluster => ({
  dir: path.join(workDir, name),
  port,
  url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
});

function startCluster(c: Cluster, settings: string[]): void {
  const options = [`-p ${c.port}`, `-k ${workDir}`, '-c listen_addresses=127.0.0.1', ...settings.map((s) => `-c ${s}`)].join(' ');
  pgTool(bin, 'pg_ctl', ['-D', c.dir, '-l', `${c.dir}.log`, '-o', options, '-w', '-t', '120', 'start']);
}

/** Bytes of WAL the replica has still to replay, per the primary. */
async function replicationState(): Promise<{ bytes: number; replayLagMs: number | null } | undefined> {
  const { rows } = await primaryKnex.raw(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS bytes,
            (EXTRACT(EPOCH FROM replay_lag) * 1000)::float8 AS replay_lag_ms
       FROM pg_stat_replication`,
  );
  const row = (rows as { bytes: number | null; replay_lag_ms: number | null }[])[0];
  return row ? { bytes: Number(row.bytes ?? 0), replayLagMs: row.replay_lag_ms } : undefined;
}

/** Waits until the replica has replayed everything the primary has written so far. */
async function catchUp(timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  const { rows } = await primaryKnex.raw('SELECT pg_current_wal_lsn()::text AS lsn');
  const target = (rows as { lsn: string }[])[0]!.lsn;
  for (;;) {
    const { rows: replayed } = await replicaKnex.raw('SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn AS done', [target]);
    if ((replayed as { done: boolean }[])[0]!.done) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`the replica did not reach ${target} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

before(async () => {
  bin = serverBinaries();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'feedlog-replica-'));
  if (asRoot) execFileSync('chown', ['postgres:postgres', workDir]);
  primary = cluster('primary', await freePort());
  replica = cluster('replica', await freePort());
  pgTool(bin, 'initdb', ['-D', primary.dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  startCluster(primary, ['max_connections=200', 'wal_level=replica', 'max_wal_senders=4', 'shared_buffers=128MB']);
  pgTool(bin, 'pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', replica.dir, '-R', '-X', 'stream', '-c', 'fast']);
  // hot_standby_feedback: the primary keeps rows the replica's reads still need, so fewer of them are cancelled.
  startCluster(replica, ['max_connections=200', 'hot_standby=on', 'hot_standby_feedback=on', 'shared_buffers=128MB']);

  const admin = createKnex(primary.url('postgres'), 1);
  await admin.raw('CREATE DATABASE feedlog');
  await admin.destroy();
  primaryKnex = createKnex(primary.url('feedlog'), 4);
  await migrateToLatest(primaryKnex);
  const fixtures = await createFixtureUsers(primaryKnex);
  apiToken = fixtures.apiTokens.owner;
  ingestTokens.push(fixtures.orgA.token, fixtures.orgB.token);
  for (let i = 1; i <= 4; i++)
    ingestTokens.push((await createIntegration(primaryKnex, { orgSlug: i % 2 ? 'org-a' : 'org-b', name: `stress ${i}`, schedule: '15m' })).token);

  replicaKnex = createKnex(replica.url('feedlog'), 2);
  const inRecovery = await replicaKnex.raw('SELECT pg_is_in_recovery() AS standby');
  assert.equal((inRecovery.rows as { standby: boolean }[])[0]!.standby, true, 'the replica is a streaming standby');
  await catchUp();

  for (let i = 0; i < 2; i++) {
    servers.push(
      await startServer(primary.url('feedlog'), {
        DATABASE_READ_URL: replica.url('feedlog'),
        METRICS_TOKEN,
        INGEST_RATE_LIMIT_PER_MINUTE: '1000000',
        INGEST_CONCURRENCY: '4',
        DATABASE_POOL_MAX: '10',
        SCHEDULER: 'on',
        SCHEDULER_TICK: '5s',
      }),
    );
  }
});

after(async () => {
  for (const server of servers) await server.kill();
  await primaryKnex?.destroy();
  await replicaKnex?.destroy();
  for (const c of [replica, primary]) {
    if (c && fs.existsSync(c.dir)) {
      try {
        pgTool(bin, 'pg_ctl', ['-D', c.dir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
    }
  }
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

/** Signs in over real HTTP and returns the session cookie. */
async function signInOver(url: string): Promise<{ cookie: string }> {
  const loginPage = await fetch(`${url}/login`);
  const csrfCookie = loginPage.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrfCookie.join('; ') },
    body: new URLSearchParams({ email: emailOf('owner'), password: FIXTURE_PASSWORD, _csrf: csrfFrom(await loginPage.text()) }),
  });
  assert.equal(res.status, 303, 'signed in');
  const session = res.headers.getSetCookie().find((c) => c.startsWith('feedlog_session='))!;
  return { cookie: session.split(';')[0]! };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

test('two app processes on a primary and a streaming replica: ingest and reads together, nothing lost, lag reported', async () => {
  const urls = servers.map((server) => server.url);
  const sessions = await Promise.all(urls.map(signInOver));
  const stopAt = Date.now() + LOAD_SECONDS * 1000;

  // Ingest: runs of 100 to 1,000 records, each worker through one process, alternating.
  const posted: { runId: string; records: number }[] = [];
  const ingestFailures: string[] = [];
  let ingestMs = 0;
  const ingestWorker = async (worker: number) => {
    for (let n = 0; Date.now() < stopAt; n++) {
      const records = 100 + ((worker * 7 + n * 13) % 10) * 100;
      const runId = `stress-${worker}-${n}`;
      const minute = worker * 1000 + n;
      const startedAt = new Date(Date.UTC(2026, 10, 1) + minute * 60_000);
      const body = JSON.stringify({
        ...makeLargeRun(records, runId),
        started_at: startedAt.toISOString(),
        finished_at: new Date(startedAt.getTime() + 30_000).toISOString(),
      });
      const url = urls[(worker + n) % urls.length]!;
      const started = Date.now();
      const res = await fetch(`${url}/api/v1/sync-runs`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ingestTokens[worker % ingestTokens.length]}`, 'Content-Type': 'application/json' },
        body,
      });
      ingestMs += Date.now() - started;
      const text = await res.text();
      if (res.status === 201) posted.push({ runId, records });
      else ingestFailures.push(`${runId}: ${res.status} ${text.slice(0, 200)}`);
    }
  };

  // Reads: API lists and pages, through both processes.
  const READS = [
    '/api/v1/sync-runs',
    '/api/v1/records?limit=50',
    '/api/v1/error-groups',
    '/api/v1/employees?limit=50',
    '/api/v1/overview',
    '/',
    '/runs',
    '/error-groups',
    '/employees',
  ];
  const readFailures: string[] = [];
  const readMs: number[] = [];
  const readWorker = async (worker: number) => {
    for (let n = 0; Date.now() < stopAt; n++) {
      const target = READS[(worker + n) % READS.length]!;
      const index = (worker + n) % urls.length;
      const headers: Record<string, string> = target.startsWith('/api/') ? { Authorization: `Bearer ${apiToken}` } : { Cookie: sessions[index]!.cookie };
      const started = Date.now();
      const res = await fetch(`${urls[index]}${target}`, { headers, redirect: 'manual' }).catch((error: Error) => ({
        status: 0,
        text: async () => error.message,
      }));
      readMs.push(Date.now() - started);
      const text = await res.text();
      if (res.status !== 200) readFailures.push(`${target}: ${res.status} ${text.slice(0, 200)}`);
    }
  };

  // Read-your-writes through the real replica: a form post, then the page it redirects to.
  const rywFailures: string[] = [];
  let rywChecks = 0;
  const rywWorker = async () => {
    // An error group appears once the first runs are in: wait for one.
    let groupId = '';
    for (; !groupId && Date.now() < stopAt; await sleep(200)) {
      const list = (await (await fetch(`${urls[0]}/api/v1/error-groups`, { headers: { Authorization: `Bearer ${apiToken}` } })).json()) as {
        items: { id: string }[];
      };
      groupId = list.items[0]?.id ?? '';
    }
    for (let n = 0; Date.now() < stopAt; n++) {
      const url = urls[n % urls.length]!;
      const cookie = sessions[n % urls.length]!.cookie;
      const page = await fetch(`${url}/error-groups/${groupId}`, { headers: { Cookie: cookie } });
      const csrf = csrfFrom(await page.text());
      const status = n % 2 === 0 ? 'ignored' : 'open';
      const posted = await fetch(`${url}/error-groups/${groupId}/status`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
        body: new URLSearchParams({ status, _csrf: csrf }),
      });
      const wal = posted.headers
        .getSetCookie()
        .find((c) => c.startsWith('feedlog_wal='))
        ?.split(';')[0];
      const next = await fetch(`${url}${posted.headers.get('location')}`, { headers: { Cookie: [cookie, wal].filter(Boolean).join('; ') } });
      const shown = /class="status status-(\w+)">\1</.exec(await next.text())?.[1];
      rywChecks++;
      if (posted.status !== 303 || !wal || shown !== status)
        rywFailures.push(`#${n}: posted ${posted.status}, cookie ${wal ? 'set' : 'missing'}, shown ${shown} instead of ${status}`);
      await sleep(250);
    }
  };

  // Replica lag, sampled from the primary every 250 ms.
  const lagBytes: number[] = [];
  const lagMs: number[] = [];
  const sampler = async () => {
    while (Date.now() < stopAt) {
      const state = await replicationState();
      if (state) {
        lagBytes.push(state.bytes);
        if (state.replayLagMs !== null) lagMs.push(state.replayLagMs);
      }
      await sleep(250);
    }
  };

  const loadStarted = Date.now();
  await Promise.all([
    ...Array.from({ length: INGEST_WORKERS }, (_, worker) => ingestWorker(worker)),
    ...Array.from({ length: READ_WORKERS }, (_, worker) => readWorker(worker)),
    rywWorker(),
    sampler(),
  ]);
  const loadSeconds = (Date.now() - loadStarted) / 1000;
  const catchUpMs = await catchUp();

  // Nothing lost: every run answered 201 is on the primary and on the replica, with its records.
  const countsOn = async (knex: Knex) => {
    const { rows } = await knex.raw(
      `SELECT s.run_id, s.record_count, (SELECT count(*) FROM feed_records r WHERE r.org_id = s.org_id AND r.sync_run_id = s.id)::int AS stored
         FROM sync_runs s WHERE s.run_id LIKE 'stress-%'`,
    );
    return new Map((rows as { run_id: string; record_count: number; stored: number }[]).map((row) => [row.run_id, row]));
  };
  const [onPrimary, onReplica] = await Promise.all([countsOn(primaryKnex), countsOn(replicaKnex)]);
  const records = posted.reduce((sum, run) => sum + run.records, 0);
  const scrapes = await Promise.all(
    urls.map(async (url) => parsePrometheus(await (await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text())),
  );
  const readsBy = (pool: string) =>
    scrapes.reduce((sum, families) => sum + (sampleValue(families, 'feedlog_read_requests_total', 'feedlog_read_requests_total', { pool }) ?? 0), 0);

  const report = [
    `replica stress: PostgreSQL ${path.basename(path.dirname(bin))} primary :${primary.port} + streaming replica :${replica.port}, 2 app processes, ${loadSeconds.toFixed(1)} s, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `  ingest: ${posted.length} runs (${records.toLocaleString('en')} records) answered 201 through ${INGEST_WORKERS} workers, ${ingestFailures.length} failed; ${Math.round(records / loadSeconds).toLocaleString('en')} records/s; mean ${Math.round(ingestMs / Math.max(1, posted.length + ingestFailures.length))} ms per run`,
    `  reads: ${readMs.length} API lists and pages through ${READ_WORKERS} workers, ${readFailures.length} failed; p50 ${percentile(readMs, 50)} ms, p95 ${percentile(readMs, 95)} ms`,
    `  reads by pool (both processes): replica ${readsBy('replica')}, primary for own writes ${readsBy('primary_own_writes')}, primary (replica down) ${readsBy('primary_replica_down')}, answered again on the primary ${readsBy('primary_failover')}`,
    `  read-your-writes: ${rywChecks} form posts then their page, ${rywFailures.length} showed an old value`,
    `  replica lag during the load (${lagBytes.length} samples of pg_stat_replication): bytes behind p50 ${percentile(lagBytes, 50).toLocaleString('en')}, p95 ${percentile(lagBytes, 95).toLocaleString('en')}, max ${Math.max(0, ...lagBytes).toLocaleString('en')}; replay_lag p50 ${percentile(lagMs, 50).toFixed(1)} ms, p95 ${percentile(lagMs, 95).toFixed(1)} ms, max ${Math.max(0, ...lagMs).toFixed(1)} ms`,
    `  after the load the replica caught up in ${catchUpMs} ms; runs on the primary ${onPrimary.size}, on the replica ${onReplica.size}`,
  ].join('\n');
  process.stderr.write(`\n${report}\n\n`);
  if (ingestFailures.length + readFailures.length + rywFailures.length > 0) {
    process.stderr.write(`first failures:\n${[...ingestFailures, ...readFailures, ...rywFailures].slice(0, 10).join('\n')}\n`);
    for (const server of servers) process.stderr.write(`--- ${server.url}\n${server.output().slice(-3000)}\n`);
  }

  assert.deepEqual(ingestFailures, [], 'every ingest was stored');
  assert.deepEqual(readFailures, [], 'no read failed');
  assert.deepEqual(rywFailures, [], 'every page after a form showed its change');
  assert.ok(posted.length >= INGEST_WORKERS, `runs were posted (${posted.length})`);
  assert.ok(readsBy('replica') > readMs.length / 2, 'most reads went to the replica');
  for (const run of posted) {
    const p = onPrimary.get(run.runId);
    const r = onReplica.get(run.runId);
    assert.ok(p, `${run.runId} is on the primary`);
    assert.ok(r, `${run.runId} is on the replica`);
    assert.deepEqual([p.record_count, p.stored, r.record_count, r.stored], [run.records, run.records, run.records, run.records], `${run.runId}: records`);
  }
  assert.equal(onPrimary.size, posted.length, 'no run on the primary that was not answered 201');
  assert.ok(lagBytes.length > 0, 'the primary saw the replica in pg_stat_replication');
});
