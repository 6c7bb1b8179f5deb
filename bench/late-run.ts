/**
 * Benchmark of a run that arrives late (after runs that started later): it is
 * classified as of its started_at, and the later records it affects are checked
 * again (src/recheck). One integration gets LATER + 1 runs of SIZE employees in
 * run order, one every 15 minutes (a full push each time), then three late runs
 * that started between the first and the second, each timed against an in-order
 * run of the same size:
 *   - a retry that sends the employees as the target held them then (the usual
 *     late run: nothing to check again);
 *   - one in which 1% of the employees are other people (their later records
 *     are checked again);
 *   - one in which every employee is another person (every later record is).
 * Prints each late / in-order time ratio. Uses DATABASE_URL's server when set.
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

const SIZE = 10_000;
const LATER = 8;

type Run = ReturnType<typeof makeLargeRun> & { records: Array<{ action: string; employee: Record<string, string | null> }> };

/** The run at slot `slot` (15 minutes apart), whose records are updates after the first. */
function runAt(slot: number, runId: string, otherPeopleEvery = 0): Run {
  const run = makeLargeRun(SIZE, runId) as Run;
  const at = new Date(Date.parse('2026-11-21T02:00:00Z') + slot * 15 * 60_000).toISOString();
  run.started_at = at;
  run.finished_at = at;
  run.records.forEach((record, index) => {
    if (slot > 0) record.action = 'update';
    if (otherPeopleEvery > 0 && index % otherPeopleEvery === 0) {
      record.employee.first_name = `Other${index}`;
      record.employee.email = `other${index}@example.com`;
    }
  });
  return run;
}

export async function benchLateRun(): Promise<void> {
  const { knex, close } = await benchDatabase(`feedlog_bench_late_${process.pid}`, { dropAfter: true });
  try {
    await createOrganisation(knex, 'bench', 'Benchmark');
    const { token } = await createIntegration(knex, { orgSlug: 'bench', name: 'bench-late', schedule: '15m' });
    const app = createApp({ knex });
    const post = async (run: Run, label: string) => {
      process.stdout.write(`${label}... `);
      const body = gzipSync(JSON.stringify(run));
      const started = performance.now();
      const response = await postRun(app, token, body);
      const elapsed = performance.now() - started;
      if (response.status !== 201) throw new Error(`ingest answered ${response.status}: ${response.text}`);
      process.stdout.write(`${elapsed.toFixed(0)} ms\n`);
      return elapsed;
    };
    // Slots 0, 4, 8, ...: the late runs take slots 1 to 3, between the first two.
    await post(runAt(0, 'in-order-0'), `run 1 of ${LATER + 1} in run order (${SIZE} records)`);
    let inOrder = 0;
    for (let index = 1; index <= LATER; index += 1) {
      inOrder = await post(runAt(index * 4, `in-order-${index}`), `run ${index + 1} of ${LATER + 1} in run order`);
    }
    const retry = await post(runAt(1, 'late-retry'), `a late run re-sending the same people, before ${LATER} later runs`);
    const some = await post(runAt(2, 'late-some', 100), 'a late run in which 1% are other people');
    const all = await post(runAt(3, 'late-all', 1), 'a late run in which everyone is another person');
    const server = await knex.raw<{ rows: { server_version: string }[] }>('SHOW server_version');
    const ratio = (late: number) => (late / inOrder).toFixed(2);
    console.log(
      `late run / in-order run time, ${SIZE} records and ${LATER} later runs, on PostgreSQL ${server.rows[0]!.server_version}: ` +
        `same people ${ratio(retry)}, 1% other people ${ratio(some)}, everyone another person ${ratio(all)} ` +
        `(re-checks ${LATER * SIZE} later records)`,
    );
  } finally {
    await close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  logToStderr();
  await benchLateRun();
  process.exit(0);
}
