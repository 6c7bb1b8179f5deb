import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { Response } from 'express';
import { CSV_BATCH, csvCell, csvLine, keysetBatches, sendCsv } from './csv.js';

test('cells that a spreadsheet would run as a formula are neutralised', () => {
  for (const start of ['=', '+', '-', '@', '\t', '\r']) {
    assert.equal(csvCell(`${start}HYPERLINK("http://evil")`).replace(/^"/, '').startsWith(`'${start}`), true, JSON.stringify(start));
  }
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('-5'), "'-5");
  assert.equal(csvCell('Bartender '), 'Bartender ');
  assert.equal(csvCell('a=b'), 'a=b');
});

test('cells are quoted per RFC 4180 only when they must be', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('with, comma'), '"with, comma"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('\rstart'), `"'\rstart"`);
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(42), '42');
  assert.equal(csvCell(new Date('2026-11-29T12:00:00Z')), '2026-11-29T12:00:00.000Z');
  assert.equal(csvLine(['a', 'b,c', null]), 'a,"b,c",\r\n');
});

test('keyset batches read every row once, a batch at a time, after the last key', async () => {
  const all = Array.from({ length: CSV_BATCH * 2 + 7 }, (_, i) => i);
  const asked: Array<number | undefined> = [];
  const fetchAfter = async (after: number | undefined, limit: number) => {
    asked.push(after);
    return all.filter((n) => after === undefined || n > after).slice(0, limit + 1);
  };
  const seen: number[] = [];
  for await (const batch of keysetBatches(fetchAfter, (n) => n)) {
    assert.ok(batch.length <= CSV_BATCH);
    seen.push(...batch);
  }
  assert.deepEqual(seen, all);
  assert.deepEqual(asked, [undefined, CSV_BATCH - 1, CSV_BATCH * 2 - 1]);
});

test('a long export that waits for a slow client many times leaves no listener behind', async () => {
  // A client that takes every chunk only after a pause: each write asks the export to wait.
  class SlowClient extends EventEmitter {
    destroyed = false;
    ended = false;
    written = '';
    status() {
      return this;
    }
    type() {
      return this;
    }
    attachment() {
      return this;
    }
    write(chunk: string) {
      this.written += chunk;
      setImmediate(() => this.emit('drain'));
      return false;
    }
    end() {
      this.ended = true;
    }
  }
  const client = new SlowClient();
  async function* batches() {
    for (let i = 0; i < 50; i++) yield [{ n: i }];
  }
  await sendCsv(client as unknown as Response, 'x.csv', [{ header: 'n', cell: (row: { n: number }) => row.n }], batches());
  assert.ok(client.ended);
  assert.equal(client.written.trimEnd().split('\r\n').length, 51);
  for (const event of ['drain', 'close', 'error']) assert.equal(client.listenerCount(event), 0, `${event} listeners left`);
});
