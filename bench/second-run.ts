/**
 * Benchmark of the second large run of one integration: two consecutive
 * 100,000-record runs on a fresh database, timed end to end over HTTP. Right
 * after the first run the tables' statistics still describe them empty
 * (autoanalyze has not run yet), which once made the planner pick a plan
 * quadratic in the run's size. Prints second / first (goal: at most 2).
 * Uses DATABASE_URL's server when set (`DATABASE_URL=postgres://.../postgres
 * node --import tsx bench/second-run.ts` measures another PostgreSQL).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createApp } from '../src/app/app.js';
import { createIntegration } from '../src/integrations/integrations.service.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { logToStderr } from '../src/logger.js';
import { postRun } from '../test/helpers/ingest.js';
import { makeLargeRun } from '../test/helpers/large-run.js';
import { benchDatabase } from './database.js';

const SIZE = 100_000;

export async function benchSecondRun(): Promise<void> {
  // Per process: another benchmark on the same DATABASE_URL server keeps its own database.
  const { knex, close } = await benchDatabase(`feedlog_bench_second_${process.pid}`, { dropAfter: true });
  try {
    await createOrganisation(knex, 'bench', 'Benchmark');
    const { token } = await createIntegration(knex, { orgSlug: 'bench', name: 'bench-second', schedule: '15m' });
    const app = createApp({ knex });
    const timings: number[] = [];
    for (const [index, startedAt] of ['2026-11-21T02:00:00Z', '2026-11-22T02:00:00Z'].entries()) {
      const body = gzipSync(JSON.stringify({ ...makeLargeRun(SIZE, `second-${index}`), started_at: startedAt, finished_at: startedAt }));
      process.stdout.write(`run ${index + 1} of ${SIZE} records into one integration... `);
      const started = performance.now();
      const response = await postRun(app, token, body);
      timings.push(performance.now() - started);
      if (response.status !== 201) throw new Error(`ingest answered ${response.status}: ${response.text}`);
      process.stdout.write(`${timings[index]!.toFixed(0)} ms\n`);
    }
    const server = await knex.raw<{ rows: { server_version: string }[] }>('SHOW server_version');
    console.log(
      `second run: second / first time ratio ${(timings[1]! / timings[0]!).toFixed(2)} on PostgreSQL ${server.rows[0]!.server_version} (goal at most 2)`,
    );
  } finally {
    await close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  logToStderr();
  await benchSecondRun();
  process.exit(0);
}
