import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyRun } from './classify-run.js';
import { groupKeyOf } from './group-key.js';
import { aContext, aRecord, aRun, anEmployee, brief, classify, errorsOf } from '../../test/helpers/classify-fixtures.js';

const ana = anEmployee('E1', 'Ana', 'Lopez', 'ana.lopez@example.com');

describe('email_in_use', () => {
  const priya = anEmployee('E9', 'Priya', 'Rossi', 'priya.rossi@example.com');

  test('a create carrying an email another external_id holds while active is email_in_use', () => {
    const record = aRecord({ external_id: 'E2', action: 'create', employee: { email: ' PRIYA.ROSSI@example.com ' } });
    assert.deepEqual(errorsOf(record, {}, { staff: [priya] }), ['email_in_use email']);
  });

  test('an email whose holder was deactivated is free again', () => {
    const record = aRecord({ external_id: 'E2', action: 'create', employee: { email: 'priya.rossi@example.com' } });
    assert.deepEqual(errorsOf(record, {}, { staff: [{ ...priya, active: false }] }), []);
  });

  test('an email freed by a deactivation earlier in the same run is free', () => {
    const records = [
      aRecord({ external_id: 'E9', action: 'deactivate', outcome: 'succeeded' }),
      aRecord({ external_id: 'E2', action: 'create', employee: { email: 'priya.rossi@example.com' } }),
    ];
    assert.deepEqual(classify(records, {}, { staff: [priya] }).recordErrors[1], []);
  });

  test('an email taken by an applied record earlier in the same run is in use', () => {
    const records = [
      aRecord({ external_id: 'E3', action: 'create', outcome: 'succeeded', employee: { email: 'new@example.com' } }),
      aRecord({ external_id: 'E4', action: 'create', employee: { email: 'NEW@example.com' } }),
    ];
    assert.deepEqual(brief(classify(records).recordErrors[1] ?? []), ['email_in_use email']);
  });

  test('a failed record earlier in the run takes no email', () => {
    const records = [
      aRecord({ external_id: 'E3', action: 'create', outcome: 'failed', employee: { email: 'new@example.com' } }),
      aRecord({ external_id: 'E4', action: 'create', employee: { email: 'new@example.com' } }),
    ];
    assert.deepEqual(classify(records).recordErrors[1], []);
  });

  test("an update that keeps the state's email (in any case) is not checked", () => {
    const holderOfSame = anEmployee('E9', 'Priya', 'Rossi', 'ana.lopez@example.com');
    const record = aRecord({ external_id: 'E1', action: 'update', employee: { email: 'Ana.Lopez@example.com' } });
    assert.deepEqual(errorsOf(record, {}, { staff: [ana, holderOfSame] }), []);
  });

  test('an update that changes the email to one another employee holds is email_in_use', () => {
    const record = aRecord({ external_id: 'E1', action: 'update', employee: { email: 'priya.rossi@example.com' } });
    assert.deepEqual(errorsOf(record, {}, { staff: [ana, priya] }), ['email_in_use email']);
  });

  test("the employee's own email is never in use by another", () => {
    const record = aRecord({ external_id: 'E1', action: 'create', employee: { email: 'ana.lopez@example.com' } });
    assert.deepEqual(errorsOf(record, {}, { staff: [{ ...ana, active: false }] }), []);
  });

  test('a deactivate, reactivate or skip is not an email check', () => {
    for (const action of ['deactivate', 'reactivate', 'skip'] as const) {
      const record = aRecord({ external_id: 'E2', action, employee: { email: 'priya.rossi@example.com' } });
      assert.deepEqual(errorsOf(record, {}, { staff: [priya] }), [], action);
    }
  });
});

describe('duplicate_external_id', () => {
  const tom = { first_name: 'Tom', last_name: 'Smith', email: 'tom.smith@example.com' };
  const nikos = { first_name: 'Nikos', last_name: 'Chen', email: 'nikos.chen@example.com' };

  test('two different people under one ID in a run both get within_run, failed records included', () => {
    const records = [aRecord({ external_id: 'E7', outcome: 'succeeded', employee: tom }), aRecord({ external_id: 'E7', outcome: 'failed', employee: nikos })];
    const { recordErrors } = classify(records);
    assert.deepEqual(recordErrors.map(brief), [['duplicate_external_id external_id within_run'], ['duplicate_external_id external_id within_run']]);
  });

  const samePerson: Array<[string, Record<string, string | null>]> = [
    ['only the email changes', { ...tom, email: 'tom.s@example.com' }],
    ['only the name changes', { ...tom, first_name: 'Thomas' }],
    ['the other email is empty', { ...nikos, email: '' }],
    ['the other name is empty', { ...nikos, first_name: null, last_name: ' ' }],
    ['name and email differ only in case and spacing', { first_name: ' TOM ', last_name: 'smith', email: 'Tom.Smith@Example.com ' }],
  ];
  for (const [name, other] of samePerson) {
    test(`records are the same person when ${name}`, () => {
      const records = [
        aRecord({ external_id: 'E7', outcome: 'succeeded', employee: tom }),
        aRecord({ external_id: 'E7', outcome: 'succeeded', employee: other }),
      ];
      assert.deepEqual(classify(records).recordErrors, [[], []]);
    });
  }

  test('a group is duplicated when any two of its records are different people', () => {
    // (tom email, nikos name) and (nikos email, tom name) differ in both.
    const records = [
      aRecord({ external_id: 'E7', outcome: 'succeeded', employee: tom }),
      aRecord({ external_id: 'E7', outcome: 'succeeded', employee: { ...tom, first_name: 'Nikos', last_name: 'Chen' } }),
      aRecord({ external_id: 'E7', outcome: 'succeeded', employee: { ...tom, email: 'nikos.chen@example.com' } }),
    ];
    assert.equal(
      classify(records)
        .recordErrors.flat()
        .filter((e) => e.variant === 'within_run').length,
      3,
    );
  });

  test('a different person from the state earlier runs left is across_runs', () => {
    const record = aRecord({ external_id: 'E1', outcome: 'succeeded', employee: tom });
    assert.deepEqual(errorsOf(record, {}, { staff: [ana] }), ['duplicate_external_id external_id across_runs']);
  });

  test('the same person with a new email is no duplicate across runs', () => {
    const record = aRecord({ external_id: 'E1', outcome: 'succeeded', employee: { email: 'ana.new@example.com' } });
    assert.deepEqual(errorsOf(record, {}, { staff: [ana] }), []);
  });

  test('within_run takes precedence, and a record carries one duplicate_external_id at most', () => {
    const records = [
      aRecord({ external_id: 'E1', outcome: 'succeeded', employee: tom }),
      aRecord({ external_id: 'E1', outcome: 'succeeded', employee: nikos }),
    ];
    assert.deepEqual(classify(records, {}, { staff: [ana] }).recordErrors.map(brief), [
      ['duplicate_external_id external_id within_run'],
      ['duplicate_external_id external_id within_run'],
    ]);
  });

  test('across_runs compares with the state earlier runs left, even after this run changed it', () => {
    // The first record changes only the email (same person); the second then changes the
    // name too, so it differs from what earlier runs left in both.
    const records = [
      aRecord({ external_id: 'E1', outcome: 'succeeded', employee: { email: 'ana.new@example.com' } }),
      aRecord({ external_id: 'E1', outcome: 'succeeded', employee: { first_name: 'Anna', email: 'ana.new@example.com' } }),
    ];
    assert.deepEqual(classify(records, {}, { staff: [ana] }).recordErrors.map(brief), [[], ['duplicate_external_id external_id across_runs']]);
  });

  test("the engine's DUPLICATE_EXTERNAL_ID is kept when our data sees no duplicate", () => {
    const record = aRecord({ external_id: 'E1', messages: [{ code: 'DUPLICATE_EXTERNAL_ID' }] });
    assert.deepEqual(errorsOf(record), ['duplicate_external_id external_id across_runs']);
  });
});

describe('recreated_after_delete', () => {
  test('an applied create of an active, same-person employee is info with no field', () => {
    const { recordErrors } = classify([aRecord({ external_id: 'E1', action: 'create', outcome: 'succeeded' })], {}, { staff: [ana] });
    assert.deepEqual(recordErrors[0], [{ code: 'recreated_after_delete', severity: 'info', field: null, value: 'E1', expected: null, variant: null }]);
  });

  test('a create of an inactive employee is a plain re-hire', () => {
    assert.deepEqual(errorsOf(aRecord({ action: 'create', outcome: 'succeeded' }), {}, { staff: [{ ...ana, active: false }] }), []);
  });

  test('a failed create changed nothing and is not a re-creation', () => {
    assert.deepEqual(errorsOf(aRecord({ action: 'create', outcome: 'failed' }), {}, { staff: [ana] }), ['unclassified']);
  });

  test('a create of a different person under an active ID is a duplicate, not a re-creation', () => {
    const record = aRecord({ action: 'create', outcome: 'succeeded', employee: { first_name: 'Tom', email: 'tom@example.com' } });
    assert.deepEqual(errorsOf(record, {}, { staff: [ana] }), ['duplicate_external_id external_id across_runs']);
  });

  test('only error severity exists besides recreated_after_delete', () => {
    const { recordErrors } = classify([aRecord({ employee: { email: 'x', job_title: 'kitchen porter' } })]);
    assert.ok(recordErrors.flat().every((error) => error.severity === 'error'));
  });
});

describe("the engine's messages", () => {
  test('an engine message adds nothing for a field the data checks already flagged', () => {
    const record = aRecord({
      employee: { job_title: 'kitchen porter' },
      messages: [{ code: 'JOB_TITLE_NOT_FOUND', field: 'job_title', text: "Job title 'kitchen porter' does not exist" }],
    });
    assert.deepEqual(errorsOf(record), ["job_title_mismatch job_title case 'Kitchen Porter'"]);
  });

  test('a flag of any code blocks the engine for that field', () => {
    const record = aRecord({ employee: { job_title: '' }, messages: [{ text: 'Job title "" was not found in Flow' }] });
    assert.deepEqual(errorsOf(record), ['missing_required_field job_title']);
  });

  test("with no catalog known, the engine's word is an unknown mismatch", () => {
    const record = aRecord({ employee: { branch: 'Cardiff Bay' }, messages: [{ text: "Branch 'Cardiff Bay' was not found in Flow" }] });
    const { recordErrors } = classify([record], { catalog: null });
    assert.deepEqual(recordErrors[0], [
      { code: 'branch_mismatch', severity: 'error', field: 'branch', value: 'Cardiff Bay', expected: null, variant: 'unknown' },
    ]);
  });

  test('a value our catalog has but the target rejects is an unknown mismatch (our catalog is stale)', () => {
    const record = aRecord({ messages: [{ code: 'JOB_TITLE_NOT_FOUND', text: "Job title 'Kitchen Porter' does not exist" }] });
    assert.deepEqual(errorsOf(record), ['job_title_mismatch job_title unknown']);
  });

  test('messages on a succeeded record are ignored', () => {
    const record = aRecord({ outcome: 'succeeded', messages: [{ code: 'EMAIL_IN_USE', text: 'Email already in use' }] });
    assert.deepEqual(errorsOf(record), []);
  });

  test('two messages saying the same give one error', () => {
    const record = aRecord({
      messages: [{ code: 'EMAIL_IN_USE', field: 'email' }, { text: 'Email already in use' }],
    });
    assert.deepEqual(errorsOf(record), ['email_in_use email']);
  });

  test("an engine's missing field adds its error even when the data shows a value", () => {
    const record = aRecord({ messages: [{ code: 'REQUIRED_FIELD_MISSING', field: 'start_date' }] });
    assert.deepEqual(errorsOf(record), ['missing_required_field start_date']);
  });
});

describe('unclassified and run_failed', () => {
  test("a failed record with no other error is unclassified, its value the engine's text", () => {
    const record = aRecord({ outcome: 'failed', messages: [{ code: 'RATE_LIMITED', text: 'Rate limit exceeded, retry in 47 s' }] });
    const { recordErrors } = classify([record]);
    assert.deepEqual(recordErrors[0], [
      { code: 'unclassified', severity: 'error', field: null, value: 'Rate limit exceeded, retry in 47 s', expected: null, variant: null },
    ]);
  });

  test('a failed record with no message at all is unclassified with no value', () => {
    assert.equal(classify([aRecord({ outcome: 'failed' })]).recordErrors[0]?.[0]?.value, null);
  });

  test('several texts are joined', () => {
    const record = aRecord({ outcome: 'failed', messages: [{ text: 'First' }, { code: 'X9' }, { text: 'Second' }] });
    assert.equal(classify([record]).recordErrors[0]?.[0]?.value, 'First; X9; Second');
  });

  test('a failed record that has only a silent error is not unclassified', () => {
    const record = aRecord({ outcome: 'failed', employee: { first_name: 'Tom', email: 'tom@example.com' } });
    assert.deepEqual(errorsOf(record, {}, { staff: [ana] }), ['duplicate_external_id external_id across_runs']);
  });

  test('timeouts with different numbers and request ids are one group', () => {
    const records = ['Target API timeout after 20091 ms (request 2a7be0b)', 'Target API timeout after 36218 ms (request 4f67a6a7)'].map((text, index) =>
      aRecord({ external_id: `E${index}`, outcome: 'failed', messages: [{ text }] }),
    );
    const [first, second] = classify(records).recordErrors.map((errors) => groupKeyOf(errors[0]!));
    assert.equal(first, second);
  });

  test("a failed run is run_failed with the run's error as value", () => {
    const { runErrors } = classify([], { status: 'failed', run_error: 'Authentication to source failed (HTTP 401 from source API)' });
    assert.deepEqual(runErrors, [
      {
        code: 'run_failed',
        severity: 'error',
        field: null,
        value: 'Authentication to source failed (HTTP 401 from source API)',
        expected: null,
        variant: null,
      },
    ]);
  });

  test('a completed run has no run errors', () => {
    assert.deepEqual(classify([], { status: 'completed' }).runErrors, []);
  });
});

describe('employee state', () => {
  test("create, update and reactivate make the employee active with that record's person", () => {
    for (const action of ['create', 'update', 'reactivate'] as const) {
      const result = classify(
        [aRecord({ action, outcome: 'succeeded', employee: { first_name: 'Anna' } })],
        {},
        {
          staff: [{ ...ana, active: false }],
        },
      );
      assert.deepEqual(result.employeeChanges.get('E1'), { ...ana, first_name: 'Anna' }, action);
    }
  });

  test('deactivate makes the employee inactive and keeps the person', () => {
    const result = classify([aRecord({ action: 'deactivate', outcome: 'succeeded', employee: { first_name: 'X' } })], {}, { staff: [ana] });
    assert.deepEqual(result.employeeChanges.get('E1'), { ...ana, active: false });
  });

  test('a skipped unknown ID is active; a skipped known ID is unchanged', () => {
    const result = classify(
      [aRecord({ external_id: 'E5', action: 'skip', outcome: 'succeeded' }), aRecord({ action: 'skip', outcome: 'succeeded' })],
      {},
      {
        staff: [{ ...ana, active: false }],
      },
    );
    assert.equal(result.employeeChanges.get('E5')?.active, true);
    assert.equal(result.employeeChanges.has('E1'), false);
  });

  test('failed records never change the state; warnings do', () => {
    const result = classify([
      aRecord({ external_id: 'E2', action: 'create', outcome: 'failed' }),
      aRecord({ external_id: 'E3', action: 'create', outcome: 'warning' }),
    ]);
    assert.deepEqual([...result.employeeChanges.keys()], ['E3']);
  });

  test('the state evolves in array order, and the last record wins', () => {
    const result = classify(
      [
        aRecord({ action: 'deactivate', outcome: 'succeeded' }),
        aRecord({ action: 'reactivate', outcome: 'succeeded', employee: { email: 'ana.back@example.com' } }),
      ],
      {},
      { staff: [ana] },
    );
    assert.deepEqual(result.employeeChanges.get('E1'), { ...ana, email: 'ana.back@example.com' });
  });

  test('the context is not modified', () => {
    const ctx = aContext({ staff: [ana] });
    classifyRun(aRun([aRecord({ action: 'deactivate', outcome: 'succeeded' })]), ctx);
    assert.equal(ctx.employees.get('E1')?.active, true);
  });

  test('records without an external_id are classified but change no state', () => {
    const result = classify([aRecord({ external_id: null, outcome: 'succeeded', action: 'create' })]);
    assert.equal(result.employeeChanges.size, 0);
    assert.deepEqual(result.recordErrors, [[]]);
  });
});

describe("the engine's messages: rules settled in issue 12", () => {
  const jobTitleArchived = { code: 'FIELD_ARCHIVED', field: 'job_title', text: "Field 'Job title (Flow)' is archived" };

  test('without form fields, an engine archived field on an empty value replaces missing_required_field', () => {
    const record = aRecord({ outcome: 'failed', employee: { job_title: ' ' }, messages: [jobTitleArchived] });
    const { recordErrors } = classify([record], { form_fields: null });
    assert.deepEqual(recordErrors[0], [
      { code: 'archived_mandatory_field', severity: 'error', field: 'job_title', value: 'Job title (Flow)', expected: null, variant: null },
    ]);
  });

  test('an archived field in text alone does the same, and keeps the other missing fields', () => {
    const record = aRecord({
      outcome: 'failed',
      employee: { job_title: null, last_name: '' },
      messages: [{ text: 'Job title (Flow) is archived and cannot be synced' }],
    });
    assert.deepEqual(errorsOf(record), ['missing_required_field last_name', 'archived_mandatory_field job_title']);
  });

  test('an empty form_fields list counts as not known', () => {
    const record = aRecord({ employee: { job_title: '' }, messages: [jobTitleArchived] });
    assert.deepEqual(errorsOf(record, { form_fields: [] }), ['archived_mandatory_field job_title']);
  });

  test('with form fields known, the engine cannot archive a field they show as live', () => {
    const record = aRecord({ employee: { job_title: '' }, messages: [jobTitleArchived] });
    const formFields = [{ name: 'Job title (Flow)', maps_to: 'job_title' as const, mandatory: true, archived: false }];
    assert.deepEqual(errorsOf(record, { form_fields: formFields }), ['missing_required_field job_title']);
  });

  test('an archived field on a field that is not empty does not replace anything', () => {
    const record = aRecord({ employee: { last_name: '' }, messages: [{ code: 'FIELD_ARCHIVED', field: 'branch', text: "Field 'Branch' is archived" }] });
    assert.deepEqual(errorsOf(record), ['missing_required_field last_name', 'archived_mandatory_field branch']);
  });

  test("an unknown engine code adds nothing by itself; its text is read like a text-only engine's", () => {
    const known = aRecord({
      employee: { department: 'Logistics' },
      messages: [{ code: 'DEPT_MISSING_IN_TARGET', text: "Department 'Logistics' does not exist" }],
    });
    assert.deepEqual(errorsOf(known, { catalog: null }), ['department_mismatch department unknown']);
    const unknown = aRecord({ outcome: 'failed', messages: [{ code: 'DEPT_MISSING_IN_TARGET' }] });
    assert.deepEqual(errorsOf(unknown), ['unclassified']);
  });

  test('an engine mismatch on an empty value that is not required adds nothing', () => {
    for (const department of ['', '  ', null, undefined]) {
      const employee = department === undefined ? {} : { department };
      const coded = aRecord({
        outcome: 'failed',
        employee,
        messages: [{ code: 'DEPARTMENT_NOT_FOUND', field: 'department', text: "Department 'Logistics' does not exist" }],
      });
      if (department === undefined) delete coded.employee.department;
      assert.deepEqual(errorsOf(coded), ['unclassified'], `department ${JSON.stringify(department)}`);
      const text = aRecord({ employee, messages: [{ text: 'Unable to add user to Department, Department with name Logistics does not exist' }] });
      if (department === undefined) delete text.employee.department;
      assert.deepEqual(errorsOf(text), [], `department ${JSON.stringify(department)}`);
    }
  });

  test('an engine mismatch on an empty required value leaves missing_required_field alone', () => {
    const record = aRecord({ employee: { job_title: '' }, messages: [{ code: 'JOB_TITLE_NOT_FOUND', text: "Job title 'Chef' does not exist" }] });
    assert.deepEqual(errorsOf(record), ['missing_required_field job_title']);
  });

  test("Mapal OS's unquoted values are values, not keywords", () => {
    const mandatory = aRecord({
      employee: { department: 'Mandatory Training' },
      messages: [{ text: 'Unable to add user to Department, Department with name Mandatory Training does not exist' }],
    });
    const { recordErrors } = classify([mandatory], { catalog: null });
    assert.deepEqual(recordErrors[0], [
      { code: 'department_mismatch', severity: 'error', field: 'department', value: 'Mandatory Training', expected: null, variant: 'unknown' },
    ]);
    const archived = aRecord({ employee: { department: 'Archived Staff' }, messages: [{ text: 'Department with name Archived Staff does not exist' }] });
    assert.deepEqual(errorsOf(archived, { catalog: null }), ['department_mismatch department unknown']);
  });

  test('a text about something that is not an employee attribute adds nothing', () => {
    for (const text of ['User is archived in Flow Learning', "Course title 'Food Safety' not found", "Learning plan for job title 'Chef' not found"]) {
      assert.deepEqual(errorsOf(aRecord({ outcome: 'failed', messages: [{ text }] })), ['unclassified'], text);
    }
  });
});
