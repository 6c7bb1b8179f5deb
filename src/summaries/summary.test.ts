import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderEmail } from '../email/email-content.js';
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

const footer = { preferencesUrl: 'https://feedlog.example.com/settings/notifications', unsubscribeUrl: 'https://feedlog.example.com/unsubscribe/x' };
const textOf = (summary: ReturnType<typeof buildSummary>) => renderEmail({ ...summary, footer }).text;

describe('the summary email', () => {
  test('says what needs action, with the actual values, against the period before, each figure linked', () => {
    const summary = buildSummary(DATA, options);
    assert.equal(summary.needsAction, true);
    assert.equal(summary.subject, 'feedlog summary for Acme Hospitality: 12 new error groups, 1 integration needs attention');
    assert.equal(summary.title, 'Acme Hospitality, 2026-11-29 to 2026-11-30');
    assert.equal(summary.intro, '12 new, 30 resolved, 1 regressed, 1 integration with failed or missing runs.');
    assert.deepEqual(
      summary.sections.map((section) => section.heading),
      ['Runs', 'Error groups', 'Largest open groups', 'Employees blocked longest'],
    );
    const [runs, groups, largest, blocked] = summary.sections;
    assert.deepEqual(
      runs!.items.map((item) => item.text),
      [
        'Mapal OS: 90 runs, 90% succeeded (100% the period before); 6 scheduled runs did not arrive',
        'Planday to Flow: 1 run, 100% succeeded (0% the period before)',
      ],
      'the integrations that need attention first',
    );
    assert.equal(runs!.items[0]!.link!.url, 'https://feedlog.example.com/runs?integration=4&from=2026-11-29T07%3A00%3A00Z&to=2026-11-30T07%3A00%3A00Z');
    assert.deepEqual(
      groups!.items.map((item) => [item.text, item.link!.url]),
      [
        ['12 new (4 the period before)', 'https://feedlog.example.com/error-groups?status=open'],
        ['1 regressed (came back after being resolved)', 'https://feedlog.example.com/error-groups?status=regressed'],
        ['30 resolved (2 the period before)', 'https://feedlog.example.com/error-groups?status=resolved'],
      ],
    );
    assert.equal(largest!.items[0]!.text, `${largest!.items[0]!.text.split(':')[0]}: 14 employees blocked in Planday to Flow`);
    assert.match(largest!.items[0]!.detail!, /'kitchen porter'[\s\S]*'Kitchen Porter'/, 'the guidance names the actual values');
    assert.equal(largest!.items[0]!.link!.url, 'https://feedlog.example.com/error-groups/77');
    assert.deepEqual(blocked!.items, [
      {
        text: 'Ana Lopez (4512_10293), blocked since 2026-11-21',
        detail: 'In Planday to Flow',
        link: { url: 'https://feedlog.example.com/employees/4512_10293?integration=3', label: 'Open the employee' },
      },
    ]);
    const text = textOf(summary);
    assert.match(text, /^Acme Hospitality, 2026-11-29 to 2026-11-30\n\n12 new, 30 resolved/);
    assert.match(text, /- Mapal OS: 90 runs, 90% succeeded \(100% the period before\); 6 scheduled runs did not arrive\n {2}Runs of Mapal OS: https:/);
  });

  test('a huge engine value is cut before the guidance quotes it', () => {
    const huge = 'x'.repeat(100_000);
    const summary = buildSummary({ ...DATA, largestGroups: [{ ...DATA.largestGroups[0]!, value: huge, expected: huge }] }, options);
    const detail = summary.sections[2]!.items[0]!.detail!;
    assert.ok(detail.length < 1_000, `${detail.length} characters`);
    assert.match(detail, /x{60}… \(100,000 characters\)/);
  });

  test('many integrations: the fifteen that matter most are listed, the rest counted in one line', () => {
    const many = Array.from({ length: 20 }, (_, index) => ({
      ...DATA.integrations[0]!,
      id: 100 + index,
      name: `Flow ${index}`,
      runs: 10,
      failedRuns: index === 19 ? 5 : 0,
    }));
    const runs = buildSummary({ ...DATA, integrations: many }, options).sections[0]!.items;
    assert.equal(runs.length, 16);
    assert.match(runs[0]!.text, /^Flow 19: 10 runs, 50% succeeded/);
    assert.equal(runs[15]!.text, '5 more integrations: 50 runs, 0 failed runs');
  });

  test('a quiet period needs no action, and says so in one line', () => {
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
    assert.deepEqual(quiet.sections, []);
    assert.equal(quiet.intro, 'Nothing needs action: 1 run of 1 integration, all succeeded; 3 error groups resolved.');
  });

  test('an hour without runs of a nightly integration (none due, none missed) needs no action', () => {
    const nightly = buildSummary(
      {
        ...DATA,
        integrations: [{ ...DATA.integrations[0]!, runs: 0, previousRuns: 0, previousFailedRuns: 0 }],
        groups: { new: 0, regressed: 0, resolved: 0, previousNew: 0, previousResolved: 0 },
        largestGroups: [],
        blockedLongest: [],
      },
      options,
    );
    assert.equal(nightly.needsAction, false);
    assert.equal(nightly.intro, 'Nothing needs action: no runs were due; 0 error groups resolved.');
    // Runs it expected and did not get are what needs attention.
    const missed = buildSummary({ ...DATA, integrations: [{ ...DATA.integrations[0]!, runs: 0, missedSlots: 4 }] }, options);
    assert.match(missed.subject, /1 integration needs attention/);
  });
});
