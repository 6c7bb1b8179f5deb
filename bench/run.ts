/**
 * `npm run bench`: every benchmark, one after the other, each printing its
 * figures beside their goals (bench/report.ts); at the end every goal again,
 * and all figures written to DATA_DIR/bench/results.json.
 * `npm run bench -- ingest memory` runs only the benchmarks named.
 */
import path from 'node:path';
import { config, useConfigWithDefaults } from '../src/config.js';
import { logToStderr } from '../src/logger.js';
import { benchAlerts } from './alerts.js';
import { benchClassify } from './classify.js';
import { benchDashboard } from './dashboard.js';
import { benchIngest } from './ingest.js';
import { benchLateRun } from './late-run.js';
import { benchMemory } from './memory.js';
import { benchReads } from './reads.js';
import { writeReport } from './report.js';
import { benchSecondRun } from './second-run.js';
import { benchStartup } from './startup.js';
import { benchSummaries } from './summaries.js';

const BENCHMARKS: { name: string; title: string; run: () => Promise<void> }[] = [
  { name: 'classify', title: 'classify (pure, in memory)', run: benchClassify },
  { name: 'ingest', title: 'ingest (HTTP + PostgreSQL)', run: benchIngest },
  { name: 'second-run', title: 'a second large run of one integration (HTTP + PostgreSQL)', run: benchSecondRun },
  {
    name: 'late-run',
    title: 'a run that arrives late, before later runs of the same employees (HTTP + PostgreSQL)',
    run: benchLateRun,
  },
  { name: 'memory', title: 'peak memory of the app while it ingests (child process)', run: benchMemory },
  { name: 'reads', title: 'reads with identity (HTTP + PostgreSQL)', run: benchReads },
  { name: 'summaries', title: 'summary emails for 1,000 organisations (PostgreSQL + an in-process SMTP server)', run: benchSummaries },
  { name: 'alerts', title: 'the alert job at the quarter-hour burst of 5,000 organisations (PostgreSQL)', run: benchAlerts },
  { name: 'startup', title: 'start-up (child processes: compiled dist/ against tsx)', run: benchStartup },
  // Last: its first run builds a large database (minutes), kept for the next runs.
  { name: 'dashboard', title: 'dashboard reads on a large database (HTTP + PostgreSQL)', run: benchDashboard },
];

// The app's request logs (one line a request, thousands a benchmark) only when LOG_LEVEL asks for them.
useConfigWithDefaults({ LOG_LEVEL: 'warn' });
logToStderr();
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = wanted.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${BENCHMARKS.map((bench) => bench.name).join(', ')}`);
  process.exit(2);
}
const chosen = wanted.length === 0 ? BENCHMARKS : BENCHMARKS.filter((bench) => wanted.includes(bench.name));
for (const [at, bench] of chosen.entries()) {
  console.log(`${at === 0 ? '' : '\n'}== ${bench.title} ==`);
  await bench.run();
}
writeReport(path.join(config().dataDir, 'bench', 'results.json'), { benchmarks: chosen.map((bench) => bench.name) });
process.exit(0);
