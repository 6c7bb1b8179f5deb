import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemsOf } from '../http/zod-problems.js';
import { makeLargeRun } from '../../test/helpers/large-run.js';
import { feedRunSchema } from './feed.schema.js';
import { validateRun } from './validate-run.js';

/** What one zod parse of the whole body reports, as validateRun must. */
function wholeParse(body: unknown) {
  const parsed = feedRunSchema.safeParse(body);
  return parsed.success ? { success: true, run: body } : { success: false, errors: problemsOf(parsed.error) };
}

test('a valid run comes back as the very object that was posted, not a copy', () => {
  const body = makeLargeRun(2_500);
  const validated = validateRun(body);
  assert.ok(validated.success);
  assert.equal(validated.run, body);
});

test('problems are the ones, in the order, that one parse of the whole body reports', () => {
  const bad = () => {
    const body = makeLargeRun(2_500) as { records: Record<string, unknown>[] } & Record<string, unknown>;
    body.records[3]!.outcome = 'maybe';
    body.records[1_999]!.employee = { email: 7 };
    body.records[2_400]!.action = undefined;
    return body;
  };
  const cases: unknown[] = [
    null,
    [],
    'text',
    { records: 'none' },
    bad(),
    { ...bad(), run_id: '', trigger: 'whenever' },
    { ...makeLargeRun(3), finished_at: '2020-01-01T00:00:00Z' },
    { ...bad(), finished_at: '2020-01-01T00:00:00Z' },
  ];
  for (const body of cases) assert.deepEqual(validateRun(body), wholeParse(body), JSON.stringify(body).slice(0, 80));
});
