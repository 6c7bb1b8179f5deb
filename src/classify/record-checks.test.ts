import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isEmailShaped, isRealDate, utcDateOf } from './record-checks.js';
import { aRecord, classify, errorsOf } from '../../test/helpers/classify-fixtures.js';
import type { FormField } from './types.js';

describe('which records get data checks', () => {
  const kitchenPorterInLowerCase = { employee: { job_title: 'kitchen porter' } };

  test('a failed record gets data checks', () => {
    assert.deepEqual(errorsOf(aRecord({ ...kitchenPorterInLowerCase, outcome: 'failed' })), ["job_title_mismatch job_title case 'Kitchen Porter'"]);
  });

  test('a warning record gets data checks', () => {
    assert.deepEqual(errorsOf(aRecord({ ...kitchenPorterInLowerCase, outcome: 'warning' })), ["job_title_mismatch job_title case 'Kitchen Porter'"]);
  });

  test("a succeeded record passed the target's own checks and gets none (our catalog may be stale)", () => {
    assert.deepEqual(errorsOf(aRecord({ ...kitchenPorterInLowerCase, outcome: 'succeeded' })), []);
    assert.deepEqual(errorsOf(aRecord({ outcome: 'succeeded', employee: { email: 'not an email', last_name: null } })), []);
  });
});

describe('missing_required_field', () => {
  const empties: Array<[string, string | null | undefined]> = [
    ['null', null],
    ['absent', undefined],
    ['an empty string', ''],
    ['only spaces', '   '],
    ['only a no-break space', '\u00A0'],
  ];
  for (const [name, value] of empties) {
    test(`a required attribute that is ${name} is missing`, () => {
      const record = aRecord();
      if (value === undefined) delete record.employee.last_name;
      else record.employee.last_name = value;
      assert.deepEqual(errorsOf(record), ['missing_required_field last_name']);
    });
  }

  test('a byte order mark alone is not whitespace, so the attribute is not empty', () => {
    assert.deepEqual(errorsOf(aRecord({ employee: { last_name: '\uFEFF' } })), []);
  });

  test("external_id is the record's own, not one inside employee", () => {
    const record = aRecord({ external_id: null });
    (record.employee as Record<string, unknown>).external_id = 'E1';
    assert.deepEqual(errorsOf(record), ['missing_required_field external_id']);
  });

  test('each missing field is one error', () => {
    assert.deepEqual(errorsOf(aRecord({ employee: { first_name: '', email: null, branch: ' ' } })), [
      'missing_required_field first_name',
      'missing_required_field email',
      'missing_required_field branch',
    ]);
  });

  test('an empty department is nothing when the integration does not require it', () => {
    assert.deepEqual(errorsOf(aRecord({ employee: { department: '' } })), []);
  });

  test("the integration's own list of required fields replaces the default", () => {
    const record = aRecord({ employee: { department: '', job_title: null } });
    assert.deepEqual(errorsOf(record, {}, { requiredFields: ['external_id', 'department'] }), ['missing_required_field department']);
  });
});

describe('archived_mandatory_field', () => {
  const archivedJobTitle: FormField[] = [
    { name: 'Job title (Flow)', maps_to: 'job_title', mandatory: true, archived: true },
    { name: 'Branch', maps_to: 'branch', mandatory: true, archived: false },
    { name: 'Department (Flow)', maps_to: 'department', mandatory: false, archived: true },
  ];

  test('each archived mandatory form field is one run error, its field the maps_to and its value the name', () => {
    const { runErrors } = classify([], { form_fields: archivedJobTitle });
    assert.deepEqual(runErrors, [
      {
        code: 'archived_mandatory_field',
        severity: 'error',
        field: 'job_title',
        value: 'Job title (Flow)',
        expected: null,
        variant: null,
      },
    ]);
  });

  test('an empty attribute fed by an archived mandatory field gets that code instead of missing_required_field', () => {
    const { recordErrors } = classify([aRecord({ employee: { job_title: null } })], { form_fields: archivedJobTitle });
    assert.deepEqual(recordErrors[0], [
      {
        code: 'archived_mandatory_field',
        severity: 'error',
        field: 'job_title',
        value: 'Job title (Flow)',
        expected: null,
        variant: null,
      },
    ]);
  });

  test('a non-empty attribute fed by an archived field is checked as usual', () => {
    assert.deepEqual(errorsOf(aRecord({ employee: { job_title: 'kitchen porter' } }), { form_fields: archivedJobTitle }), [
      "job_title_mismatch job_title case 'Kitchen Porter'",
    ]);
  });

  test('an archived field that is not mandatory changes nothing', () => {
    assert.deepEqual(errorsOf(aRecord({ employee: { department: null } }), { form_fields: archivedJobTitle }), []);
  });

  test('the form fields of an earlier run apply when the run sends none', () => {
    const result = classify([aRecord({ employee: { job_title: '' } })], {}, { formFields: archivedJobTitle });
    assert.deepEqual(
      result.runErrors.map((error) => error.field),
      ['job_title'],
    );
    assert.equal(result.recordErrors[0]?.[0]?.code, 'archived_mandatory_field');
    assert.equal(result.formFields, archivedJobTitle);
  });

  test("without form fields, the engine's FIELD_ARCHIVED gives the record-level error", () => {
    const record = aRecord({
      employee: { job_title: null },
      messages: [{ code: 'FIELD_ARCHIVED', field: 'job_title', text: "Field 'Job title (Flow)' is archived" }],
    });
    assert.deepEqual(errorsOf(record, {}, { requiredFields: ['external_id'] }), ['archived_mandatory_field job_title']);
  });

  test("with form fields known, the engine's FIELD_ARCHIVED counts for nothing", () => {
    const notArchived: FormField[] = [{ name: 'Job title (Flow)', maps_to: 'job_title', mandatory: true, archived: false }];
    const record = aRecord({
      outcome: 'failed',
      messages: [{ code: 'FIELD_ARCHIVED', field: 'job_title', text: 'Job title (Flow) is archived' }],
    });
    assert.deepEqual(errorsOf(record, { form_fields: notArchived }), ['unclassified']);
  });
});

describe('invalid_value', () => {
  const emails: Array<[string, boolean]> = [
    ['ana.lopez@example.com', true],
    ['a@b.co', true],
    [' ana.lopez@example.com\u00A0', true],
    ['ana lopez@example.com', false],
    ['ana.lopez@', false],
    ['ana.lopez@example', false],
    ['@example.com', false],
    ['ana@@example.com', false],
    ['ana@exam ple.com', false],
    ['ana@example.com.', false],
  ];
  for (const [email, valid] of emails) {
    test(`the email '${email}' ${valid ? 'has' : 'does not have'} the shape local@domain.tld`, () => {
      assert.equal(isEmailShaped(email), valid);
    });
  }

  const dates: Array<[string, boolean]> = [
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2024-02-30', false],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['2024-04-31', false],
    ['2024-13-01', false],
    ['2024-00-10', false],
    ['2024-1-05', false],
    ['05/01/2024', false],
    [' 2024-01-05', false],
    ['2024-01-05T00:00:00Z', false],
  ];
  for (const [date, real] of dates) {
    test(`'${date}' ${real ? 'is' : 'is not'} a real calendar date in YYYY-MM-DD`, () => assert.equal(isRealDate(date), real));
  }

  test('a malformed email is invalid_value on email', () => {
    assert.deepEqual(errorsOf(aRecord({ employee: { email: 'ana.lopez@' } })), ['invalid_value email']);
  });

  test('each date field that is not a real date is one invalid_value', () => {
    const record = aRecord({ employee: { date_of_birth: '1991-02-30', start_date: '2020-13-01', end_date: 'soon' } });
    assert.deepEqual(errorsOf(record), ['invalid_value date_of_birth', 'invalid_value start_date', 'invalid_value end_date']);
  });

  test('an end date before the start date is invalid_value on end_date', () => {
    assert.deepEqual(errorsOf(aRecord({ employee: { start_date: '2023-01-04', end_date: '2022-01-04' } })), ['invalid_value end_date']);
    assert.deepEqual(errorsOf(aRecord({ employee: { start_date: '2023-01-04', end_date: '2023-01-04' } })), []);
  });

  test("a date of birth after the UTC date of the run's start is invalid", () => {
    // 23:30 at UTC-5 is already the 21st in UTC.
    const run = { started_at: '2026-11-20T23:30:00-05:00' };
    assert.deepEqual(errorsOf(aRecord({ employee: { date_of_birth: '2026-11-21' } }), run), []);
    assert.deepEqual(errorsOf(aRecord({ employee: { date_of_birth: '2026-11-22' } }), run), ['invalid_value date_of_birth']);
    // 00:30 at UTC+2 is still the 20th in UTC.
    const early = { started_at: '2026-11-21T00:30:00+02:00' };
    assert.deepEqual(errorsOf(aRecord({ employee: { date_of_birth: '2026-11-21' } }), early), ['invalid_value date_of_birth']);
  });

  test('the UTC date of a timestamp with an offset', () => {
    assert.equal(utcDateOf('2026-11-20T23:30:00-05:00'), '2026-11-21');
    assert.equal(utcDateOf('not a time'), null);
  });
});

describe('catalog checks on records', () => {
  test('an empty job title is missing, not a mismatch', () => {
    assert.deepEqual(errorsOf(aRecord({ employee: { job_title: ' ' } })), ['missing_required_field job_title']);
  });

  test('the catalog of an earlier run applies when the run sends none', () => {
    const record = aRecord({ employee: { branch: 'london soho' } });
    const result = classify([record], { catalog: undefined }, { catalog: { job_titles: [], departments: [], branches: ['London Soho'] } });
    assert.deepEqual(
      result.recordErrors[0]?.map((error) => error.variant),
      ['case'],
    );
    assert.deepEqual(result.catalog?.branches, ['London Soho']);
  });

  test('with no catalog known, a value is not checked at all', () => {
    assert.deepEqual(errorsOf(aRecord({ employee: { job_title: 'kitchen porter' } }), { catalog: null }), []);
  });

  test('a mismatch carries the raw value and the catalog value it was meant to be', () => {
    const { recordErrors } = classify([aRecord({ employee: { department: '\uFEFFBar' } })]);
    assert.deepEqual(recordErrors[0], [
      { code: 'department_mismatch', severity: 'error', field: 'department', value: '\uFEFFBar', expected: 'Bar', variant: 'unicode' },
    ]);
  });
});
