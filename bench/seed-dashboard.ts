/**
 * A seeded generator of the dashboard benchmark's database, to 10 million feed
 * records (or `--records N`) in minutes: straight into the tables, not one
 * record at a time through HTTP.
 *
 * 1. A base goes in through the real ingest path (POST /api/v1/sync-runs into
 *    the app): bench/dashboard-data.ts's four integrations of org-a and org-b,
 *    shrunk to a fraction of their size, and three small organisations with
 *    one HR feed each; so every derived table (errors, groups, members,
 *    employee states, summaries and versions, hourly rollups, events) holds
 *    what production writes, and an admin resolves and ignores some groups.
 * 2. Then the base of each organisation is copied back in time in SQL
 *    (INSERT ... SELECT over generate_series, COPY_SPAN_DAYS further back per
 *    copy): runs, records, errors, employee state versions, hourly rollups and
 *    events, with new run, error and event ids (the base id plus copy x the
 *    base's largest id), every timestamp shifted, the engine's run id suffixed.
 *    org-a gets most copies (the large organisation, about 85% of the
 *    records), org-b a tenth, the small ones none. Groups keep their members
 *    and get the copies' occurrences and first sightings; summaries their
 *    first sightings.
 * 3. VACUUM (ANALYZE), as autovacuum leaves a database at rest.
 *
 * Deterministic but for the ids' order (the base is the seeded data of
 * bench/dashboard-data.ts). The database (`feedlog_bench_dashboard`, one per
 * server: a build of another size replaces it) is kept, marked with
 * SEED_VERSION, DATA_VERSION and the record count, and reused by the next run
 * of bench/dashboard.ts; `--migrate` runs pending migrations on it instead of
 * a new build. The copies go in without the per-row foreign-key triggers
 * (session_replication_role = replica) and without waiting for the WAL
 * (synchronous_commit = off): both need a superuser, as the benchmarks'
 * servers have.
 *
 * `node --import tsx bench/seed-dashboard.ts [--records 10000000] [--rebuild] [--migrate]`
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import pg from 'pg';
import { createApiToken, createUser } from '../src/accounts/accounts.service.js';
import { createApp } from '../src/app/app.js';
import { config, useConfigWithDefaults } from '../src/config.js';
import { createKnex } from '../src/db/database.js';
import { ensureEmbeddedPostgres } from '../src/db/embedded.js';
import { listMigrations, MIGRATIONS_DIR, migrateToLatest } from '../src/db/migrate.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { logToStderr } from '../src/logger.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { ensureMonthPartition, PARTITIONED_TABLES } from '../src/retention/retention.queries.js';
import { FIXTURE_PASSWORD } from '../test/helpers/accounts.js';
import { serveApp } from '../test/helpers/browser.js';
import { withDatabaseName } from '../test/helpers/database-url.js';
import { DATA_VERSION, type IntegrationPlan, PLANS, runsOf, scaledPlans } from './dashboard-data.js';

/** Bump when what the generator writes changes: a stored database of another version is built again. */
export const SEED_VERSION = 1;
export const SEED_DATABASE = 'feedlog_bench_dashboard';
export const DEFAULT_RECORDS = 10_000_000;
/** Each copy of the base lies this many days before the previous one (the base's daily pushes span five days). */
const COPY_SPAN_DAYS = 5;
/** Copies per INSERT statement: a progress line each. */
const COPIES_PER_STATEMENT = 8;
/** Shares of the records: org-a the rest. */
const ORG_B_SHARE = 0.1;
/** Small organisations with one HR feed each: support's lists read every organisation. */
const SMALL_ORGS = ['org-c', 'org-d', 'org-e'] as const;

export interface SeedOptions {
  records: number;
  rebuild: boolean;
  migrate: boolean;
}

const thousands = (n: number) => Math.round(n).toLocaleString('en');
export const seconds = (ms: number) => (ms >= 120_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${(ms / 1000).toFixed(1)} s`);

export async function adminQuery<Row>(adminUrl: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- the base, through ingest

async function createPeople(knex: Knex): Promise<void> {
  await createOrganisation(knex, 'org-a', 'Northern Hospitality Group');
  await createOrganisation(knex, 'org-b', 'Irish Sea Hotels');
  for (const [n, slug] of SMALL_ORGS.entries()) await createOrganisation(knex, slug, `Small Hotel Group ${n + 1}`);
  for (const [name, role, org] of [
    ['owner', 'admin', 'org-a'],
    ['teammate', 'ops', 'org-a'],
    ['outsider', 'admin', 'org-b'],
    ['support', 'support', undefined],
  ] as const) {
    await createUser(knex, { email: `${name}@example.com`, role, orgSlug: org, password: FIXTURE_PASSWORD });
  }
}

async function post(base: string, token: string, body: unknown): Promise<void> {
  const bytes = Buffer.from(JSON.stringify(body));
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(`${base}/api/v1/sync-runs`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: bytes,
      });
    } catch (error) {
      // A kept-alive connection that the server closed as the post went out (ECONNRESET):
      // post again, as an engine would; a run stored already answers 200.
      if (attempt >= 3) throw error;
      continue;
    }
    const text = await response.text();
    if (response.status === 201 || (attempt > 1 && response.status === 200)) return;
    throw new Error(`ingest answered ${response.status}: ${text.slice(0, 500)}`);
  }
}

/** What an admin does between runs: resolves some groups and ignores others (the next runs regress a few). */
async function adminActions(base: string, token: string, integrationId: number): Promise<void> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const listed = await fetch(`${base}/api/v1/error-groups?integration=${integrationId}&limit=100`, { headers });
  if (listed.status !== 200) throw new Error(`listing groups answered ${listed.status}`);
  const { items } = (await listed.json()) as { items: { id: string }[] };
  for (const [index, group] of items.slice(0, 25).entries()) {
    const response = await fetch(`${base}/api/v1/error-groups/${group.id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ status: index < 20 ? 'resolved' : 'ignored' }),
    });
    if (response.status !== 200) throw new Error(`changing group ${group.id} answered ${response.status}: ${await response.text()}`);
  }
}

/** The base's plans: org-a's and org-b's at `scale`, and one small HR feed per small organisation. */
export function basePlans(scale: number): IntegrationPlan[] {
  const small = scaledPlans(Math.max(scale / 4, 0.002))[2]!;
  return [
    ...scaledPlans(scale),
    ...SMALL_ORGS.map((org, n) => ({ ...small, org: org as IntegrationPlan['org'], name: `HR feed ${n + 1} to Flow`, idPrefix: `S${n + 1}-` })),
  ];
}

/** Posts every run of every plan through the app, with progress; returns the records posted. */
export async function ingestBase(knex: Knex, plans: IntegrationPlan[]): Promise<number> {
  await createPeople(knex);
  const tokens: string[] = [];
  const integrationIds: number[] = [];
  for (const plan of plans) {
    const { integration, token } = await createIntegration(knex, {
      orgSlug: plan.org,
      name: plan.name,
      schedule: plan.schedule,
      timeZone: plan.timeZone,
      sourceSystem: plan.sourceSystem,
      targetSystem: plan.targetSystem,
    });
    tokens.push(token);
    integrationIds.push(integration.id);
  }
  const ownerToken = await createApiToken(knex, 'owner@example.com', 'bench-build');
  // Hundreds of runs a minute would trip the per-token rate limit, which is not what is measured here.
  const served = await serveApp(createApp({ knex, ingestLimits: { perMinute: 1_000_000 } }));
  const end = new Date(Math.floor(Date.now() / 900_000) * 900_000);
  const started = performance.now();
  let total = 0;
  try {
    for (const [i, plan] of plans.entries()) {
      let runs = 0;
      let records = 0;
      for (const { body } of runsOf(plan, i + 1, end)) {
        await post(served.url, tokens[i]!, body);
        runs += 1;
        records += body.records.length;
        // org-a's first integration: an admin resolves and ignores some groups after its third run.
        if (i === 0 && runs === 3) await adminActions(served.url, ownerToken, integrationIds[i]!);
      }
      total += records;
      console.log(
        `  ${plan.org} ${plan.name}: ${runs} runs, ${thousands(records)} records  [${thousands(total)} so far, ${seconds(performance.now() - started)}]`,
      );
    }
  } finally {
    await served.close();
  }
  return total;
}

// ---------------------------------------------------------------- the copies, in SQL

/** The tables copied back in time, and the id column each renumbers (base id + copy x the base's largest). */
const COPIED: { table: string; id?: string }[] = [
  { table: 'sync_runs', id: 'id' },
  { table: 'feed_records' },
  { table: 'errors', id: 'id' },
  { table: 'employee_state_versions' },
  { table: 'run_stats_hourly' },
  { table: 'error_counts_hourly' },
  { table: 'integration_events', id: 'id' },
];
/** Columns that point at a run: they follow the runs' renumbering. */
const RUN_REFERENCES = new Set(['sync_run_id', 'resolved_by_sync_run_id', 'last_sync_run_id']);

interface Column {
  name: string;
  type: string;
}

async function columnsOf(knex: Knex, table: string): Promise<Column[]> {
  const { rows } = await knex.raw<{ rows: { column_name: string; data_type: string }[] }>(
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => ({ name: row.column_name, type: row.data_type }));
}

/**
 * One INSERT ... SELECT that copies an organisation's base rows of `table`
 * `k` times (k from :first to :last), each k x COPY_SPAN_DAYS earlier.
 * The columns are read from the schema, so the statement follows the table
 * as migrations change it (a started_at on errors is shifted like the others).
 */
function copyStatement(table: string, columns: Column[], idColumn: string | undefined, idOffset: string): string {
  const expressions = columns.map(({ name, type }) => {
    const ref = `t.${name}`;
    if (type === 'timestamp with time zone') return `${ref} - k * interval '${COPY_SPAN_DAYS} days'`;
    if (name === idColumn) return `${ref} + k * ${idOffset}`;
    if (RUN_REFERENCES.has(name) || (table === 'sync_runs' && name === 'id')) return `${ref} + k * :runOffset`;
    if (table === 'sync_runs' && name === 'run_id') return `${ref} || '~' || k`;
    return ref;
  });
  const list = columns.map((c) => `"${c.name}"`).join(', ');
  const override = idColumn ? ' OVERRIDING SYSTEM VALUE' : '';
  const base = table === 'sync_runs' ? 't.id <= :runOffset' : columns.some((c) => c.name === 'sync_run_id') ? 't.sync_run_id <= :runOffset' : 'true';
  const ownBase = idColumn && table !== 'sync_runs' ? ` AND t.${idColumn} <= ${idOffset}` : '';
  return `INSERT INTO ${table} (${list})${override}
    SELECT ${expressions.join(', ')}
    FROM generate_series(:first, :last) AS k CROSS JOIN ${table} t
    WHERE t.org_id = :org AND ${base}${ownBase}
      ${table === 'run_stats_hourly' || table === 'error_counts_hourly' ? 'AND t.hour >= :baseStart' : ''}`;
}

interface OrgCopies {
  slug: string;
  id: number;
  baseRecords: number;
  copies: number;
}

async function copyBase(knex: Knex, target: number): Promise<{ orgs: OrgCopies[]; seededRecords: number }> {
  const { rows: orgRows } = await knex.raw<{ rows: { slug: string; id: string; records: string }[] }>(
    `SELECT o.slug, o.id, (SELECT count(*) FROM feed_records f WHERE f.org_id = o.id) AS records FROM organisations o ORDER BY o.id`,
  );
  const counted = orgRows.map((row) => ({ slug: row.slug, id: Number(row.id), baseRecords: Number(row.records), copies: 0 }));
  const orgA = counted.find((o) => o.slug === 'org-a')!;
  const orgB = counted.find((o) => o.slug === 'org-b')!;
  const baseTotal = counted.reduce((sum, o) => sum + o.baseRecords, 0);
  orgB.copies = Math.max(0, Math.round((target * ORG_B_SHARE) / orgB.baseRecords) - 1);
  const rest = target - baseTotal - orgB.copies * orgB.baseRecords;
  orgA.copies = Math.max(0, Math.round(rest / orgA.baseRecords));
  const offsets = await knex.raw<{ rows: { runs: string; errors: string; events: string; start: Date }[] }>(
    `SELECT (SELECT coalesce(max(id), 0) FROM sync_runs) AS runs, (SELECT coalesce(max(id), 0) FROM errors) AS errors,
            (SELECT coalesce(max(id), 0) FROM integration_events) AS events,
            (SELECT date_trunc('hour', min(started_at)) FROM sync_runs) AS start`,
  );
  const { runs, errors, events, start } = offsets.rows[0]!;
  const idOffsets: Record<string, string> = { sync_runs: runs, errors, integration_events: events };
  const statements = await Promise.all(
    COPIED.map(async ({ table, id }) => ({ table, sql: copyStatement(table, await columnsOf(knex, table), id, id ? idOffsets[table]! : '0') })),
  );
  // Records and errors are partitioned by month: every month the copies reach needs its partition first.
  const earliest = start.getTime() - Math.max(orgA.copies, orgB.copies) * COPY_SPAN_DAYS * 86_400_000;
  for (let month = new Date(earliest); month.getTime() <= Date.now(); month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1))) {
    for (const table of PARTITIONED_TABLES) await ensureMonthPartition(knex, table, month);
  }
  const started = performance.now();
  let done = baseTotal;
  await knex.transaction(async (trx) => {
    // The copies reference rows that exist (their own runs, the base's groups and integrations): no per-row FK triggers.
    await trx.raw('SET LOCAL session_replication_role = replica');
    await trx.raw('SET LOCAL synchronous_commit = off');
    for (const org of [orgA, orgB]) {
      for (let first = 1; first <= org.copies; first += COPIES_PER_STATEMENT) {
        const last = Math.min(org.copies, first + COPIES_PER_STATEMENT - 1);
        const batchStarted = performance.now();
        const values: Record<string, string> = {
          first: String(first),
          last: String(last),
          org: String(org.id),
          runOffset: runs,
          baseStart: `'${start.toISOString()}'`,
        };
        // Our own numbers and one timestamp, written into the statement: knex's named bindings would read its :: casts.
        for (const { sql } of statements) await trx.raw(sql.replace(/:(first|last|org|runOffset|baseStart)\b/g, (_, name: string) => values[name]!));
        done += (last - first + 1) * org.baseRecords;
        const elapsed = performance.now() - started;
        console.log(
          `  ${org.slug}: copies ${first}-${last} of ${org.copies} (${COPY_SPAN_DAYS * last} days back), ${thousands((last - first + 1) * org.baseRecords)} records in ${seconds(performance.now() - batchStarted)}` +
            `  [${thousands(done)} of ${thousands(target)}, ${seconds(elapsed)}, ${thousands(((done - baseTotal) / elapsed) * 1000)} records/s]`,
        );
      }
    }
    // Groups: the copies' occurrences and first sightings; summaries: their first sightings.
    await trx.raw(
      `UPDATE error_groups g SET occurrences = c.occurrences, first_seen_started_at = c.first_seen, first_seen_sync_run_id = c.first_run
       FROM (SELECT e.org_id, e.group_id, count(*) AS occurrences, min(r.started_at) AS first_seen,
                    (array_agg(r.id ORDER BY r.started_at, r.id))[1] AS first_run
             FROM errors e JOIN sync_runs r ON r.org_id = e.org_id AND r.id = e.sync_run_id
             WHERE e.group_id IS NOT NULL GROUP BY e.org_id, e.group_id) c
       WHERE g.org_id = c.org_id AND g.id = c.group_id`,
    );
    for (const org of [orgA, orgB]) {
      if (org.copies === 0) continue;
      await trx.raw(
        `UPDATE employee_summaries SET first_seen_started_at = first_seen_started_at - ?::int * interval '${COPY_SPAN_DAYS} days',
           first_seen_sync_run_id = first_seen_sync_run_id + ?::bigint * ?::bigint
         WHERE org_id = ?`,
        [org.copies, org.copies, Number(runs), org.id],
      );
    }
    for (const [table, id] of [
      ['sync_runs', 'id'],
      ['errors', 'id'],
      ['integration_events', 'id'],
    ] as const) {
      await trx.raw(`SELECT setval(pg_get_serial_sequence('${table}', '${id}'), (SELECT coalesce(max(${id}), 1) FROM ${table}))`);
    }
  });
  const seededRecords = done;
  return { orgs: [...counted], seededRecords };
}

// ---------------------------------------------------------------- the database

/** Reads `--name value` or `--name=value`. */
export function optionValue(args: string[], name: string): string | undefined {
  const at = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return args[at]!.includes('=') ? args[at]!.slice(name.length + 1) : args[at + 1];
}

export function parseRecords(args: string[]): number {
  const records = Number(optionValue(args, '--records') ?? DEFAULT_RECORDS);
  if (!Number.isInteger(records) || records < 20_000) throw new Error('--records takes a whole number of at least 20000');
  return records;
}

const markerOf = (records: number) => `feedlog dashboard seed v${SEED_VERSION} (data v${DATA_VERSION}) of ${records} records;`;

/**
 * The seeded database of `records` records on `adminUrl`'s server: the stored
 * one when its marker matches and no migration is pending (or `migrate` runs
 * them), else a new build. Returns a knex on it and what the marker says.
 */
export async function ensureSeededDatabase(adminUrl: string, { records, rebuild, migrate }: SeedOptions): Promise<{ knex: Knex; url: string; facts: string }> {
  const url = withDatabaseName(adminUrl, SEED_DATABASE);
  const marker = markerOf(records);
  const [found] = await adminQuery<{ comment: string | null }>(
    adminUrl,
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
    [SEED_DATABASE],
  );
  let reason = rebuild ? '--rebuild' : !found ? 'none stored yet' : `it is not ${marker.slice(0, -1)} (${found.comment ?? 'an unfinished build'})`;
  if (!rebuild && found?.comment?.startsWith(marker)) {
    const facts = found.comment.slice(marker.length).trim();
    const knex = createKnex(url);
    const { done } = await listMigrations(knex);
    const known = fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((file) => /\.(ts|js)$/.test(file))
      .map((file) => file.replace(/\.js$/, '.ts'));
    const pending = known.filter((name) => !done.includes(name));
    const foreign = done.filter((name) => !known.includes(name));
    if (foreign.length > 0) {
      await knex.destroy();
      reason = `it has migrations this checkout lacks: ${foreign.join(', ')}`;
    } else if (pending.length === 0) {
      console.log(`reusing ${SEED_DATABASE}: ${facts} (--rebuild builds it again)`);
      return { knex, url, facts };
    } else if (migrate) {
      const started = performance.now();
      await migrateToLatest(knex);
      console.log(`reusing ${SEED_DATABASE}, migrated (${pending.join(', ')}) in ${seconds(performance.now() - started)}: ${facts}`);
      return { knex, url, facts };
    } else {
      await knex.destroy();
      reason = `migrations pending: ${pending.join(', ')}; --migrate runs them on the stored data instead`;
    }
  }
  console.log(`seeding ${SEED_DATABASE} to ${thousands(records)} records (${reason}):`);
  const started = performance.now();
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${SEED_DATABASE} WITH (FORCE)`);
  await adminQuery(adminUrl, `CREATE DATABASE ${SEED_DATABASE}`);
  const knex = createKnex(url);
  await migrateToLatest(knex);
  // The base: a fiftieth of the target through ingest (at most bench/dashboard-data.ts at scale 0.2, about 215k records).
  const scale = Math.min(0.2, Math.max(0.01, records / 50_000_000));
  console.log(`  base through ingest (HTTP), dashboard-data at scale ${scale}:`);
  const baseRecords = await ingestBase(knex, basePlans(scale));
  const ingested = performance.now() - started;
  console.log(`  base: ${thousands(baseRecords)} records in ${seconds(ingested)}; copying back in time in SQL:`);
  const copyStarted = performance.now();
  const { orgs, seededRecords } = await copyBase(knex, records);
  const copied = performance.now() - copyStarted;
  process.stdout.write('  VACUUM (ANALYZE)... ');
  const vacuumStarted = performance.now();
  await knex.raw('VACUUM (ANALYZE)');
  const vacuumed = performance.now() - vacuumStarted;
  console.log(seconds(vacuumed));
  const [{ bytes }] = (await knex.raw<{ rows: { bytes: string }[] }>('SELECT pg_database_size(current_database()) AS bytes')).rows as [{ bytes: string }];
  const total = performance.now() - started;
  const perOrg = orgs.map((o) => `${o.slug} ${thousands(o.baseRecords * (o.copies + 1))}`).join(', ');
  const facts =
    `${thousands(seededRecords)} feed records (${perOrg}) seeded in ${seconds(total)} (base ${seconds(ingested)}, copies ${seconds(copied)}, ` +
    `VACUUM ${seconds(vacuumed)}); ${(Number(bytes) / 1024 ** 3).toFixed(2)} GB, ${thousands(Number(bytes) / seededRecords)} bytes a record; on ${new Date().toISOString()}`;
  // Written last: an interrupted build has no marker and is built again.
  await adminQuery(adminUrl, `COMMENT ON DATABASE ${SEED_DATABASE} IS '${`${marker} ${facts}`.replaceAll("'", "''")}'`);
  console.log(`  seeded: ${facts}`);
  return { knex, url, facts };
}

/** The admin URL of the benchmarks' server: DATABASE_URL's, or the embedded one in DATA_DIR/bench. */
export async function benchServer(): Promise<{ adminUrl: string; where: string; release(): Promise<void> }> {
  const { databaseUrl, dataDir, embeddedPgPort } = config();
  const server = databaseUrl ? undefined : await ensureEmbeddedPostgres(path.join(dataDir, 'bench'), embeddedPgPort + 20);
  return {
    adminUrl: databaseUrl ? withDatabaseName(databaseUrl, 'postgres') : server!.url('postgres'),
    where: databaseUrl ? 'DATABASE_URL' : `embedded, ${path.join(dataDir, 'bench')}`,
    release: async () => server?.release(),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  useConfigWithDefaults({ LOG_LEVEL: 'warn' }); // as bench/run.ts
  logToStderr();
  const args = process.argv.slice(2);
  const server = await benchServer();
  try {
    const { knex } = await ensureSeededDatabase(server.adminUrl, {
      records: parseRecords(args),
      rebuild: args.includes('--rebuild'),
      migrate: args.includes('--migrate'),
    });
    await knex.destroy();
  } finally {
    await server.release();
  }
  process.exit(0);
}

export { PLANS };
