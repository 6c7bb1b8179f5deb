/**
 * The ingest body under fast-check (issue 9): arbitrary JSON mutations of a
 * valid run — wrong types, deep nesting, huge strings, unknown keys,
 * `__proto__` keys, a run_id already stored — are never a 5xx and never a
 * partial store: after a refused post, the integration's rows in sync_runs,
 * feed_records and errors are exactly what they were; after an accepted one,
 * the run is there whole (one feed_records row per record). Then the hostile
 * bodies the issue found, one test each.
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { createApp } from '../src/app/app.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createOrgWithIntegration, makeRun } from './helpers/fixtures.js';
import { hostileText, incompressible } from './helpers/hostile.js';
import { postRun } from './helpers/ingest.js';

let db: TestDatabase;
let app: Express;
let token: string;
let integrationId: number;

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex, ingestLimits: { perMinute: 100_000 } });
  const created = await createOrgWithIntegration(db.knex);
  token = created.token;
  integrationId = created.integration.id;
  // A run already stored, whose run_id the fuzz reuses with other bodies.
  const stored = await postRun(app, token, makeRun({ run_id: 'stored' }));
  assert.equal(stored.status, 201, stored.text);
});
after(() => db.drop());

/** The integration's rows in the three tables a run writes. */
async function rowsOfIntegration() {
  const count = async (table: string) =>
    Number((await db.knex(table).where({ integration_id: integrationId }).count<{ count: string }[]>('* as count'))[0]!.count);
  return { sync_runs: await count('sync_runs'), feed_records: await count('feed_records'), errors: await count('errors') };
}

/** Every run of the integration is whole: as many feed_records rows as its record_count. */
async function assertRunsWhole(what: string) {
  const partial = await db.knex.raw(
    `SELECT r.run_id, r.record_count, count(f.*) AS stored
       FROM sync_runs r LEFT JOIN feed_records f ON f.sync_run_id = r.id
      WHERE r.integration_id = ? GROUP BY r.id, r.run_id, r.record_count HAVING count(f.*) <> r.record_count`,
    [integrationId],
  );
  assert.deepEqual(partial.rows, [], `${what}: a run is stored in part`);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** The paths of a valid run (makeRun) a mutation may target. */
const PATHS: Path[] = [
  [],
  ['run_id'],
  ['schema_version'],
  ['source_system'],
  ['trigger'],
  ['status'],
  ['started_at'],
  ['finished_at'],
  ['run_error'],
  ['catalog'],
  ['catalog', 'job_titles'],
  ['catalog', 'job_titles', 0],
  ['catalog', 'branches', 0],
  ['form_fields'],
  ['records'],
  ['records', 0],
  ['records', 0, 'external_id'],
  ['records', 0, 'action'],
  ['records', 1, 'outcome'],
  ['records', 1, 'employee'],
  ['records', 1, 'employee', 'email'],
  ['records', 1, 'employee', 'job_title'],
  ['records', 0, 'employee', 'first_name'],
  ['records', 1, 'messages'],
  ['records', 1, 'messages', 0],
  ['records', 1, 'messages', 0, 'code'],
  ['records', 1, 'messages', 0, 'text'],
];

type Mutation =
  | { kind: 'replace'; path: Path; value: Json }
  | { kind: 'delete'; path: Path }
  | { kind: 'huge'; path: Path; size: number }
  | { kind: 'unknown-key'; path: Path; key: string; value: Json }
  | { kind: 'proto-key'; path: Path; value: Json }
  | { kind: 'deep'; path: Path; depth: number; bracket: '[' | '{' }
  | { kind: 'run-id'; runId: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...PATHS), value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> }),
  fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...PATHS), value: hostileText }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS.filter((p) => p.length > 0)) }),
  fc.record({
    kind: fc.constant('huge' as const),
    path: fc.constantFrom(...PATHS.filter((p) => p.length > 0)),
    size: fc.integer({ min: 2_000, max: 300_000 }),
  }),
  fc.record({
    kind: fc.constant('unknown-key' as const),
    path: fc.constantFrom<Path>([], ['catalog'], ['records', 0], ['records', 1, 'employee'], ['records', 1, 'messages', 0]),
    key: fc.oneof(fc.string(), fc.constantFrom('constructor', 'prototype', 'toString', 'hasOwnProperty', '')),
    value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  }),
  fc.record({
    kind: fc.constant('proto-key' as const),
    path: fc.constantFrom<Path>([], ['catalog'], ['records', 0], ['records', 1, 'employee'], ['records', 1, 'messages', 0]),
    value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  }),
  fc.record({
    kind: fc.constant('deep' as const),
    path: fc.constantFrom(...PATHS.filter((p) => p.length > 0)),
    depth: fc.integer({ min: 100, max: 20_000 }),
    bracket: fc.constantFrom('[' as const, '{' as const),
  }),
  fc.record({ kind: fc.constant('run-id' as const), runId: fc.constantFrom('stored', 'fuzz-dup') }),
);

function parentOf(run: Json, path: Path): { node: Record<string | number, Json>; last: string | number } | undefined {
  let node = run as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) {
    const next = node?.[key];
    if (next === null || typeof next !== 'object') return undefined;
    node = next as Record<string | number, Json>;
  }
  return { node, last: path[path.length - 1]! };
}

/** Applies mutations to a fresh valid run; returns the JSON text to post. */
function mutatedBody(runId: string, mutations: Mutation[]): string {
  let run: Json = makeRun({ run_id: runId }) as Json;
  const textReplacements: [string, string][] = [];
  for (const [i, m] of mutations.entries()) {
    if (m.kind === 'run-id') {
      if (run && typeof run === 'object' && !Array.isArray(run)) run.run_id = m.runId;
      continue;
    }
    if (m.kind === 'unknown-key' || m.kind === 'proto-key') {
      let node: Json = run;
      for (const key of m.path) node = node && typeof node === 'object' ? ((node as Record<string | number, Json>)[key] ?? null) : null;
      if (!node || typeof node !== 'object' || Array.isArray(node)) continue;
      // A placeholder key, renamed in the text: an object literal's `__proto__` would set the prototype instead.
      const key = m.kind === 'proto-key' ? `\u0001proto${i}\u0001` : m.key;
      (node as Record<string, Json>)[key] = m.value;
      if (m.kind === 'proto-key') textReplacements.push([JSON.stringify(key), '"__proto__"']);
      continue;
    }
    const value: Json | undefined =
      m.kind === 'replace' ? m.value : m.kind === 'huge' ? incompressible(m.size) : m.kind === 'deep' ? `\u0001deep${i}\u0001` : undefined;
    if (m.kind === 'deep') {
      const close = m.bracket === '[' ? ']' : '}';
      const open = m.bracket === '[' ? '[' : '{"a":';
      textReplacements.push([JSON.stringify(value), `${open.repeat(m.depth)}1${close.repeat(m.depth)}`]);
    }
    if (m.path.length === 0) {
      if (value !== undefined) run = value;
      continue;
    }
    const parent = parentOf(run, m.path);
    // An earlier mutation may have replaced an object on the path with a scalar.
    if (!parent || typeof parent.node !== 'object' || parent.node === null) continue;
    if (value === undefined) delete parent.node[parent.last];
    else parent.node[parent.last] = value;
  }
  let text = JSON.stringify(run);
  for (const [from, to] of textReplacements) text = text.replace(from, to);
  return text;
}

describe('ingest body fuzz', () => {
  test('mutated runs are never a 5xx and never stored in part', { timeout: 240_000 }, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.uuid(), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), async (runId, mutations, gzip) => {
        const body = mutatedBody(`fuzz-${runId}`, mutations);
        const before = await rowsOfIntegration();
        const res = await postRun(app, token, gzip ? zlib.gzipSync(body) : body);
        const what = `${JSON.stringify(mutations).slice(0, 400)} -> ${res.status} ${res.text.slice(0, 300)}`;
        assert.ok(res.status < 500, what);
        const rows = await rowsOfIntegration();
        if (res.status === 201) {
          accepted++;
          assert.equal(rows.sync_runs, before.sync_runs + 1, what);
          assert.equal(rows.feed_records, before.feed_records + Number(res.body.record_count), what);
        } else {
          assert.ok([200, 400, 409, 413].includes(res.status), what);
          if (res.status !== 200) assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/, what);
          assert.deepEqual(rows, before, `a ${res.status} changed nothing: ${what}`);
        }
      }),
      { numRuns: 60, includeErrorInReport: true },
    );
    await assertRunsWhole('after the fuzz');
    process.stderr.write(`ingest fuzz: ${accepted} of 60 mutated runs were still valid and stored whole\n`);
  });
});

describe('the hostile bodies the issue found', () => {
  const refusedWithNothingStored = async (res: request.Response, before: Awaited<ReturnType<typeof rowsOfIntegration>>, what: string) => {
    assert.ok(res.status >= 400 && res.status < 500, `${what}: expected a 4xx problem, got ${res.status} ${res.text.slice(0, 300)}`);
    assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/, what);
    assert.deepEqual(await rowsOfIntegration(), before, `${what}: nothing stored`);
  };

  test('nesting 1,000 to 100,000 deep (an unknown key or a known field) is never a 5xx nor stored in part', { timeout: 120_000 }, async () => {
    for (const depth of [1_000, 5_000, 10_000, 50_000, 100_000]) {
      for (const bracket of ['[', '{'] as const) {
        for (const path of [['records', 0, 'employee', 'department'], ['records', 0, 'employee', 'x_extra'], ['x_extra']] as Path[]) {
          const before = await rowsOfIntegration();
          const res = await postRun(app, token, mutatedBody(`deep-${depth}-${bracket}-${path.join('.')}`, [{ kind: 'deep', path, depth, bracket }]));
          const what = `${path.join('.')} nested ${bracket} ${depth} deep: ${res.status} ${res.text.slice(0, 200)}`;
          assert.ok(res.status < 500, what);
          if (res.status !== 201) await refusedWithNothingStored(res, before, what);
        }
      }
    }
    await assertRunsWhole('after the deep bodies');
  });

  test('values past the btree limit (an external_id, an email, a job title of 10,000 characters) are a 201 or a 4xx, never a 5xx, never in part', {
    timeout: 60_000,
  }, async () => {
    for (const path of [
      ['records', 0, 'external_id'],
      ['records', 1, 'employee', 'email'],
      ['records', 1, 'employee', 'job_title'],
      ['records', 1, 'messages', 0, 'text'],
      ['source_system'],
    ] as Path[]) {
      const before = await rowsOfIntegration();
      const res = await postRun(app, token, mutatedBody(`long-${path.join('.')}`, [{ kind: 'huge', path, size: 10_000 }]));
      const what = `${path.join('.')} of 10,000 characters: ${res.status} ${res.text.slice(0, 300)}`;
      assert.ok(res.status < 500, what);
      if (res.status !== 201) await refusedWithNothingStored(res, before, what);
    }
    await assertRunsWhole('after the long values');
  });

  test('a `__proto__` key in a record is kept as an unknown key, like any other', { timeout: 30_000 }, async () => {
    const body = mutatedBody('proto-kept', [
      { kind: 'proto-key', path: ['records', 0], value: { polluted: true } },
      { kind: 'proto-key', path: ['records', 1, 'employee'], value: 'x' },
    ]);
    assert.match(body, /"__proto__":\{"polluted":true\}/);
    const res = await postRun(app, token, body);
    assert.equal(res.status, 201, res.text);
    const rows = await db
      .knex('feed_records')
      .where('feed_records.integration_id', integrationId)
      .whereIn('feed_records.index', [0, 1])
      .join('sync_runs', 'sync_runs.id', 'feed_records.sync_run_id')
      .where('sync_runs.run_id', 'proto-kept')
      .orderBy('feed_records.index')
      .select('feed_records.raw');
    assert.equal(rows.length, 2);
    const own = (object: object) => Object.getOwnPropertyDescriptor(object, '__proto__')?.value;
    assert.deepEqual(own(rows[0].raw), { polluted: true }, `the raw record keeps its __proto__ key: ${JSON.stringify(rows[0].raw)}`);
    assert.equal(own(rows[1].raw.employee), 'x', `the raw employee keeps its __proto__ key: ${JSON.stringify(rows[1].raw.employee)}`);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'no prototype was polluted');
  });

  test('invalid UTF-8 in a string is a 400 naming the problem, not stored as U+FFFD', { timeout: 30_000 }, async () => {
    const text = JSON.stringify(makeRun({ run_id: 'bad-utf8' }));
    const at = text.indexOf('Ana');
    const bytes = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0x41, 0xff, 0xfe, 0x6e]), Buffer.from(text.slice(at + 3))]);
    for (const gzip of [false, true]) {
      const before = await rowsOfIntegration();
      const req = request(app).post('/api/v1/sync-runs').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json');
      if (gzip) req.set('Content-Encoding', 'gzip');
      const res = await req.serialize((b: unknown) => b as string).send(gzip ? zlib.gzipSync(bytes) : bytes);
      await refusedWithNothingStored(res, before, `invalid UTF-8${gzip ? ' (gzip)' : ''}`);
      assert.equal(await db.knex('sync_runs').where({ run_id: 'bad-utf8' }).first(), undefined, 'not stored with U+FFFD');
    }
  });

  test('Content-Encoding: br with a body that is not brotli is a 4xx', { timeout: 30_000 }, async () => {
    const before = await rowsOfIntegration();
    const res = await request(app)
      .post('/api/v1/sync-runs')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'br')
      .send(JSON.stringify(makeRun({ run_id: 'not-brotli' })));
    await refusedWithNothingStored(res, before, 'Content-Encoding: br, plain body');
  });

  test('the stored run_id with another body is a 409 and changes nothing; with the same body a 200', { timeout: 30_000 }, async () => {
    const before = await rowsOfIntegration();
    const other = await postRun(app, token, makeRun({ run_id: 'stored', trigger: 'manual' }));
    await refusedWithNothingStored(other, before, 'the stored run_id with another body');
    assert.equal(other.status, 409);
    const same = await postRun(app, token, makeRun({ run_id: 'stored' }));
    assert.equal(same.status, 200, same.text);
    assert.deepEqual(await rowsOfIntegration(), before);
  });
});
