import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { copyField, copyLine, copyRows, stageRows } from './copy.js';

let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
  await db.knex.raw('CREATE TABLE copy_probe (id integer PRIMARY KEY, body text, doc jsonb, flag boolean)');
});
after(() => db.drop());

// Text that COPY's text format treats specially, and text it must take as it is.
const HOSTILE = [
  'tab\there',
  'new\nline',
  'carriage\rreturn\r\n',
  'back\\slash \\N \\t \\\\',
  '\\N',
  '\\.',
  '',
  ' leading and trailing ',
  'line\u2028separator\u2029paragraph',
  'emoji 👩🏽‍🍳 and é (NFC) and é (NFD)',
  '\u0001\u001f\u007f controls',
  'x'.repeat(128 * 1024),
  `"quoted" 'single' ${'\\'.repeat(7)}`,
];

describe('COPY text fields', () => {
  test('NULL, booleans and numbers, and the four escaped characters', () => {
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField(undefined), '\\N');
    assert.equal(copyField(true), 'true');
    assert.equal(copyField(42), '42');
    assert.equal(copyField('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
    assert.equal(copyLine(['x', null, 3]), 'x\t\\N\t3\n');
  });

  test('hostile text is stored byte-exact, as text and inside jsonb, and the empty string stays apart from NULL', async () => {
    const rows = [...HOSTILE, null].map((text, id) => ({ id, text, doc: JSON.stringify({ text, nested: [text] }) }));
    await db.knex.transaction((trx) =>
      copyRows(
        trx,
        'copy_probe',
        ['id', 'body', 'doc', 'flag'],
        rows.map((row) => copyLine([row.id, row.text, row.doc, row.id % 2 === 0])),
      ),
    );
    const stored: { id: number; body: string | null; doc: { text: string | null; nested: (string | null)[] }; flag: boolean }[] = await db
      .knex('copy_probe')
      .orderBy('id');
    assert.equal(stored.length, rows.length);
    for (const [index, row] of stored.entries()) {
      const sent = rows[index]!.text;
      assert.equal(row.body, sent, `row ${index}`);
      assert.deepEqual(row.doc, { text: sent, nested: [sent] }, `row ${index}`);
      assert.equal(row.flag, index % 2 === 0);
    }
    const bytes = await db.knex.raw<{ rows: { n: number }[] }>('SELECT octet_length(body) AS n FROM copy_probe WHERE id = 11');
    assert.equal(bytes.rows[0]!.n, 128 * 1024);
    await db.knex('copy_probe').del();
  });

  test('rows copied inside a transaction that rolls back are gone: COPY runs on the transaction’s own connection', async () => {
    await assert.rejects(
      db.knex.transaction(async (trx) => {
        await copyRows(trx, 'copy_probe', ['id', 'body'], [copyLine([1, 'kept?'])]);
        assert.equal(Number((await trx('copy_probe').count({ n: '*' }))[0]!.n), 1);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.equal(Number((await db.knex('copy_probe').count({ n: '*' }))[0]!.n), 0);
  });

  test('a COPY that fails (a duplicate key) rejects, rolls back what the transaction wrote, and leaves the pool usable', async () => {
    await assert.rejects(
      db.knex.transaction(async (trx) => {
        await trx('copy_probe').insert({ id: 100, body: 'before the copy' });
        await copyRows(trx, 'copy_probe', ['id', 'body'], [copyLine([7, 'a']), copyLine([7, 'b'])]);
      }),
      /duplicate key/,
    );
    assert.equal(Number((await db.knex('copy_probe').count({ n: '*' }))[0]!.n), 0);
    // Every pooled connection still answers (none is left inside a COPY).
    const answers = await Promise.all(Array.from({ length: 8 }, () => db.knex.raw('SELECT 1 AS one')));
    assert.equal(answers.length, 8);
  });

  test('a row generator that throws midway fails the COPY and the transaction', async () => {
    function* rows() {
      yield copyLine([1, 'one']);
      throw new Error('the rows broke');
    }
    await assert.rejects(
      db.knex.transaction((trx) => copyRows(trx, 'copy_probe', ['id', 'body'], rows())),
      /the rows broke/,
    );
    assert.equal(Number((await db.knex('copy_probe').count({ n: '*' }))[0]!.n), 0);
    assert.equal((await db.knex.raw('SELECT 1 AS one')).rows[0].one, 1);
  });

  test('a staging table lives for its transaction and can be staged again in the same one', async () => {
    await db.knex.transaction(async (trx) => {
      await stageRows(trx, 'probe_stage', 'id integer, body text', [copyLine([1, 'x\ty'])]);
      await stageRows(trx, 'probe_stage', 'id integer, body text', [copyLine([2, 'z']), copyLine([3, null])]);
      const { rows } = await trx.raw<{ rows: { id: number; body: string | null }[] }>('SELECT id, body FROM probe_stage ORDER BY id');
      assert.deepEqual(rows, [
        { id: 2, body: 'z' },
        { id: 3, body: null },
      ]);
    });
    const { rows } = await db.knex.raw<{ rows: unknown[] }>("SELECT 1 FROM pg_class WHERE relname = 'probe_stage' AND relpersistence = 't'");
    assert.equal(rows.length, 0);
  });
});
