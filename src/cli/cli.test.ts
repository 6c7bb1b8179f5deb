import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createApp } from '../app/app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { runCli } from '../../test/helpers/cli.js';
import { makeRun } from '../../test/helpers/fixtures.js';

let db: TestDatabase;
let env: Record<string, string>;

before(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url };
});
after(() => db.drop());

const cli = (...args: string[]) => runCli(args, env);

describe('feedlog command line', () => {
  test('org create, integration create printing the token last, and the token ingests', async () => {
    const org = await cli('org', 'create', 'acme', '--name', 'Acme Hotels');
    assert.equal(org.code, 0, org.stderr);
    assert.match(org.stdout, /Created organisation 'acme'/);

    const created = await cli(
      'integration',
      'create',
      '--org',
      'acme',
      '--name',
      'Planday to Flow',
      '--schedule',
      '0 2 * * *',
      '--tz',
      'Europe/London',
      '--grace',
      '30m',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.lastLine, /^fl_ing_\d+_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stdout, /cron "0 2 \* \* \*" \(Europe\/London\), grace 30m/);

    const response = await request(createApp({ knex: db.knex }))
      .post('/api/v1/sync-runs')
      .set('Authorization', `Bearer ${created.lastLine}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(makeRun({ run_id: 'from-cli-token' })));
    assert.equal(response.status, 201, response.text);

    const stored = await db.knex('ingest_tokens').first();
    assert.notEqual(stored.token_hash, created.lastLine, 'only a hash of the token is stored');
    assert.equal(stored.token_hash.length, 64);
  });

  test('integration list shows the schedule and required fields', async () => {
    await cli('integration', 'create', '--org', 'acme', '--name', 'Fourth to Flow', '--schedule', '15m');
    const listed = await cli('integration', 'list', '--org', 'acme');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /Fourth to Flow\tevery 15m\tgrace 10m\trequired: external_id,first_name,last_name,email,job_title,branch/);
    assert.match(listed.stdout, /Planday to Flow\tcron "0 2 \* \* \*"/);
  });

  test('rotate-token revokes the old token and prints a new one last', async () => {
    const rotated = await cli('integration', 'rotate-token', '--org', 'acme', '--name', 'Fourth to Flow');
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.lastLine, /^fl_ing_/);
    assert.match(rotated.stdout, /Revoked 1 token/);
  });

  test('bad arguments exit 2 with the usage', async () => {
    const unknown = await cli('integration', 'create', '--org', 'acme', '--colour', 'red');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--colour'/);
    assert.match(unknown.stderr, /Usage: feedlog integration create/);
    const noCommand = await cli('frobnicate');
    assert.equal(noCommand.code, 2);
    assert.match(noCommand.stderr, /Unknown command: frobnicate/);
  });

  test('mistakes exit 1 and say what to do', async () => {
    const badSchedule = await cli('integration', 'create', '--org', 'acme', '--name', 'X', '--schedule', 'hourly');
    assert.equal(badSchedule.code, 1);
    assert.match(badSchedule.stderr, /neither an interval \(15m, 1h\) nor a five-field cron expression/);
    const badZone = await cli('integration', 'create', '--org', 'acme', '--name', 'X', '--schedule', '0 2 * * *', '--tz', 'Mars/Olympus');
    assert.equal(badZone.code, 1);
    assert.match(badZone.stderr, /unknown time zone 'Mars\/Olympus'/);
    const noOrg = await cli('integration', 'list', '--org', 'nope');
    assert.equal(noOrg.code, 1);
    assert.match(noOrg.stderr, /No organisation with slug 'nope'. Create it with: feedlog org create nope/);
    const taken = await cli('org', 'create', 'acme', '--name', 'Again');
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /exists already/);
    const badSlug = await cli('org', 'create', 'Bad Slug!', '--name', 'x');
    assert.equal(badSlug.code, 1);
    assert.match(badSlug.stderr, /Invalid organisation slug/);
  });

  test('a missing or extra argument exits 2, names it, and shows the usage of that command', async () => {
    const usageOf = (result: { code: number | null; stderr: string }, missing: RegExp, usage: string) => {
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, missing);
      assert.ok(result.stderr.includes(`Usage: feedlog ${usage}`), result.stderr);
      assert.doesNotMatch(result.stderr, /Usage:\n|\n\s+at /, "only that command's usage line, no stack");
    };
    usageOf(await cli('org', 'create', 'fine'), /Missing --name/, 'org create <slug> --name <name>');
    usageOf(await cli('org', 'create', '--name', 'Fine'), /Missing <slug>/, 'org create <slug> --name <name>');
    usageOf(await cli('org', 'create', 'fine', 'extra', '--name', 'Fine'), /Unexpected argument 'extra'/, 'org create <slug> --name <name>');
    usageOf(await cli('org', 'list', 'acme'), /Unexpected argument 'acme'/, 'org list');
    usageOf(await cli('user', 'create'), /Missing --email/, 'user create --email <email>');
    usageOf(await cli('user', 'create', '--email', 'x@example.com'), /Missing --role/, 'user create --email <email>');
    usageOf(await cli('integration', 'create', '--org', 'acme', '--name', 'X'), /Missing --schedule/, 'integration create --org <slug>');
    usageOf(await cli('token', 'revoke', '--user', 'owner@example.com'), /Missing --id/, 'token revoke --user <email> --id <token id>');
    assert.equal((await db.knex('organisations').where({ slug: 'fine' })).length, 0);
  });

  test('user create with a piped password, then token create printing the API token last, which reads the API', async () => {
    const created = await runCli(
      ['user', 'create', '--email', 'Owner@Example.com', '--role', 'admin', '--org', 'acme', '--password-stdin'],
      env,
      'correct horse battery\n',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created user owner@example.com \(admin in 'acme'\)/);
    const user = await db.knex('users').where({ email: 'owner@example.com' }).first();
    assert.match(user.password_hash, /^\$argon2id\$/, 'the password is stored as an argon2id hash');

    const token = await cli('token', 'create', '--user', 'owner@example.com');
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.lastLine, /^fl_api_\d+_[A-Za-z0-9_-]{43}$/);
    const runs = await request(createApp({ knex: db.knex }))
      .get('/api/v1/sync-runs')
      .set('Authorization', `Bearer ${token.lastLine}`);
    assert.equal(runs.status, 200);
    assert.deepEqual(
      runs.body.items.map((r: { run_id: string }) => r.run_id),
      ['from-cli-token'],
    );
  });

  test('token list shows ids and hints, never a whole token; token revoke stops the token at once', async () => {
    const second = await cli('token', 'create', '--user', 'owner@example.com', '--name', 'reports');
    assert.equal(second.code, 0, second.stderr);
    const listed = await cli('token', 'list', '--user', 'owner@example.com');
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^\d+\treports\tfl_api_\d+_.{4}…\tcreated \S+\tlast used -\tlive$/);
    assert.doesNotMatch(listed.stdout, /fl_api_\d+_[A-Za-z0-9_-]{43}/);
    const id = lines[0]!.split('\t')[0]!;

    const revoked = await cli('token', 'revoke', '--user', 'owner@example.com', '--id', id);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`Revoked API token ${id} \\(reports`));
    const refused = await request(createApp({ knex: db.knex }))
      .get('/api/v1/sync-runs')
      .set('Authorization', `Bearer ${second.lastLine}`);
    assert.equal(refused.status, 401);
    assert.match((await cli('token', 'list', '--user', 'owner@example.com')).stdout, new RegExp(`^${id}\\t.*\\trevoked \\S+$`, 'm'));

    const again = await cli('token', 'revoke', '--user', 'owner@example.com', '--id', id);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No live API token/);
    assert.equal((await cli('token', 'revoke', '--user', 'owner@example.com', '--id', 'abc')).code, 1);
  });

  test('support needs no organisation; admin and ops do; short passwords are refused', async () => {
    const support = await cli('user', 'create', '--email', 'help@example.com', '--role', 'support');
    assert.equal(support.code, 0, support.stderr);
    assert.ok(support.lastLine.length >= 20, 'a generated password is printed once, last');
    const noOrg = await cli('user', 'create', '--email', 'ops@example.com', '--role', 'ops');
    assert.equal(noOrg.code, 1);
    assert.match(noOrg.stderr, /add --org <slug>/);
    const short = await runCli(['user', 'create', '--email', 'x@example.com', '--role', 'ops', '--org', 'acme', '--password-stdin'], env, 'short\n');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 12 characters/);
    const badRole = await cli('user', 'create', '--email', 'x@example.com', '--role', 'boss', '--org', 'acme');
    assert.equal(badRole.code, 1);
    assert.match(badRole.stderr, /Unknown role 'boss'/);
  });

  test('reset-password changes the hash and prints a generated password last', async () => {
    const before = (await db.knex('users').where({ email: 'owner@example.com' }).first()).password_hash;
    const reset = await cli('user', 'reset-password', '--email', 'owner@example.com');
    assert.equal(reset.code, 0, reset.stderr);
    const after = (await db.knex('users').where({ email: 'owner@example.com' }).first()).password_hash;
    assert.notEqual(after, before);
    assert.ok(reset.lastLine.length >= 20);
    const unknown = await cli('token', 'create', '--user', 'nobody@example.com');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No user with email nobody@example.com/);
  });

  test('every change made above is in the audit log, without secrets', async () => {
    const events = await db.knex('audit_events').select('action', 'actor', 'details').orderBy('id');
    const actions = events.map((e: { action: string }) => e.action);
    for (const action of ['integration.created', 'ingest_token.rotated', 'user.created', 'api_token.created', 'api_token.revoked', 'user.password_reset']) {
      assert.ok(actions.includes(action), `${action} is audited`);
    }
    assert.ok(events.every((e: { actor: string }) => e.actor === 'cli'));
    assert.doesNotMatch(JSON.stringify(events), /fl_(ing|api)_\d+_[A-Za-z0-9_-]{43}/, 'no whole token is logged');
  });

  test('migrate reports an up-to-date database', async () => {
    const migrated = await cli('migrate');
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /The database is up to date/);
  });

  test('a bad DATABASE_URL is a configuration error naming the variable', async () => {
    const result = await runCli(['org', 'list'], { DATABASE_URL: 'not a url' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /DATABASE_URL/);
  });
});
