import assert from 'node:assert/strict';
import { brotliCompressSync, deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../app/app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { createOrgWithIntegration, makeRun } from '../../test/helpers/fixtures.js';
import { postRun } from '../../test/helpers/ingest.js';
import { MAX_JSON_DEPTH, MAX_STRING_BYTES } from './body.js';

// Issue 9: bodies built to hurt (deep nesting, fat strings, bad bytes, odd encodings).
let db: TestDatabase;
let app: Express;
let token: string;

const post = (body: unknown) => postRun(app, token, body);
const postBytes = (bytes: Buffer, encoding?: string) => {
  const req = request(app).post('/api/v1/sync-runs').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json');
  if (encoding) req.set('Content-Encoding', encoding);
  return req.serialize((b: unknown) => b as string).send(bytes);
};

/** `levels` arrays nested inside each other, as JSON text (JSON.stringify of such a value would overflow the stack). */
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const stored = async (runId: string) => Number((await db.knex('sync_runs').where({ run_id: runId }).count({ n: '*' }))[0]!.n);
const runWithExtra = (extraJson: string, runId: string) => JSON.stringify(makeRun({ run_id: runId })).replace(/^\{/, `{"extra":${extraJson},`);

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex });
  ({ token } = await createOrgWithIntegration(db.knex));
});
after(() => db.drop());

describe('nesting', () => {
  for (const levels of [5_000, 10_000]) {
    test(`${levels} levels inside an unknown key are a 400 naming the depth limit, nothing stored`, async () => {
      const response = await post(runWithExtra(nested(levels), `deep-${levels}`));
      assert.equal(response.status, 400, response.text);
      assert.match(response.body.detail, new RegExp(`nested more than ${MAX_JSON_DEPTH} levels`));
      assert.match(response.body.errors[0].path, /^extra(\[0\])+$/);
      assert.equal(await stored(`deep-${levels}`), 0);
    });
  }

  test('nesting up to the limit is accepted', async () => {
    // The run object is level 1, so the extra value may nest MAX_JSON_DEPTH - 1 levels.
    const response = await post(runWithExtra(nested(MAX_JSON_DEPTH - 1), 'deep-ok'));
    assert.equal(response.status, 201, response.text);
  });
});

describe('long strings', () => {
  test('a string longer than the limit, in an unknown key of a record, is a 413 naming its path and the limit', async () => {
    const run = makeRun({ run_id: 'fat' });
    (run.records as Record<string, unknown>[])[1]!.blob = 'x'.repeat(MAX_STRING_BYTES + 1);
    const response = await post(run);
    assert.equal(response.status, 413, response.text);
    assert.deepEqual(response.body.errors, [{ path: 'records[1].blob', message: `longer than ${MAX_STRING_BYTES} bytes (${MAX_STRING_BYTES + 1})` }]);
    assert.equal(await stored('fat'), 0);
  });

  test('a top-level key longer than the limit is a 413 too', async () => {
    const run = makeRun({ run_id: 'fat-key', ['k'.repeat(MAX_STRING_BYTES + 1)]: 1 });
    const response = await post(run);
    assert.equal(response.status, 413, response.text);
    assert.match(response.body.errors[0].message, /^the key is longer than/);
  });

  test('a string of exactly the limit (in UTF-8 bytes) is stored', async () => {
    const run = makeRun({ run_id: 'fat-ok', note: 'é'.repeat(MAX_STRING_BYTES / 2) });
    const response = await post(run);
    assert.equal(response.status, 201, response.text);
  });
});

describe('bytes and encodings', () => {
  test('invalid UTF-8 is a 400 naming the byte position, not stored as U+FFFD', async () => {
    const text = JSON.stringify(makeRun({ run_id: 'bad-utf8', note: 'AB' }));
    const at = Buffer.byteLength(text.slice(0, text.indexOf('AB')));
    const bytes = Buffer.from(text);
    bytes[at] = 0xff;
    const response = await postBytes(bytes);
    assert.equal(response.status, 400, response.text);
    assert.match(response.body.detail, new RegExp(`not valid UTF-8 at byte ${at}`));
    assert.equal(await stored('bad-utf8'), 0);
  });

  test('a body that claims deflate but is not says deflate, not gzip', async () => {
    const response = await postBytes(Buffer.from('{"not":"deflate"}'), 'deflate');
    assert.equal(response.status, 400, response.text);
    assert.match(response.body.detail, /Content-Encoding says deflate/);
  });

  test('a valid deflate body is accepted', async () => {
    const response = await postBytes(deflateSync(JSON.stringify(makeRun({ run_id: 'deflated' }))), 'deflate');
    assert.equal(response.status, 201, response.text);
  });

  test('brotli is accepted, and a body that claims br but is not is a 400 saying so', async () => {
    const good = await postBytes(brotliCompressSync(JSON.stringify(makeRun({ run_id: 'brotli' }))), 'br');
    assert.equal(good.status, 201, good.text);
    const bad = await postBytes(Buffer.from('{"not":"brotli"}'), 'br');
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.body.detail, /Content-Encoding says br/);
  });

  test('__proto__ keys are kept in the stored payload like any unknown key', async () => {
    const text = JSON.stringify(makeRun({ run_id: 'proto' }))
      .replace(/^\{/, '{"__proto__":{"top":1},')
      .replace('"external_id":"4512_1"', '"__proto__":{"rec":2},"external_id":"4512_1"')
      .replace('"first_name":"Ana"', '"__proto__":{"emp":3},"first_name":"Ana"');
    const response = await post(text);
    assert.equal(response.status, 201, response.text);
    const run = await db.knex('sync_runs').where({ run_id: 'proto' }).first();
    // Read as own properties: the `__proto__` accessor would answer Object.prototype.
    const own = (object: object) => Object.getOwnPropertyDescriptor(object, '__proto__')?.value;
    assert.deepEqual(own(run.header), { top: 1 });
    const record = await db.knex('feed_records').where({ sync_run_id: run.id, index: 0 }).first();
    assert.deepEqual(own(record.raw), { rec: 2 });
    assert.deepEqual(own(record.raw.employee), { emp: 3 });
    assert.equal(({} as Record<string, unknown>).top, undefined, 'nothing polluted Object.prototype');
  });
});
