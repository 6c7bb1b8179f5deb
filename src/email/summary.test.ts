import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSummary, type SummaryData } from './summary.js';

const day = (at: Date) => at.toISOString().slice(0, 10);
const options = { publicUrl: 'https://feedlog.example.com', day };

const DATA: SummaryData = {
  organisation: { name: 'Acme Hospitality' },
  period: { start: new Date('2026-11-29T07:00:00Z'), end: new Date('2026-11-30T07:00:00Z') },
  integrations: [
    {
      id: 3,
      name: 'Planday to Flow',
      sourceSystem: 'Planday',
      targetSystem: 'Flow Learning',
      runs: 1,
      failedRuns: 0,
      previousRuns: 1,
      previousFailedRuns: 1,
      missedSlots: 0,
    },
    {
      id: 4,
      name: 'Mapal OS',
      sourceSystem: 'Mapal OS',
      targetSystem: 'Flow Learning',
      runs: 90,
      failedRuns: 9,
      previousRuns: 96,
      previousFailedRuns: 0,
      missedSlots: 6,
    },
  ],
  groups: { new: 12, regressed: 1, resolved: 30, previousNew: 4, previousResolved: 2 },
  largestGroups: [
    {
      id: 77,
      integrationId: 3,
      status: 'open',
      employeesBlocked: 14,
      code: 'job_title_mismatch',
      severity: 'error',
      field: 'job_title',
      value: 'kitchen porter',
      expected: 'Kitchen Porter',
      variant: 'case',
    },
  ],
  blockedLongest: [{ integrationId: 3, externalId: '4512_10293', name: 'Ana Lopez', failingSince: new Date('2026-11-21T02:00:00Z') }],
};

describe('the summary email', () => {
  test('says what needs action, with the actual values, against the period before, each figure linked', () => {
    const summary = buildSummary(DATA, options);
    assert.equal(summary.needsAction, true);
    assert.equal(summary.subject, 'feedlog summary for Acme Hospitality: 12 new error groups, 1 integration need attention');
    assert.match(summary.text, /Planday to Flow: 1 run, 100% succeeded \(0% the period before\)/);
    assert.match(summary.text, /Mapal OS: 90 runs, 90% succeeded \(100% the period before\); 6 scheduled runs did not arrive/);
    assert.match(summary.text, /Error groups: 12 new \(4 the period before\), 1 regressed, 30 resolved \(2 the period before\)/);
    assert.match(summary.text, /'kitchen porter'[\s\S]*'Kitchen Porter'/, 'the guidance names the actual values');
    assert.match(summary.text, /14 employees blocked/);
    assert.match(summary.text, /Ana Lopez \(4512_10293\), failing since 2026-11-21/);
    for (const url of [
      'https://feedlog.example.com/runs?integration=4',
      'https://feedlog.example.com/error-groups/77',
      'https://feedlog.example.com/employees?integration=3&q=4512_10293',
    ]) {
      assert.ok(summary.text.includes(url), url);
    }
  });

  test('a quiet period needs no action, and says so', () => {
    const quiet = buildSummary(
      {
        ...DATA,
        integrations: [{ ...DATA.integrations[0]!, previousFailedRuns: 0 }],
        groups: { new: 0, regressed: 0, resolved: 3, previousNew: 0, previousResolved: 0 },
        largestGroups: [],
        blockedLongest: [],
      },
      options,
    );
    assert.equal(quiet.needsAction, false);
    assert.equal(quiet.subject, 'feedlog summary for Acme Hospitality: nothing needs action');
  });
});
