import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classifyRun } from '../classify/classify-run.js';
import { ERROR_CODES } from '../classify/error-enums.js';
import { readEngineMessage } from '../classify/engine-messages.js';
import { type Catalog, DEFAULT_REQUIRED_FIELDS, type EmployeeState, type FeedRun, type FormField } from '../classify/types.js';
import { feedRunSchema } from '../ingest/feed.schema.js';
import type { Schedule } from '../integrations/schedule.js';
import type { EngineKind } from './engines.js';
import { NO_ERRORS, parseErrorMix } from './error-mix.js';
import { type SimulatedRun, Simulation, type SimulationOptions } from './generator.js';

const START = new Date('2026-11-01T00:00:00Z');
const WEEK_LATER = new Date('2026-11-08T00:00:00Z');

const KINDS: { kind: EngineKind; schedule: Schedule; employees: number }[] = [
  { kind: 'mapal-os', schedule: { kind: 'interval', seconds: 900 }, employees: 30 },
  { kind: 'planday', schedule: { kind: 'cron', expression: '0 2 * * *', timeZone: 'Europe/Copenhagen' }, employees: 120 },
  { kind: 'hr-feed', schedule: { kind: 'interval', seconds: 3600 }, employees: 60 },
];

function simulate(options: Partial<SimulationOptions> & Pick<SimulationOptions, 'kind' | 'schedule' | 'employees'>, to = WEEK_LATER): SimulatedRun[] {
  return new Simulation({ errors: parseErrorMix('normal'), seed: 1, start: START, ...options }).between(START, to);
}

const key = (e: { index: number | null; code: string; field: string | null; variant: string | null; expected: string | null }) =>
  `${e.index}|${e.code}|${e.field}|${e.variant}|${e.expected}`;

/** Classifies the runs in order, the ingest's state carried in memory, and lists every finding the simulator did not mean, and every one it meant that is missing. */
function differencesFromClassifier(runs: SimulatedRun[]): string[] {
  let catalog: Catalog | null = null;
  let formFields: FormField[] | null = null;
  const employees = new Map<string, EmployeeState>();
  const differences: string[] = [];
  for (const run of runs) {
    const result = classifyRun(run.body as unknown as FeedRun, { requiredFields: DEFAULT_REQUIRED_FIELDS, catalog, formFields, employees });
    catalog = result.catalog;
    formFields = result.formFields;
    for (const [id, state] of result.employeeChanges) employees.set(id, state);
    const found = new Set([
      ...result.runErrors.map((e) => key({ index: null, ...e })),
      ...result.recordErrors.flatMap((errors, index) => errors.map((e) => key({ index, ...e }))),
    ]);
    const meant = new Set(run.expected.map(key));
    for (const k of found) if (!meant.has(k)) differences.push(`${run.body.run_id}: not meant ${k}`);
    for (const k of meant) if (!found.has(k)) differences.push(`${run.body.run_id}: missing ${k}`);
  }
  return differences;
}

test('the same options give the same runs, byte for byte; another seed other runs', () => {
  for (const spec of KINDS) {
    const a = JSON.stringify(simulate(spec).map((run) => run.body));
    const b = JSON.stringify(simulate(spec).map((run) => run.body));
    const c = JSON.stringify(simulate({ ...spec, seed: 2 }).map((run) => run.body));
    assert.equal(a, b, `${spec.kind}: deterministic`);
    assert.notEqual(a, c, `${spec.kind}: the seed matters`);
  }
});

test('every run passes the ingest schema, has a unique run_id and past timestamps in order', () => {
  for (const spec of KINDS) {
    const runs = simulate({ ...spec, errors: parseErrorMix('heavy') });
    assert.ok(runs.length > 0);
    const ids = new Set<string>();
    let previous = 0;
    for (const run of runs) {
      const parsed = feedRunSchema.safeParse(JSON.parse(JSON.stringify(run.body)));
      assert.ok(parsed.success, `${spec.kind} ${run.body.run_id}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`);
      assert.ok(!ids.has(run.body.run_id), `${run.body.run_id} is unique`);
      ids.add(run.body.run_id);
      assert.ok(run.startedAt.getTime() >= previous, 'runs come in order');
      assert.ok(run.finishedAt.getTime() >= run.startedAt.getTime());
      assert.ok(run.finishedAt.getTime() <= WEEK_LATER.getTime(), 'only runs that finished by the end of the range');
      previous = run.startedAt.getTime();
    }
  }
});

test('the classifier finds exactly the errors the simulator meant, for every kind of engine, at every rate', () => {
  for (const spec of KINDS) {
    for (const rate of ['light', 'normal', 'heavy']) {
      const runs = simulate({ ...spec, errors: parseErrorMix(rate), seed: 5 });
      const differences = differencesFromClassifier(runs);
      assert.deepEqual(differences.slice(0, 10), [], `${spec.kind} at ${rate}: ${differences.length} difference(s)`);
    }
  }
});

test('property: whatever the seed, headcount, kind and mix, the classifier agrees with the simulator', () => {
  const kinds = fc.constantFrom(...KINDS);
  const mixes = fc.constantFrom(
    'none',
    'light',
    'heavy',
    'mismatch,heavy',
    'duplicate-id,email-in-use,heavy',
    'missing,invalid,transient',
    'archived-field,catalog-fix,mismatch',
  );
  fc.assert(
    fc.property(kinds, fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 2, max: 40 }), mixes, (spec, seed, employees, mix) => {
      const to = new Date(START.getTime() + (spec.kind === 'planday' ? 10 : 1.5) * 86_400_000);
      const runs = simulate({ ...spec, employees, seed, errors: parseErrorMix(mix), horizon: to }, to);
      assert.deepEqual(differencesFromClassifier(runs).slice(0, 5), []);
    }),
    { numRuns: 100 },
  );
});

test('the story has what it promises: joiners, leavers, slips of case and spacing, duplicates, missing and invalid fields, emails in use, transient failures', () => {
  const runs = simulate({ ...KINDS[0]!, employees: 100, errors: parseErrorMix('heavy') });
  const codes = new Set(
    runs.flatMap((run) => run.expected.map((e) => `${e.code.endsWith('_mismatch') ? 'mismatch' : e.code}${e.variant ? `/${e.variant}` : ''}`)),
  );
  for (const code of [
    'mismatch/case',
    'mismatch/spacing',
    'mismatch/case_and_spacing',
    'mismatch/unicode',
    'mismatch/typo',
    'mismatch/unknown',
    'duplicate_external_id/within_run',
    'duplicate_external_id/across_runs',
    'missing_required_field',
    'invalid_value',
    'email_in_use',
    'unclassified',
    'recreated_after_delete',
    'run_failed',
  ]) {
    assert.ok(codes.has(code), `a week of Mapal OS runs has ${code} (has: ${[...codes].join(', ')})`);
  }
  const records = runs.slice(1).flatMap((run) => run.body.records);
  assert.ok(
    records.some((r) => r.action === 'create' && r.outcome === 'succeeded'),
    'someone joins after the initial run',
  );
  assert.ok(
    records.some((r) => r.action === 'deactivate' && r.employee.end_date),
    'someone leaves, with an end date',
  );
  assert.equal(runs[0]!.body.trigger, 'initial');
  assert.ok(runs[0]!.body.records.every((r) => r.action === 'create'));
});

test('a failed run carries status failed, a run_error and no records', () => {
  const runs = simulate({ ...KINDS[0]!, scenario: { failedRuns: [{ from: new Date('2026-11-03T10:00:00Z'), to: new Date('2026-11-03T10:30:00Z') }] } });
  const failed = runs.filter((run) => run.body.status === 'failed');
  assert.equal(failed.length, 2);
  for (const run of failed) {
    assert.match(run.body.run_error!, /failed|unavailable|timed out/);
    assert.deepEqual(run.body.records, []);
    assert.deepEqual(run.events, ['failed-run']);
  }
});

test('a silent engine sends nothing for its silence, then goes on', () => {
  const silence = { from: new Date('2026-11-04T06:00:00Z'), to: new Date('2026-11-04T13:00:00Z') };
  const runs = simulate({ ...KINDS[2]!, errors: NO_ERRORS, scenario: { silences: [silence] } });
  const inside = runs.filter((run) => run.slot >= silence.from && run.slot < silence.to);
  assert.equal(inside.length, 0);
  const before = runs.filter((run) => run.slot < silence.from).at(-1)!;
  const after = runs.find((run) => run.slot >= silence.to)!;
  assert.equal(after.slot.getTime() - before.slot.getTime(), 8 * 3_600_000, 'seven hourly runs are missing');
  // Still silent at the end: the last run is before the silence.
  const open = simulate({ ...KINDS[2]!, errors: NO_ERRORS, scenario: { silences: [{ from: silence.from, to: null }] } });
  assert.ok(open.at(-1)!.slot < silence.from);
});

test('a volume drop sends far fewer employees for its window', () => {
  const drop = { from: new Date('2026-11-05T08:00:00Z'), to: new Date('2026-11-05T12:00:00Z'), share: 0.6 };
  const runs = simulate({ ...KINDS[0]!, errors: NO_ERRORS, scenario: { drops: [drop] } });
  const inside = runs.filter((run) => run.events.includes('volume-drop'));
  assert.equal(inside.length, 16, 'four hours of 15-minute runs');
  const outside = runs.filter((run) => !run.events.includes('volume-drop') && run.slot > START);
  const mean = (list: SimulatedRun[]) => list.reduce((sum, run) => sum + run.body.records.length, 0) / list.length;
  assert.ok(mean(inside) < 0.75 * mean(outside), `inside ${mean(inside)} vs outside ${mean(outside)}`);
  assert.ok(mean(inside) > 0.4 * mean(outside));
});

test('Planday archives its mandatory job title field for a night: every record fails for it, with its form fields saying so', () => {
  const night = { from: new Date('2026-11-04T00:00:00Z'), to: new Date('2026-11-05T00:00:00Z') };
  const runs = simulate({ ...KINDS[1]!, errors: NO_ERRORS, scenario: { archivedField: [night] } });
  const archived = runs.filter((run) => run.events.includes('archived-field'));
  assert.equal(archived.length, 1);
  const run = archived[0]!;
  assert.equal(run.body.form_fields!.find((f) => f.maps_to === 'job_title')!.archived, true);
  const updates = run.body.records.filter((r) => r.action === 'update' || r.action === 'create');
  assert.ok(updates.length > 0 && updates.every((r) => r.outcome === 'failed' && !r.employee.job_title));
  assert.ok(run.expected.some((e) => e.index === null && e.code === 'archived_mandatory_field'));
  assert.deepEqual(differencesFromClassifier(runs), []);
  // Only the first run and the runs after a catalog change carry the catalog.
  assert.ok(runs[0]!.body.catalog);
  assert.ok(runs.slice(1).every((r) => r.body.catalog === undefined));
});

test('a catalog fix adds the values the source had started to use, and their mismatches stop', () => {
  const fixAt = new Date('2026-11-05T00:00:00Z');
  const runs = simulate({ ...KINDS[0]!, errors: parseErrorMix('mismatch,heavy'), scenario: { catalogFixAt: fixAt } });
  const before = runs.filter((run) => run.slot < fixAt);
  const after = runs.filter((run) => run.slot >= fixAt);
  const sommelier = (list: SimulatedRun[]) =>
    list.flatMap((run) => run.expected.filter((e) => e.code === 'job_title_mismatch' && run.body.records[e.index!]!.employee.job_title === 'Sommelier'));
  assert.ok(sommelier(before).length > 0, "'Sommelier' fails before the fix");
  assert.equal(sommelier(after).length, 0, 'and never after');
  assert.ok(after[0]!.events.includes('catalog-fix'));
  assert.ok(after[0]!.body.catalog!.job_titles.includes('Sommelier'));
  assert.ok(
    after.some((run) => run.body.records.some((r) => r.employee.job_title === 'Sommelier' && r.outcome === 'succeeded')),
    'the people who had it keep it, and it goes through',
  );
});

test("each engine speaks its own way, in the spec's codes and wordings", () => {
  const messages = (kind: EngineKind) =>
    simulate({ ...KINDS.find((k) => k.kind === kind)!, errors: parseErrorMix('heavy') }).flatMap((run) => run.body.records.flatMap((r) => r.messages));
  const mapal = messages('mapal-os');
  assert.ok(mapal.some((m) => /^Employee with external Identifier \d+_\d+ not processed, Job Title with name .+ does not exist$/.test(m.text)));
  assert.ok(mapal.some((m) => /^Unable to add user to Department, Department with name .+ does not exist$/.test(m.text)));
  assert.ok(mapal.some((m) => /^Unable to add user to Business Unit, Business Unit with name .+ does not exist$/.test(m.text)));
  const planday = messages('planday');
  assert.ok(planday.some((m) => m.code === 'JOB_TITLE_NOT_FOUND'));
  assert.ok(planday.some((m) => /^Could not map (job title|department|branch) '.+': no such value$/.test(m.text)));
  const hr = messages('hr-feed');
  assert.ok(hr.some((m) => /^(Job title|Department|Branch) ["'].+["'] was not found in Flow$/.test(m.text)));
  const ENGINE_CODES = [
    'DUPLICATE_EXTERNAL_ID',
    'JOB_TITLE_NOT_FOUND',
    'DEPARTMENT_NOT_FOUND',
    'BRANCH_NOT_FOUND',
    'FIELD_ARCHIVED',
    'REQUIRED_FIELD_MISSING',
    'EMAIL_IN_USE',
    'INVALID_VALUE',
  ];
  for (const message of [...mapal, ...planday, ...hr]) {
    if (message.code && message.code !== 'RATE_LIMITED') assert.ok(ENGINE_CODES.includes(message.code), `${message.code} is an engine code of the spec`);
    // Each mismatch wording is read as the code it means.
    if (/does not exist|was not found|no such value/.test(message.text) && !message.code) {
      const finding = readEngineMessage({ text: message.text });
      assert.ok(finding && (ERROR_CODES as readonly string[]).includes(finding.code), `'${message.text}' is understood`);
    }
  }
});
