import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyRun } from './classify-run.js';
import { diffAgainstTruth, formatDifferences, loadExampleCorpus } from '../../test/helpers/truth.js';
import type { Difference } from '../../test/helpers/truth.js';
import type { Catalog, EmployeeState, FormField } from './types.js';
import { DEFAULT_REQUIRED_FIELDS } from './types.js';

const corpus = loadExampleCorpus();

test('the example corpus holds the three integrations of the spec', () => {
  assert.deepEqual(
    corpus.map((integration) => integration.integration),
    ['fourth-flow', 'planday-flow', 'hrfeed-flow'],
  );
});

for (const { integration, runs } of corpus) {
  test(`every run of ${integration} classifies exactly as truth.json says`, () => {
    // The state an ingest would keep between runs, carried here in memory.
    let catalog: Catalog | null = null;
    let formFields: FormField[] | null = null;
    const employees = new Map<string, EmployeeState>();
    const differences: Difference[] = [];

    for (const run of runs) {
      const result = classifyRun(run.payload, {
        requiredFields: DEFAULT_REQUIRED_FIELDS,
        catalog,
        formFields,
        employees,
      });
      catalog = result.catalog;
      formFields = result.formFields;
      for (const [id, state] of result.employeeChanges) employees.set(id, state);
      differences.push(...diffAgainstTruth(result, run.truth));
    }

    assert.equal(differences.length, 0, `${differences.length} differences from truth.json:\n${formatDifferences(differences)}`);
  });
}
