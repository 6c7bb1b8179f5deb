import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createApp } from '../app/app.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { countRows, createOrgWithIntegration } from '../../test/helpers/fixtures.js';
import { makeLargeRun } from '../../test/helpers/large-run.js';
import { LARGE_BODY_BYTES } from './ingest-gate.js';

let db: TestDatabase;
let server: http.Server;
let port: number;
let token: string;
before(async () => {
  db = await createTestDatabase();
  ({ token } = await createOrgWithIntegration(db.knex));
  server = http.createServer(createApp({ knex: db.knex, ingestLimits: { concurrency: 1 } }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await db.drop();
});

/** Starts a post that announces `length` bytes and sends `body` (maybe none of them). */
function startPost(length: number, body = '') {
  const req = http.request({
    port,
    method: 'POST',
    path: '/api/v1/sync-runs',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': length },
  });
  const answer = new Promise<{ status: number; retryAfter?: string; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], text }));
    });
    req.on('error', reject);
  });
  answer.catch(() => undefined);
  req.write(body);
  return { req, answer };
}

test('beyond INGEST_CONCURRENCY large ingests, a post is a 503 with Retry-After before its body is read, and the slot frees on close', {
  timeout: 60_000,
}, async () => {
  // Neither post sends a byte of its body: the one that gets the slot waits
  // for it, the other is answered at once from its headers.
  const first = startPost(5 * LARGE_BODY_BYTES);
  const second = startPost(5 * LARGE_BODY_BYTES);
  const refused = await Promise.race([first.answer, second.answer]);
  assert.equal(refused.status, 503, refused.text);
  assert.ok(Number(refused.retryAfter) > 0);
  assert.match(JSON.parse(refused.text).detail, /1 large run is being ingested already; retry in \d+ seconds/);

  // A small run is never held.
  const small = JSON.stringify(makeLargeRun(10, 'small'));
  assert.equal((await startPost(Buffer.byteLength(small), small).answer).status, 201);

  // The waiting post's client goes away: its slot is free for a large run.
  first.req.destroy();
  second.req.destroy();
  const large = JSON.stringify(makeLargeRun(4_000, 'large'));
  assert.ok(Buffer.byteLength(large) >= LARGE_BODY_BYTES, 'the run is large');
  let answer = await startPost(Buffer.byteLength(large), large).answer;
  // The server may see the close a moment after the client made it.
  for (let attempt = 0; answer.status === 503 && attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await startPost(Buffer.byteLength(large), large).answer;
  }
  assert.equal(answer.status, 201, answer.text);
  assert.equal(await countRows(db.knex, 'sync_runs'), 2);
});
