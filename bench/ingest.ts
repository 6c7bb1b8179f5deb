/**
 * Benchmark of ingest over HTTP into real PostgreSQL against the raw limit:
 * `COPY` of the same rows into the same tables on the same server, measured in
 * the same run, alternated (ingest, COPY, ingest, COPY, ...) so that a noisy
 * machine affects both alike; medians of the rounds.
 *
 * - ingest: a 100,000-record run (gzip, over loopback HTTP) into a fresh
 *   integration, timed end to end (parse, check, validate, classify, store,
 *   commit). A 10,000-record run first warms the process up.
 * - COPY: the rows that an ingest stored in feed_records and errors, read back
 *   with `COPY (SELECT ...) TO STDOUT` under another sync run (not timed), then
 *   `COPY ... FROM STDIN` of them in one transaction with its commit (timed),
 *   then removed again.
 *
 * Goal: ingest at least 0.6 of COPY's records per second.
 */
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createApp } from '../src/app/app.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { logToStderr } from '../src/logger.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { postRun } from '../test/helpers/ingest.js';
import { makeLargeRun } from '../test/helpers/large-run.js';
import { benchDatabase } from './database.js';
import { atLeastGoal, figure } from './report.js';

const SIZE = 100_000;
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
const TABLES = ['feed_records', 'errors'] as const;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** The columns COPY writes: all but generated ones and those a sequence numbers (errors.id). */
async function copyColumns(knex: Knex, table: string): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { column_name: string }[] }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ? AND is_identity = 'NO' AND is_generated = 'NEVER'
       AND coalesce(column_default, '') NOT LIKE 'nextval(%'
     ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => row.column_name);
}

/** Runs `work` with a pooled connection's raw pg client. */
async function withClient<T>(knex: Knex, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = (await knex.client.acquireConnection()) as pg.Client;
  try {
    return await work(client);
  } finally {
    await knex.client.releaseConnection(client);
  }
}

async function copyOut(client: pg.Client, sql: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(sql));
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Stored {
  orgId: number;
  syncRunId: number;
}

/**
 * Times COPY FROM STDIN of the rows `stored` holds in feed_records and errors, under a copy of
 * its sync run (so the keys do not clash), in one transaction with its commit; removes them after.
 */
async function timeCopy(knex: Knex, stored: Stored, round: number): Promise<{ ms: number; bytes: number; rows: number }> {
  const columns = Object.fromEntries(await Promise.all(TABLES.map(async (table) => [table, await copyColumns(knex, table)] as const)));
  const runColumns = (await copyColumns(knex, 'sync_runs')).filter((column) => column !== 'id');
  const copyRun = await knex.raw<{ rows: { id: number }[] }>(
    `INSERT INTO sync_runs (${runColumns.join(', ')})
     SELECT ${runColumns.map((column) => (column === 'run_id' ? `run_id || '-copy-${round}'` : column)).join(', ')}
     FROM sync_runs WHERE org_id = ? AND id = ? RETURNING id`,
    [stored.orgId, stored.syncRunId],
  );
  const copyRunId = copyRun.rows[0]!.id;
  const data: Record<string, Buffer> = {};
  await withClient(knex, async (client) => {
    for (const table of TABLES) {
      const select = columns[table]!.map((column) => (column === 'sync_run_id' ? `${copyRunId}::bigint AS sync_run_id` : column)).join(', ');
      data[table] = await copyOut(
        client,
        `COPY (SELECT ${select} FROM ${table} WHERE org_id = ${stored.orgId} AND sync_run_id = ${stored.syncRunId}) TO STDOUT`,
      );
    }
  });
  const rows = (buffer: Buffer) => buffer.reduce((count, byte) => count + (byte === 10 ? 1 : 0), 0);
  const started = performance.now();
  await withClient(knex, async (client) => {
    await client.query('BEGIN');
    try {
      for (const table of TABLES) {
        await pipeline(Readable.from([data[table]!]), client.query(copyFrom(`COPY ${table} (${columns[table]!.join(', ')}) FROM STDIN`)));
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
  const ms = performance.now() - started;
  for (const table of TABLES) await knex.raw(`DELETE FROM ${table} WHERE org_id = ? AND sync_run_id = ?`, [stored.orgId, copyRunId]);
  await knex.raw('DELETE FROM sync_runs WHERE org_id = ? AND id = ?', [stored.orgId, copyRunId]);
  return { ms, bytes: data.feed_records!.length + data.errors!.length, rows: rows(data.feed_records!) + rows(data.errors!) };
}

export async function benchIngest(): Promise<void> {
  const { knex, close } = await benchDatabase(`feedlog_bench_ingest_${process.pid}`, { dropAfter: true });
  try {
    const org = await createOrganisation(knex, 'bench', 'Benchmark');
    const app = createApp({ knex });
    const ingest = async (size: number, name: string): Promise<{ ms: number; syncRunId: number }> => {
      const { token } = await createIntegration(knex, { orgSlug: 'bench', name, schedule: '15m' });
      const body = gzipSync(JSON.stringify(makeLargeRun(size, name)));
      process.stdout.write(`ingest ${size} records (${(body.length / 1e6).toFixed(1)} MB gzip)... `);
      const started = performance.now();
      const response = await postRun(app, token, body);
      const ms = performance.now() - started;
      if (response.status !== 201) throw new Error(`ingest answered ${response.status}: ${response.text}`);
      process.stdout.write(`${ms.toFixed(0)} ms, ${Math.round(size / (ms / 1000))} records/s\n`);
      return { ms, syncRunId: Number((response.body as { id: number | string }).id) };
    };
    await ingest(10_000, 'warm-up-10k');
    const ingestMs: number[] = [];
    const copyMs: number[] = [];
    let last: Stored | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const { ms, syncRunId } = await ingest(SIZE, `bench-100k-${round}`);
      ingestMs.push(ms);
      last = { orgId: org.id, syncRunId };
      const copy = await timeCopy(knex, last, round);
      copyMs.push(copy.ms);
      console.log(
        `COPY of the same ${copy.rows} rows (feed_records and errors, ${(copy.bytes / 1e6).toFixed(1)} MB of COPY text)... ${copy.ms.toFixed(0)} ms, ` +
          `${Math.round(SIZE / (copy.ms / 1000))} records/s`,
      );
    }
    const ingestRate = SIZE / (median(ingestMs) / 1000);
    const copyRate = SIZE / (median(copyMs) / 1000);
    const server = await knex.raw<{ rows: { server_version: string }[] }>('SHOW server_version');
    const on = `${SIZE / 1000}k-record runs, median of ${ROUNDS} alternated rounds, PostgreSQL ${server.rows[0]!.server_version}`;
    figure({ name: 'ingest.records_per_second', value: ingestRate, unit: 'records/s', detail: `HTTP end to end, ${on}` });
    figure({ name: 'ingest.copy_records_per_second', value: copyRate, unit: 'records/s', detail: `COPY FROM STDIN of the same rows, ${on}` });
    figure({ name: 'ingest.ratio_to_copy', value: ingestRate / copyRate, unit: '', goal: atLeastGoal(0.6), detail: on });
  } finally {
    await close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  logToStderr();
  await benchIngest();
  process.exit(0);
}
