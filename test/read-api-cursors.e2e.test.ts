/**
 * A cursor and a filter are input like any other: a forged cursor or a filter
 * PostgreSQL cannot hold (a NUL) is a 400 problem naming it, never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import type { BrowserSession } from './helpers/accounts.js';
import type { TestDatabase } from './helpers/database.js';
import { startWithTwoRuns } from './helpers/read-api.js';

let db: TestDatabase;
let app: Express;
let apiToken: string;
let owner: BrowserSession;

before(async () => {
  ({ db, app, apiToken, owner } = await startWithTwoRuns());
});
after(() => db.drop());

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const forge = (key: unknown) => b64(JSON.stringify(key));
const TIME = '2026-01-01T00:00:00.000Z';

/** Each list with its key: [time, id] or [time, run id, record index]. */
const LISTS = [
  { path: '/api/v1/sync-runs', key: 2 },
  { path: '/api/v1/error-groups', key: 2 },
  { path: '/api/v1/records', key: 3 },
  { path: '/api/v1/employees/4512_1', key: 3 },
  { path: '/error-groups', key: 2, page: true },
] as const;

/** Cursors of the right length with a wrong part, for a key of `length` parts. */
function forgedKeys(length: 2 | 3): unknown[][] {
  const tail = length === 3 ? [0] : [];
  const keys: unknown[][] = [
    ['not-a-date', 1, ...tail],
    ['not a date', 1, ...tail],
    [1e300, 1, ...tail],
    [true, 1, ...tail],
    [null, 1, ...tail],
    ['2026-02-30T00:00:00Z', 1, ...tail],
    ['0000-01-01T00:00:00Z', 1, ...tail],
    ['0001-01-01T00:00:00-23:59', 1, ...tail], // PostgreSQL takes offsets up to ±15:59
    ['2026-01-01T00:00:00Z\u0000', 1, ...tail],
    [TIME, 1.5, ...tail],
    [TIME, -1, ...tail],
    [TIME, 0, ...tail],
    [TIME, 2 ** 63, ...tail],
    [TIME, 1e300, ...tail],
    [TIME, '1', ...tail],
    [TIME, 'x\u0000', ...tail],
    [TIME, { id: 1 }, ...tail],
  ];
  if (length === 3) keys.push([TIME, 1, -1], [TIME, 1, 0.5], [TIME, 1, 2 ** 31], [TIME, 1, '0']);
  return keys;
}

const OTHER_CURSORS = [
  forge({ started_at: TIME, id: 1 }),
  forge('x'),
  forge(null),
  forge(42),
  forge([]),
  forge([TIME, 1, 0, 0]),
  b64('not json'),
  '!!!not base64url!!!',
  'garbage',
];

async function get(list: (typeof LISTS)[number], query: string) {
  const url = `${list.path}?${query}`;
  return 'page' in list ? owner.agent.get(url) : request(app).get(url).set('Authorization', `Bearer ${apiToken}`);
}

function assertNamesParameter(response: request.Response, name: string, what: string) {
  assert.equal(response.status, 400, `${what}: ${response.status} ${response.text.slice(0, 300)}`);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/, what);
  const problem = JSON.parse(response.text) as { errors?: { path: string }[]; detail?: string };
  assert.deepEqual(
    problem.errors?.map((e) => e.path),
    [name],
    what,
  );
  return problem;
}

describe('a forged cursor is a 400 naming cursor on every list', () => {
  for (const list of LISTS) {
    test(list.path, async () => {
      for (const cursor of [...forgedKeys(list.key).map(forge), ...OTHER_CURSORS]) {
        const what = `${list.path} cursor ${Buffer.from(cursor, 'base64url').toString('utf8')}`;
        const problem = assertNamesParameter(await get(list, `cursor=${encodeURIComponent(cursor)}`), 'cursor', what);
        assert.equal(problem.detail, 'The cursor is not one this API gave out: pass next_cursor back unchanged.', what);
      }
    });
  }

  test('a cursor the API gave out still pages, on every list', async () => {
    for (const list of LISTS) {
      const first = await get(list, 'limit=1');
      assert.equal(first.status, 200, `${list.path}: ${first.text.slice(0, 300)}`);
      if ('page' in list) continue; // the page's next link is checked in src/groups
      const body = list.path.startsWith('/api/v1/employees') ? first.body.records : first.body;
      assert.ok(body.next_cursor, `${list.path} has a second page`);
      const second = await get(list, `limit=1&cursor=${body.next_cursor}`);
      assert.equal(second.status, 200, `${list.path}: ${second.text.slice(0, 300)}`);
    }
  });
});

describe('a NUL in a filter is a 400 naming the filter', () => {
  const cases = [
    ['/api/v1/sync-runs', 'run_id'],
    ['/api/v1/records', 'external_id'],
    ['/api/v1/records', 'email'],
    ['/api/v1/records', 'q'],
    ['/api/v1/error-groups', 'q'],
  ] as const;
  for (const [path, name] of cases) {
    test(`${path}?${name}=`, async () => {
      for (const value of ['%00', 'a%00b', '%00%00']) {
        const response = await request(app).get(`${path}?${name}=${value}`).set('Authorization', `Bearer ${apiToken}`);
        assertNamesParameter(response, name, `${path}?${name}=${value}`);
      }
    });
  }
});

test('an external ID with a NUL names no employee: 404, not a 500', async () => {
  for (const path of ['/api/v1/employees/%00', '/api/v1/employees/4512_1%00', '/api/v1/employees/a%00b?integration=1']) {
    const response = await request(app).get(path).set('Authorization', `Bearer ${apiToken}`);
    assert.equal(response.status, 404, `${path}: ${response.text.slice(0, 300)}`);
    assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  }
});
