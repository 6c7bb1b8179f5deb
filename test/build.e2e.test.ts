import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT_DIR } from '../src/config.js';
import { listMigrations, MIGRATIONS_DIR } from '../src/db/migrate.js';
import { childEnv } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { freePort } from './helpers/free-port.js';

// What `npm run build` makes, in a folder of its own: this test must not replace
// the dist/ a developer's server runs. Like dist/, it sits in the repository root.
const outDir = path.join(ROOT_DIR, `.dist-test-${process.pid}`);
const compiled = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(outDir, 'src/cli/main.js'), ...args], {
    cwd: ROOT_DIR,
    encoding: 'utf8',
    env: childEnv({ DATABASE_URL: migratedByTsx.url }),
  });
let migratedByTsx: TestDatabase;
let empty: TestDatabase;

before(async () => {
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: ROOT_DIR,
    encoding: 'utf8',
  });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  migratedByTsx = await createTestDatabase();
  empty = await createTestDatabase({ empty: true });
});
after(async () => {
  fs.rmSync(outDir, { recursive: true, force: true });
  await migratedByTsx?.drop();
  await empty?.drop();
});

test('the build holds the app and its migrations as JavaScript, without the tests', () => {
  const sources = fs.readdirSync(MIGRATIONS_DIR).map((file) => file.replace(/\.ts$/, '.js'));
  assert.deepEqual(fs.readdirSync(path.join(outDir, 'migrations')).sort(), sources.sort());
  assert.ok(fs.existsSync(path.join(outDir, 'src/cli/main.js')));
  assert.ok(!fs.existsSync(path.join(outDir, 'src/cli/cli.test.js')), 'tests are not built');
});

test("the compiled app records migrations under the same names as tsx: each finds the other's database up to date", async () => {
  const upToDate = compiled('migrate');
  assert.equal(upToDate.status, 0, upToDate.stderr);
  assert.match(upToDate.stdout, /The database is up to date/);

  const fresh = spawnSync(process.execPath, [path.join(outDir, 'src/cli/main.js'), 'migrate'], {
    cwd: ROOT_DIR,
    encoding: 'utf8',
    env: childEnv({ DATABASE_URL: empty.url }),
  });
  assert.equal(fresh.status, 0, fresh.stderr);
  const names = (await empty.knex('knex_migrations').orderBy('id').pluck('name')) as string[];
  assert.deepEqual(names, fs.readdirSync(MIGRATIONS_DIR).sort(), 'recorded by their .ts names');
  assert.deepEqual((await listMigrations(empty.knex)).pending, [], 'tsx sees nothing pending');
});

test('the compiled server finds views/ and public/ in the repository root, and chart.js in node_modules', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const server = spawn(process.execPath, [path.join(outDir, 'src/cli/main.js'), 'serve'], {
    cwd: ROOT_DIR,
    env: childEnv({ DATABASE_URL: migratedByTsx.url, PORT: String(port) }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
  try {
    while (!stderr.includes('feedlog is running on')) {
      assert.equal(server.exitCode, null, stderr);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const login = await fetch(`http://127.0.0.1:${port}/login`);
    assert.equal(login.status, 200);
    assert.match(await login.text(), /<form/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/static/app.css`)).status, 200);
    // chart.js for the trends page, from node_modules, served by our origin.
    const chart = await fetch(`http://127.0.0.1:${port}/static/vendor/chart.umd.min.js`);
    assert.equal(chart.status, 200);
    assert.match(await chart.text(), /Chart\.js v4/);
  } finally {
    server.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
});
