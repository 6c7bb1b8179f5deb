import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { guidanceFor } from './guidance.js';
import type { Guidance } from './guidance.js';
import { ERROR_CODES, type ErrorCode } from './error-enums.js';
import type { ClassifiedError } from './types.js';

const planday = { sourceSystem: 'Planday', targetSystem: 'Flow Learning' };

function anError(code: ErrorCode, overrides: Partial<ClassifiedError> = {}): ClassifiedError {
  return { code, severity: code === 'recreated_after_delete' ? 'info' : 'error', field: null, value: null, expected: null, variant: null, ...overrides };
}

/** One realistic error of every code, with the value the guidance must quote. */
const SAMPLES: Record<ErrorCode, { error: ClassifiedError; mentions: string[] }> = {
  duplicate_external_id: {
    error: anError('duplicate_external_id', { field: 'external_id', value: '4512_10293', variant: 'within_run' }),
    mentions: ["'4512_10293'"],
  },
  job_title_mismatch: {
    error: anError('job_title_mismatch', { field: 'job_title', value: 'kitchen porter', expected: 'Kitchen Porter', variant: 'case' }),
    mentions: ["'kitchen porter'", "'Kitchen Porter'", 'OS Configuration > Job titles'],
  },
  department_mismatch: {
    error: anError('department_mismatch', { field: 'department', value: 'Kitchens', expected: null, variant: 'unknown' }),
    mentions: ["'Kitchens'", 'OS Configuration > Departments'],
  },
  branch_mismatch: {
    error: anError('branch_mismatch', { field: 'branch', value: 'london soho', expected: 'London Soho', variant: 'case' }),
    mentions: ["'london soho'", "'London Soho'", 'OS Configuration > Business units'],
  },
  archived_mandatory_field: {
    error: anError('archived_mandatory_field', { field: 'job_title', value: 'Job title (Flow)' }),
    mentions: ["'Job title (Flow)'", 'Settings > People > Employee form set-up > Archived fields', 'Unarchive field'],
  },
  missing_required_field: { error: anError('missing_required_field', { field: 'last_name' }), mentions: ['last name', 'profile'] },
  email_in_use: {
    error: anError('email_in_use', { field: 'email', value: 'priya.rossi14@example.com' }),
    mentions: ["'priya.rossi14@example.com'", 'deactivate the old user'],
  },
  invalid_value: { error: anError('invalid_value', { field: 'date_of_birth', value: '1991-02-30' }), mentions: ["'1991-02-30'", 'YYYY-MM-DD'] },
  recreated_after_delete: { error: anError('recreated_after_delete', { value: '7781_10016' }), mentions: ["'7781_10016'", 'deactivate'] },
  unclassified: { error: anError('unclassified', { value: 'Rate limit exceeded, retry in 47 s' }), mentions: ["'Rate limit exceeded, retry in 47 s'"] },
  run_failed: {
    error: anError('run_failed', { value: 'Authentication to source failed (HTTP 401 from source API)' }),
    mentions: ["'Authentication to source failed (HTTP 401 from source API)'", 'credentials'],
  },
  missed_run: { error: anError('missed_run', { value: 'expected by 02:30 Europe/London' }), mentions: ['expected by 02:30 Europe/London', 'Push employees'] },
};

function allText(guidance: Guidance): string {
  return [guidance.title, guidance.what, guidance.why, ...guidance.steps].join('\n');
}

describe('guidance exists for every code and quotes the actual values', () => {
  for (const code of ERROR_CODES) {
    test(`guidance for ${code} has a title, what, why and steps naming the systems and values`, () => {
      const { error, mentions } = SAMPLES[code];
      const guidance = guidanceFor(error, planday);
      assert.ok(guidance.title.length > 0 && guidance.what.length > 0 && guidance.why.length > 0);
      assert.ok(guidance.steps.length >= 1 && guidance.steps.every((step) => step.length > 0));
      const text = allText(guidance);
      assert.match(text, /Planday/u);
      for (const mention of mentions) assert.ok(text.includes(mention), `${code} guidance should mention ${mention}:\n${text}`);
    });
  }
});

describe('mismatch guidance', () => {
  test('a case mismatch says what each side has and how to fix either side', () => {
    const guidance = guidanceFor(SAMPLES.job_title_mismatch.error, planday);
    assert.equal(guidance.what, "Planday sends 'kitchen porter'; Flow Learning has 'Kitchen Porter'.");
    assert.equal(guidance.steps[0], "Change it in Planday to exactly 'Kitchen Porter'");
    assert.match(guidance.steps[1] ?? '', /create 'kitchen porter' in Flow Learning: OS Configuration > Job titles/u);
  });

  test('invisible characters are shown so the admin can see them', () => {
    const guidance = guidanceFor(anError('department_mismatch', { field: 'department', value: '\uFEFFBar', expected: 'Bar', variant: 'unicode' }), planday);
    assert.equal(guidance.what, "Planday sends '<U+FEFF>Bar'; Flow Learning has 'Bar'.");
    assert.match(guidance.why, /byte order mark \(U\+FEFF\)/u);
    assert.ok(!allText(guidance).includes('\uFEFF'));
  });

  test('an NFD accent is shown as its combining mark', () => {
    const guidance = guidanceFor(
      anError('job_title_mismatch', { field: 'job_title', value: 'Cafe\u0301 Manager', expected: 'Café Manager', variant: 'unicode' }),
      planday,
    );
    assert.match(guidance.what, /'Cafe<U\+0301> Manager'/u);
    assert.match(guidance.why, /not Unicode NFC/u);
  });

  test('a spacing mismatch points at the stray space, and creating the value is not offered', () => {
    const guidance = guidanceFor(
      anError('branch_mismatch', { field: 'branch', value: 'London Soho\u00A0', expected: 'London Soho', variant: 'spacing' }),
      planday,
    );
    assert.equal(guidance.what, "Planday sends 'London Soho<U+00A0>'; Flow Learning has 'London Soho'.");
    assert.match(guidance.why, /space at the start or end/u);
    assert.ok(!guidance.steps.some((step) => step.includes('create')));
  });

  test('an unknown value is to be created in the target or changed in the source', () => {
    const guidance = guidanceFor(SAMPLES.department_mismatch.error, planday);
    assert.equal(guidance.what, "Planday sends the department 'Kitchens', which Flow Learning does not have.");
    assert.match(guidance.steps[0] ?? '', /^Create 'Kitchens' in Flow Learning: OS Configuration > Departments/u);
  });

  test('an unknown value the engine did not quote is still explained', () => {
    const guidance = guidanceFor(anError('job_title_mismatch', { field: 'job_title', variant: 'unknown' }), planday);
    assert.equal(guidance.what, 'Planday sends a job title that Flow Learning does not have.');
  });
});

describe('other guidance', () => {
  test("the archived-field path is Planday's, and other sources get a general step", () => {
    const fourth = guidanceFor(SAMPLES.archived_mandatory_field.error, { sourceSystem: 'Fourth', targetSystem: 'Flow Learning' });
    assert.match(fourth.steps[0] ?? '', /In Fourth, unarchive 'Job title \(Flow\)'/u);
  });

  test('invalid values explain the rule they broke', () => {
    const what = (field: string, value: string) => guidanceFor(anError('invalid_value', { field, value }), planday).what;
    assert.match(what('email', 'ana lopez@example.com'), /not a valid email address/u);
    assert.match(what('end_date', '2022-01-04'), /before the employee's start date/u);
    assert.match(what('date_of_birth', '2027-01-15'), /after the day of the sync/u);
    assert.match(what('start_date', '2024-13-01'), /not a real date/u);
  });

  test('across-runs duplicates say the earlier employee was overwritten', () => {
    const guidance = guidanceFor(anError('duplicate_external_id', { field: 'external_id', value: 'E1', variant: 'across_runs' }), planday);
    assert.match(guidance.what, /overwritten/u);
  });

  test('an unclassified failure without text says so', () => {
    assert.equal(guidanceFor(anError('unclassified'), planday).what, 'Flow Learning rejected this employee without any message.');
  });
});
