import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { groupKeyOf } from './group-key.js';
import type { ClassifiedError } from './types.js';

function anError(overrides: Partial<ClassifiedError>): ClassifiedError {
  return { code: 'job_title_mismatch', severity: 'error', field: 'job_title', value: null, expected: null, variant: null, ...overrides };
}

describe('group keys', () => {
  test('values that read the same are one group: capitals, spacing, invisible characters, NFD', () => {
    const keys = ['Café Manager', 'café  manager', '\uFEFFCafé Manager\u00A0', 'Cafe\u0301 Manager', 'Ca\u00ADfé Manager'].map((value) =>
      groupKeyOf(anError({ value, variant: 'case' })),
    );
    assert.equal(new Set(keys).size, 1);
  });

  test('the variant and expected value do not split a group', () => {
    assert.equal(
      groupKeyOf(anError({ value: 'Kitchen porter', variant: 'case', expected: 'Kitchen Porter' })),
      groupKeyOf(anError({ value: 'kitchen porter ', variant: 'case_and_spacing', expected: 'Kitchen Porter' })),
    );
  });

  test('another code, field or value is another group', () => {
    const base = groupKeyOf(anError({ value: 'Bar' }));
    assert.notEqual(groupKeyOf(anError({ value: 'Bar', code: 'department_mismatch', field: 'department' })), base);
    assert.notEqual(groupKeyOf(anError({ value: 'Bar', field: 'department' })), base);
    assert.notEqual(groupKeyOf(anError({ value: 'Bars' })), base);
  });

  test('unclassified errors group by the fingerprint of their text', () => {
    const unclassified = (value: string) => anError({ code: 'unclassified', field: null, value });
    assert.equal(
      groupKeyOf(unclassified('Target API timeout after 20091 ms (request 2a7be0b)')),
      groupKeyOf(unclassified('Target API timeout after 36218 ms (request 4f67a6a7)')),
    );
    assert.notEqual(
      groupKeyOf(unclassified('Target API timeout after 20091 ms (request 2a7be0b)')),
      groupKeyOf(unclassified('Rate limit exceeded, retry in 47 s')),
    );
  });

  test('failed runs group by the fingerprint of their run error, too', () => {
    const runFailed = (value: string) => anError({ code: 'run_failed', field: null, value });
    assert.equal(
      groupKeyOf(runFailed('Source API timeout after 30012 ms (request 9f2c1d7e)')),
      groupKeyOf(runFailed('Source API timeout after 30444 ms (request 0b3d7a21)')),
    );
  });

  test('a key is stable and cannot be forged by a separator inside a value', () => {
    const error = anError({ value: 'a","b' });
    assert.equal(groupKeyOf(error), groupKeyOf({ ...error }));
    assert.equal(groupKeyOf(error), '["job_title_mismatch","job_title","a\\",\\"b"]');
    assert.notEqual(groupKeyOf(anError({ field: 'a', value: 'b' })), groupKeyOf(anError({ field: 'a","b', value: '' })));
  });
});
