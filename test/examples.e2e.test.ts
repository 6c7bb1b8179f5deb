import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import { createApp } from '../src/app/app.js';
import { createOrganisation } from '../src/orgs/orgs.service.js';
import { diffAgainstTruth, formatDifferences, loadExampleCorpus, type ComparableError, type Difference } from './helpers/truth.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { createExampleIntegration } from './helpers/fixtures.js';
import { postRun } from './helpers/ingest.js';

let db: TestDatabase;
let app: Express;

before(async () => {
  db = await createTestDatabase();
  app = createApp({ knex: db.knex });
  await createOrganisation(db.knex, 'examples', 'Example corpus');
});
after(() => db.drop());

/** The errors stored for one run, read back from the errors table. */
async function storedErrors(syncRunId: number, recordCount: number) {
  const rows: Array<ComparableError & { record_index: number | null }> = await db
    .knex('errors')
    .select('record_index', 'code', 'field', 'variant', 'expected')
    .where({ sync_run_id: syncRunId })
    .orderBy('id');
  const recordErrors: ComparableError[][] = Array.from({ length: recordCount }, () => []);
  for (const { record_index, ...error } of rows) {
    if (record_index !== null) recordErrors[record_index]!.push(error);
  }
  return { runErrors: rows.filter((row) => row.record_index === null), recordErrors };
}

test('every example run ingested through the HTTP API gets exactly the errors of truth.json', async () => {
  const differences: Difference[] = [];
  let runs = 0;
  for (const example of loadExampleCorpus()) {
    const { token } = await createExampleIntegration(db.knex, 'examples', example);
    for (const run of example.runs) {
      const response = await postRun(app, token, run.payload);
      assert.equal(response.status, 201, `${run.file}: ${response.text}`);
      const actual = await storedErrors(Number(response.body.id), run.payload.records.length);
      differences.push(...diffAgainstTruth(actual, run.truth));

      // The summary's error_counts are the stored errors, per code.
      const expectedCounts: Record<string, number> = {};
      for (const error of [...actual.runErrors, ...actual.recordErrors.flat()]) expectedCounts[error.code] = (expectedCounts[error.code] ?? 0) + 1;
      for (const [code, count] of Object.entries(response.body.error_counts as Record<string, number>)) {
        assert.equal(count, expectedCounts[code] ?? 0, `${run.file}: error_counts.${code}`);
      }
      runs += 1;
    }
    const again = await postRun(app, token, example.runs[0]!.payload);
    assert.equal(again.status, 200, 'posting a run again is an idempotent 200');
  }
  assert.equal(runs, 16);
  assert.equal(differences.length, 0, `\n${formatDifferences(differences)}`);
});
