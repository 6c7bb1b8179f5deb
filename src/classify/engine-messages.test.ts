import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fieldFromName, readEngineMessage } from './engine-messages.js';
import type { EngineMessage } from './types.js';

function read(message: EngineMessage | string): string | null {
  const finding = readEngineMessage(typeof message === 'string' ? { text: message } : message);
  if (!finding) return null;
  return [finding.code, finding.field, finding.value === null ? null : `'${finding.value}'`].filter((p) => p !== null).join(' ');
}

describe('engine codes map to our codes, each for its field', () => {
  const rows: Array<[EngineMessage, string]> = [
    [{ code: 'DUPLICATE_EXTERNAL_ID' }, 'duplicate_external_id external_id'],
    [{ code: 'JOB_TITLE_NOT_FOUND', text: "Job title 'Sommelier' does not exist" }, "job_title_mismatch job_title 'Sommelier'"],
    [{ code: 'DEPARTMENT_NOT_FOUND', field: 'department' }, 'department_mismatch department'],
    [{ code: 'BRANCH_NOT_FOUND' }, 'branch_mismatch branch'],
    [{ code: 'FIELD_ARCHIVED', field: 'job_title', text: "Field 'Job title (Flow)' is archived" }, "archived_mandatory_field job_title 'Job title (Flow)'"],
    [{ code: 'REQUIRED_FIELD_MISSING', field: 'last_name', text: 'last_name is required' }, 'missing_required_field last_name'],
    [{ code: 'EMAIL_IN_USE', field: 'email', text: 'Email already in use' }, 'email_in_use email'],
    [{ code: 'INVALID_VALUE', field: 'date_of_birth', text: 'Invalid value for date_of_birth' }, 'invalid_value date_of_birth'],
  ];
  for (const [message, expected] of rows) {
    test(`engine code ${message.code} gives ${expected}`, () => assert.equal(read(message), expected));
  }

  test('a field the engine names in words is read as ours', () => {
    assert.equal(read({ code: 'INVALID_VALUE', field: 'Date of birth' }), 'invalid_value date_of_birth');
    assert.equal(read({ code: 'REQUIRED_FIELD_MISSING', text: 'Surname is required' }), 'missing_required_field last_name');
  });

  test('an unknown engine code adds nothing when its text says nothing we know', () => {
    assert.equal(read({ code: 'RATE_LIMITED', text: 'Rate limit exceeded, retry in 47 s' }), null);
  });
});

describe('every wording of the example engines', () => {
  const rows: Array<[string, string | null]> = [
    ['Employee with external Identifier 7781_10020 not processed, Job Title with name Bartender  does not exist', "job_title_mismatch job_title 'Bartender '"],
    ['Job title "Maintenance Technician" was not found in Flow', "job_title_mismatch job_title 'Maintenance Technician'"],
    ['Unable to add user to Department, Department with name Housekeeping  does not exist', "department_mismatch department 'Housekeeping '"],
    ["Department '\uFEFFBar' does not exist", "department_mismatch department '\uFEFFBar'"],
    ['Branch "Bristol Harbourside " was not found in Flow', "branch_mismatch branch 'Bristol Harbourside '"],
    ["Could not map department 'RECEPTION': no such value", "department_mismatch department 'RECEPTION'"],
    ["Could not map job title 'FrontofHouseManager': no such value", "job_title_mismatch job_title 'FrontofHouseManager'"],
    ["Could not map branch 'Leeds Staiton': no such value", "branch_mismatch branch 'Leeds Staiton'"],
    ['Unable to add user to Business Unit, Business Unit with name Glasgow Merchant City does not exist', "branch_mismatch branch 'Glasgow Merchant City'"],
    ['Unable to add user to Business Unit, Business Unit with Feed id LDN-SOHO does not exist', "branch_mismatch branch 'LDN-SOHO'"],
    [
      'Employee with external Identifier 4512_10293 not processed, Job Title with name Kitchen porter does not exist',
      "job_title_mismatch job_title 'Kitchen porter'",
    ],
    ['last_name is required', 'missing_required_field last_name'],
    ['Validation failed: date_of_birth', 'invalid_value date_of_birth'],
    ['Validation failed: email', 'invalid_value email'],
    ['Invalid value for end_date', 'invalid_value end_date'],
    ['Email already in use', 'email_in_use email'],
    ['Job title (Flow) is archived and cannot be synced', "archived_mandatory_field job_title 'Job title (Flow)'"],
    ["Field 'Job title (Flow)' is archived", "archived_mandatory_field job_title 'Job title (Flow)'"],
    ['Rate limit exceeded, retry in 47 s', null],
    ['Target API timeout after 23334 ms (request ec760ee9)', null],
  ];
  for (const [text, expected] of rows) {
    test(`"${text}" reads as ${expected ?? 'nothing'}`, () => assert.equal(read(text), expected));
  }
});

describe('the text rules recognise wordings in general, not the example sentences', () => {
  const rows: Array<[string, string | null]> = [
    ["Unknown job title 'Sommelier'", "job_title_mismatch job_title 'Sommelier'"],
    ["Location 'Soho' could not be found", "branch_mismatch branch 'Soho'"],
    ["Department Kitchens doesn't exist", 'department_mismatch department'],
    ['Business unit LDN-SOHO not found', 'branch_mismatch branch'],
    ['Could not find site "Leeds"', "branch_mismatch branch 'Leeds'"],
    ['Position "Chef" is not recognised by the target', "job_title_mismatch job_title 'Chef'"],
    ["Job title 'Branch Manager' does not exist", "job_title_mismatch job_title 'Branch Manager'"],
    ["Invalid job title 'Sommelier'", "job_title_mismatch job_title 'Sommelier'"],
    ["The field 'Branch' has been archived", "archived_mandatory_field branch 'Branch'"],
    ['Mandatory field Job title (Flow) was archived', "archived_mandatory_field job_title 'Job title (Flow)'"],
    ['A user with this email already exists', 'email_in_use email'],
    ["Email address 'ana@example.com' is already taken", 'email_in_use email'],
    ["'ana@example.com' is already in use by another user", 'email_in_use email'],
    ['Duplicate e-mail', 'email_in_use email'],
    ['External ID 4512_1 already exists', 'duplicate_external_id external_id'],
    ['Missing required field: email', 'missing_required_field email'],
    ["Required field 'email' was not found", 'missing_required_field email'],
    ['First name is required', 'missing_required_field first_name'],
    ['Surname must not be empty', 'missing_required_field last_name'],
    ['Job title is missing', 'missing_required_field job_title'],
    ['Invalid date of birth', 'invalid_value date_of_birth'],
    ['Start date is not valid', 'invalid_value start_date'],
    ['Malformed email address', 'invalid_value email'],
    ['Something went wrong', null],
    ['Unknown error while saving', null],
  ];
  for (const [text, expected] of rows) {
    test(`"${text}" reads as ${expected ?? 'nothing'}`, () => assert.equal(read(text), expected));
  }

  test('a field the message names wins over the one its text suggests', () => {
    assert.equal(read({ field: 'branch', text: 'Value not found' }), 'branch_mismatch branch');
  });
});

describe('field names', () => {
  const rows: Array<[string, string | null]> = [
    ['job_title', 'job_title'],
    ['Job title', 'job_title'],
    ['external_id', 'external_id'],
    ['Business Unit', 'branch'],
    ['DOB', 'date_of_birth'],
    ['colour', null],
  ];
  for (const [name, field] of rows) {
    test(`"${name}" is the field ${field ?? 'none'}`, () => assert.equal(fieldFromName(name), field));
  }
});
