/** `npm run bench`: every benchmark, one after the other. */
import { logToStderr } from '../src/logger.js';
import { benchClassify } from './classify.js';
import { benchDashboard } from './dashboard.js';
import { benchIngest } from './ingest.js';
import { benchLateRun } from './late-run.js';
import { benchMemory } from './memory.js';
import { benchReads } from './reads.js';
import { benchSecondRun } from './second-run.js';
import { benchStartup } from './startup.js';
import { benchSummaries } from './summaries.js';

logToStderr();
console.log('== classify (pure, in memory) ==');
await benchClassify();
console.log('\n== ingest (HTTP + PostgreSQL) ==');
await benchIngest();
console.log('\n== a second large run of one integration (HTTP + PostgreSQL) ==');
await benchSecondRun();
console.log('\n== a run that arrives late, before later runs of the same employees (HTTP + PostgreSQL) ==');
await benchLateRun();
console.log('\n== peak memory of the app while it ingests (child process) ==');
await benchMemory();
console.log('\n== reads with identity (HTTP + PostgreSQL) ==');
await benchReads();
console.log('\n== summary emails for 1,000 organisations (PostgreSQL + an in-process SMTP server) ==');
await benchSummaries();
console.log('\n== start-up (child processes: compiled dist/ against tsx) ==');
await benchStartup();
// Last: its first run builds a database of a million records (minutes), kept for the next runs.
console.log('\n== dashboard reads on a million feed records (HTTP + PostgreSQL) ==');
await benchDashboard();
process.exit(0);
