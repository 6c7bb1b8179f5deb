/**
 * GET /api/v1/events: the missed runs the scheduler stored, as a reader of the
 * API sees them: newest expected time first, filtered, paginated, as CSV, and
 * only the caller's organisations'.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { checkMissedRuns } from '../src/missed-runs/missed-runs.service.js';
import { startWithFixtureUsers } from './helpers/accounts.js';
import type { TestDatabase } from './helpers/database.js';
import { makeRun } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';

let db: TestDatabase;
let app: Express;
let tokens: Record<string, string>;
let integrationB: string;
let noonRun: string;

const get = (who: string, query = '') => request(app).get(`/api/v1/events${query}`).set('Authorization', `Bearer ${tokens[who]}`);

before(async () => {
  const fixtures = await startWithFixtureUsers();
  ({ db, app } = fixtures);
  tokens = fixtures.apiTokens;
  integrationB = String(fixtures.orgB.integration.id);
  // Org A (every 15 minutes, grace 10 minutes): runs at 10:00 and 12:00, then none. Org B: one run at 10:00.
  const post = async (token: string, runId: string, at: string) => {
    const res = await postRun(app, token, makeRun({ run_id: runId, started_at: at, finished_at: at }));
    assert.equal(res.status, 201, res.text);
    return String(res.body.id);
  };
  await post(fixtures.orgA.token, 'a-10', '2026-11-21T10:00:00Z');
  noonRun = await post(fixtures.orgA.token, 'a-12', '2026-11-21T12:00:00Z');
  await post(fixtures.orgB.token, 'b-10', '2026-11-21T10:00:00Z');
  await checkMissedRuns(db.knex, new Date('2026-11-21T13:00:00Z'));
});
after(() => db.drop());

test("a reader sees their organisation's gaps, the open one first, each once with its slots", async () => {
  const res = await get('owner');
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(
    res.body.items.map((item: Record<string, unknown>) => ({ ...item, id: undefined, integration: (item.integration as { name: string }).name })),
    [
      {
        id: undefined,
        integration: 'A flow',
        code: 'missed_run',
        severity: 'error',
        expected: 'every 15m (grace 10m)',
        due_at: '2026-11-21T12:15:00.000Z',
        last_due_at: '2026-11-21T12:45:00.000Z',
        missed_slots: 3,
        detected_at: '2026-11-21T13:00:00.000Z',
        resolved_at: null,
        resolved_by_run: null,
      },
      {
        id: undefined,
        integration: 'A flow',
        code: 'missed_run',
        severity: 'error',
        expected: 'every 15m (grace 10m)',
        due_at: '2026-11-21T10:15:00.000Z',
        last_due_at: '2026-11-21T11:45:00.000Z',
        missed_slots: 7,
        detected_at: '2026-11-21T13:00:00.000Z',
        resolved_at: '2026-11-21T12:00:00.000Z',
        resolved_by_run: noonRun,
      },
    ],
  );
  assert.equal(res.body.next_cursor, null);
});

test('filters: open or closed, a time range on the expected time, one integration (another organisation is none)', async () => {
  assert.deepEqual(
    (await get('owner', '?open=true')).body.items.map((i: { due_at: string }) => i.due_at),
    ['2026-11-21T12:15:00.000Z'],
  );
  assert.deepEqual(
    (await get('owner', '?open=false&code=missed_run')).body.items.map((i: { due_at: string }) => i.due_at),
    ['2026-11-21T10:15:00.000Z'],
  );
  assert.deepEqual(
    (await get('owner', '?from=2026-11-21T11:00:00Z&to=2026-11-21T13:00:00Z')).body.items.map((i: { due_at: string }) => i.due_at),
    ['2026-11-21T12:15:00.000Z'],
  );
  assert.deepEqual((await get('owner', `?integration=${integrationB}`)).body.items, []);
  assert.equal((await get('owner', '?open=maybe')).status, 400);
  assert.equal((await get('owner', '?code=run_failed')).status, 400);
});

test('support sees every organisation; pages follow the cursor', async () => {
  const all = await get('support');
  assert.deepEqual(all.body.items.map((i: { integration: { name: string } }) => i.integration.name).sort(), ['A flow', 'A flow', 'B flow']);
  const seen: string[] = [];
  let cursor: string | null = '';
  for (let pages = 0; cursor !== null; pages += 1) {
    assert.ok(pages < 5);
    const res = await get('support', `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, res.text);
    seen.push(...res.body.items.map((i: { id: string }) => i.id));
    cursor = res.body.next_cursor;
  }
  assert.deepEqual(
    seen,
    all.body.items.map((i: { id: string }) => i.id),
  );
});

test('format=csv streams the same list', async () => {
  const res = await get('owner', '?format=csv');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'] ?? '', /text\/csv/);
  const lines = res.text.trim().split(/\r\n/);
  assert.equal(lines[0], 'id,integration,code,expected,due_at,last_due_at,missed_slots,detected_at,resolved_at,resolved_by_run');
  assert.equal(lines.length, 3);
  assert.match(lines[2]!, /A flow,missed_run,every 15m \(grace 10m\),2026-11-21T10:15:00.000Z,2026-11-21T11:45:00.000Z,7,/);
});
