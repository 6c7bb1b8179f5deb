/**
 * Whatever a caller puts in a list's query string (cursors, filters, odd
 * unicode, NUL, raw bytes, numbers, dates), the answer is a 200 or a 400
 * problem naming a parameter it was sent: never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import fc from 'fast-check';
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

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Timestamps, well-formed or nearly: out-of-range fields, year 0, offsets, no zone. */
const dateText = fc.oneof(
  fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
  fc
    .record({
      y: fc.integer({ min: 0, max: 10_000 }),
      mo: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }),
      zone: fc.constantFrom('Z', '+01:00', '-23:59', '+24:00', ''),
    })
    .map(({ y, mo, d, h, zone }) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:00:00${zone}`),
);

const text = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\0', 'a\0b', '\0\0', '\uFEFF', '\u202E', 'e\u0301', '%', '_', '\\', ' ', '1e300', '-1', '0', '1.5', 'NaN', 'true', 'null'),
  fc.tuple(fc.string(), fc.string()).map(([before, after]) => `${before}\0${after}`),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
  dateText,
);

/** A query value as it travels: encoded text, or raw percent-escaped bytes (invalid UTF-8 included). */
const value = fc.oneof(
  text.map(encodeURIComponent),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')),
);

const keyPart = fc.oneof(dateText, fc.integer(), fc.double(), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.jsonValue({ maxDepth: 1 }));
/** Mostly keys of a list's length (2 or 3 parts), where a wrong type reaches the query. */
const cursor = fc
  .oneof(
    { arbitrary: fc.tuple(keyPart, keyPart).map((key) => b64(JSON.stringify(key))), weight: 3 },
    { arbitrary: fc.tuple(keyPart, keyPart, keyPart).map((key) => b64(JSON.stringify(key))), weight: 3 },
    fc.array(keyPart, { maxLength: 4 }).map((key) => b64(JSON.stringify(key))),
    fc.jsonValue({ maxDepth: 2 }).map((json) => b64(JSON.stringify(json) ?? '')),
    fc.uint8Array({ maxLength: 40 }).map(b64),
    text,
  )
  .map(encodeURIComponent);

interface List {
  path: string;
  params: string[];
  page?: true;
  /** Fewer runs for the pages without filters: little of the query reaches them. */
  runs?: number;
  /** An employee the filters leave no record or state of is a 404, as api.md says. */
  notFound?: true;
}

const PAGE = ['limit', 'cursor'];
const LISTS: List[] = [
  { path: '/api/v1/sync-runs', params: ['integration', 'status', 'trigger', 'from', 'to', 'run_id', ...PAGE] },
  { path: '/api/v1/records', params: ['run', 'integration', 'external_id', 'email', 'q', 'code', 'severity', 'outcome', 'field', 'from', 'to', ...PAGE] },
  { path: '/api/v1/error-groups', params: ['integration', 'code', 'status', 'q', 'format', ...PAGE] },
  { path: '/api/v1/drift', params: ['integration', 'field', 'format', ...PAGE] },
  { path: '/api/v1/employees/4512_1', params: ['integration', ...PAGE], notFound: true },
  { path: '/error-groups', params: ['integration', 'code', 'status', 'q', 'format', ...PAGE], page: true },
  { path: '/drift', params: ['integration', 'field', 'format', ...PAGE], page: true },
  // The other list pages take no filter; what a caller adds must still not break them.
  { path: '/', params: PAGE, page: true, runs: 30 },
  { path: '/integrations', params: PAGE, page: true, runs: 30 },
  { path: '/members', params: ['done', 'who', ...PAGE], page: true, runs: 30 },
  { path: '/settings/tokens', params: ['revoked', ...PAGE], page: true, runs: 30 },
];

/**
 * Mostly values a parameter accepts, so that the query gets as far as the
 * database with the others (one bad enum would stop it at validation).
 */
const PLAUSIBLE: Record<string, fc.Arbitrary<string>> = {
  integration: fc.integer({ min: 1, max: 5 }).map(String),
  run: fc.integer({ min: 1, max: 5 }).map(String),
  status: fc.constantFrom('completed', 'completed_with_errors', 'failed', 'open', 'resolved', 'ignored', 'regressed'),
  trigger: fc.constantFrom('scheduled', 'manual', 'initial'),
  code: fc.constantFrom('job_title_mismatch', 'missing_required_field', 'unclassified'),
  severity: fc.constantFrom('error', 'info'),
  outcome: fc.constantFrom('succeeded', 'failed', 'warning'),
  field: fc.constantFrom('external_id', 'email', 'job_title'),
  from: dateText.map(encodeURIComponent),
  to: dateText.map(encodeURIComponent),
  limit: fc.integer({ min: 1, max: 1000 }).map(String),
  cursor,
};

const queryOf = (list: List) =>
  fc.array(
    fc
      .constantFrom(...list.params, 'unknown')
      .chain((name) => fc.oneof({ arbitrary: PLAUSIBLE[name] ?? text.map(encodeURIComponent), weight: 3 }, value).map((v) => [name, v] as const)),
    { minLength: 1, maxLength: 5 },
  );

describe('no query string makes a list answer 500', () => {
  for (const list of LISTS) {
    test(list.path, { timeout: 120_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(queryOf(list), fc.boolean(), async (pairs, html) => {
          const url = `${list.path}?${pairs.map(([name, v]) => `${name}=${v}`).join('&')}`;
          const accept = list.page && html ? 'text/html' : 'application/json';
          const response = list.page
            ? await owner.agent.get(url).set('Accept', accept)
            : await request(app).get(url).set('Authorization', `Bearer ${apiToken}`).set('Accept', accept);
          const what = `${url}: ${response.status} ${response.text.slice(0, 300)}`;
          assert.ok([200, 400, ...(list.notFound ? [404] : [])].includes(response.status), what);
          if (response.status !== 400) return;
          if (accept === 'text/html') {
            assert.match(response.headers['content-type'] ?? '', /^text\/html/, what);
            return;
          }
          assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/, what);
          const problem = JSON.parse(response.text) as { status: number; errors?: { path: string }[] };
          assert.equal(problem.status, 400, what);
          assert.ok(problem.errors && problem.errors.length > 0, what);
          const sent = new Set(pairs.map(([name]) => name));
          for (const { path } of problem.errors) assert.ok(sent.has(path), `names a parameter it was sent (${path}): ${what}`);
        }),
        { numRuns: list.runs ?? 100 },
      );
    });
  }
});
