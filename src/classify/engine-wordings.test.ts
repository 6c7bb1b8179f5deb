/**
 * The table of engine wordings that must and must not be recognised, each with the code,
 * field and value it must give (null code: it must add nothing).
 *
 * Written from error-codes.md's description of the text rules and from how HR and
 * learning systems word these failures in their public help pages:
 * - Mapal OS, "Managing your integration on Mapal OS" (help.mapal-os.com), the feed-log
 *   errors: "Employee with external Identifier {external ID} not processed, Job Title
 *   with name {Job Title} does not exist", "Unable to add user to Department, Department
 *   with name {Department} does not exist", "Unable to add user to Business Unit, Business
 *   Unit with Feed id {Business Unit} ...". Values are unquoted.
 * - Planday's API error guide (openapi.planday.com/guides/errors): "Employee with given id
 *   doesn't exist", "Employee id is invalid"; its help on the employee form: mandatory
 *   fields, "Archived fields ... Unarchive field", "Unique field value".
 * - Flow Learning and Mapal OS login help: "invalid email, missing business unit, or job
 *   title"; user and learner accounts that are archived or unlinked.
 * - Other HR and learning systems' published messages, for the variety of wording:
 *   Zoho People ("Missing mandatory field values", "Value already exists", "Invalid email
 *   address", "Invalid date field value"), Everfi Foundry ("Location name cannot be
 *   found.", "Email has already been taken."), PureSafety ("A first name is required.",
 *   "Email already exists for employee.", "Invalid Birth Date entered.", "An employee code
 *   is required."), Flare ("Email already in use"), SafetySkills ("Required field cannot
 *   be empty."), Upskill People ("Null FirstName processed"), NAVER Cloud ("Job position
 *   not found", "User email address format error", "User login ID already exist").
 * The sentences themselves are ours, built on those patterns; none is a copy of a page.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ErrorCode } from './error-enums.js';
import type { RecordField } from './feed-enums.js';
import { readEngineMessage } from './engine-messages.js';
import type { EngineMessage } from './types.js';

type Row = readonly [text: string | EngineMessage, code: ErrorCode | null, field: RecordField | null, value: string | null];

function check(rows: readonly Row[]): void {
  for (const [input, code, field, value] of rows) {
    const message = typeof input === 'string' ? { text: input } : input;
    test(`${JSON.stringify(message.text ?? message.code)} -> ${code ?? 'nothing'} ${field ?? ''} ${value === null ? '' : JSON.stringify(value)}`, () => {
      const expected = code === null ? null : { code, field, value };
      const finding = readEngineMessage(message);
      assert.deepEqual(finding === null ? null : { ...finding }, expected);
    });
  }
}

describe('a catalog value that does not exist: job titles', () => {
  check([
    // Mapal OS, as its help page words it, and the slips a review found.
    [
      'Employee with external Identifier 4512_10293 not processed, Job Title with name Kitchen porter does not exist',
      'job_title_mismatch',
      'job_title',
      'Kitchen porter',
    ],
    ["Employee with external Identifier 4512_10293 not processed, Job Title with name Sous Chef doesn't exist", 'job_title_mismatch', 'job_title', 'Sous Chef'],
    ['Employee with external Identifier 4512_10293 not processed, Job Title with name Sous Chef doesn’t exist', 'job_title_mismatch', 'job_title', 'Sous Chef'],
    [
      'Employee with external Identifier 4512_10293 not processed, Job Title with name Sous Chef does not exists',
      'job_title_mismatch',
      'job_title',
      'Sous Chef',
    ],
    ['Employee with external Identifier 4512_10293 not processed, Job Title with name Sous Chef is unknown', 'job_title_mismatch', 'job_title', 'Sous Chef'],
    [
      'Employee with external Identifier 4512_10293 not processed, Job Title with name Head Chef does not exist.',
      'job_title_mismatch',
      'job_title',
      'Head Chef',
    ],
    [
      'Employee with external Identifier 4512_1 not processed, Job Title with name Head Chef (Nights) does not exist',
      'job_title_mismatch',
      'job_title',
      'Head Chef (Nights)',
    ],
    [
      'Employee with external Identifier 7781_10020 not processed, Job Title with name Bartender  does not exist',
      'job_title_mismatch',
      'job_title',
      'Bartender ',
    ],
    [
      'Employee with external Identifier 7781_10031 not processed, Job Title with name General\u200B Manager does not exist',
      'job_title_mismatch',
      'job_title',
      'General\u200B Manager',
    ],
    [
      'Employee with external Identifier 7781_10012 not processed, Job Title with name Com\u00ADmis Chef does not exist',
      'job_title_mismatch',
      'job_title',
      'Com\u00ADmis Chef',
    ],
    [
      'Employee with external Identifier 4512_1 not processed, Job Title with name Required Reading Lead does not exist',
      'job_title_mismatch',
      'job_title',
      'Required Reading Lead',
    ],
    ["Job Title with name Chef's Assistant does not exist", 'job_title_mismatch', 'job_title', "Chef's Assistant"],
    // Quoted, in every kind of quote.
    ['Job title "Maintenance Technician" was not found in Flow', 'job_title_mismatch', 'job_title', 'Maintenance Technician'],
    ["Job title 'Sommelier' does not exist", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ['Job title ‘Sommelier’ doesn’t exist', 'job_title_mismatch', 'job_title', 'Sommelier'],
    ['Job title “Sommelier” does not exists', 'job_title_mismatch', 'job_title', 'Sommelier'],
    ['Job title `Sommelier` not found', 'job_title_mismatch', 'job_title', 'Sommelier'],
    ['Job title ＂Chef＂ not found', 'job_title_mismatch', 'job_title', 'Chef'],
    ["Job title 'Chef's Assistant' does not exist", 'job_title_mismatch', 'job_title', "Chef's Assistant"],
    ['Job title "O\'Brien\'s Bar" does not exist', 'job_title_mismatch', 'job_title', "O'Brien's Bar"],
    ["Job title '\uFEFFAssistant Manager' does not exist", 'job_title_mismatch', 'job_title', '\uFEFFAssistant Manager'],
    ["Job title 'front  of house manager' does not exist", 'job_title_mismatch', 'job_title', 'front  of house manager'],
    ["Could not map job title 'Restaurant\tManager': no such value", 'job_title_mismatch', 'job_title', 'Restaurant\tManager'],
    ["Could not map job title ' Waiter': no such value", 'job_title_mismatch', 'job_title', ' Waiter'],
    // Other predicates.
    ["Job title couldn't be found: 'Sommelier'", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Job title 'Sommelier' could not be found", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Job title 'Sommelier' cannot be found", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["The job title 'Sommelier' wasn't found", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Job title 'Sommelier' is not recognised", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Unrecognised job title 'Sommelier'", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Job title 'Sommelier' is not configured in Flow Learning", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Job title 'Sommelier' missing from catalog", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Job title 'Sommelier' is not one of the job titles in Flow", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Unknown job title 'Sommelier'", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Job title lookup failed for 'Sommelier'", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Failed to resolve job title 'Sommelier'", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Unable to find job title 'Sommelier'", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Invalid job title 'Sommelier'", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["'Sommelier' is not a valid job title", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ['Job title does not exist', 'job_title_mismatch', 'job_title', null],
    // The negation first.
    ['No job title named Sommelier exists', 'job_title_mismatch', 'job_title', 'Sommelier'],
    ['No job title with name Sommelier was found', 'job_title_mismatch', 'job_title', 'Sommelier'],
    ['No such job title: Sommelier', 'job_title_mismatch', 'job_title', null],
    ["No matching job title for 'Sommelier'", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ['There is no job title called Sommelier', 'job_title_mismatch', 'job_title', 'Sommelier'],
    // Other names of the job title.
    ["Cannot map position 'Sommelier'", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Position 'Sommelier' does not exist", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Role 'Sommelier' does not exist", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Job role 'Sommelier' not found", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["JobTitle 'Sommelier' not found", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["job_title 'Sommelier' not found", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Title 'Sommelier' not found", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ["Ｊｏｂ ｔｉｔｌｅ 'Chef' does not exist", 'job_title_mismatch', 'job_title', 'Chef'],
    ["JOB TITLE 'CHEF' DOES NOT EXIST", 'job_title_mismatch', 'job_title', 'CHEF'],
  ]);
});

describe('a catalog value that does not exist: departments', () => {
  check([
    ['Unable to add user to Department, Department with name Kitchens does not exist', 'department_mismatch', 'department', 'Kitchens'],
    ['Unable to add user to Department, Department with name Housekeeping  does not exist', 'department_mismatch', 'department', 'Housekeeping '],
    ['Unable to add user to Department, Department with name  Bar does not exist', 'department_mismatch', 'department', ' Bar'],
    // A value's own words are never keywords.
    ['Unable to add user to Department, Department with name Mandatory Training does not exist', 'department_mismatch', 'department', 'Mandatory Training'],
    ['Unable to add user to Department, Department with name Archived Staff does not exist', 'department_mismatch', 'department', 'Archived Staff'],
    ['Unable to add user to Department, Department with name Email Marketing does not exist', 'department_mismatch', 'department', 'Email Marketing'],
    ['Unable to add user to Department, Department with name Missing Persons does not exist', 'department_mismatch', 'department', 'Missing Persons'],
    ['Unable to add user to Department, Department with name Duplicate Stock does not exist', 'department_mismatch', 'department', 'Duplicate Stock'],
    [
      'Employee with external Identifier 4512_1 not processed, Department with name Food, Beverage does not exist',
      'department_mismatch',
      'department',
      'Food, Beverage',
    ],
    ["Department 'Finance Team' was not found in Flow", 'department_mismatch', 'department', 'Finance Team'],
    ["Could not map department 'RECEPTION': no such value", 'department_mismatch', 'department', 'RECEPTION'],
    ["Department '\uFEFFBar' does not exist", 'department_mismatch', 'department', '\uFEFFBar'],
    ["Unknown department 'Logistics'", 'department_mismatch', 'department', 'Logistics'],
    ["Department 'Logistics' is unknown", 'department_mismatch', 'department', 'Logistics'],
    ["Dept 'Logistics' not found", 'department_mismatch', 'department', 'Logistics'],
    ['No department named Logistics exists', 'department_mismatch', 'department', 'Logistics'],
    ['There is no department named Logistics', 'department_mismatch', 'department', 'Logistics'],
    ["Department Logistics doesn't exist", 'department_mismatch', 'department', null],
    ['Could not find department with name Logistics', 'department_mismatch', 'department', 'Logistics'],
    ['Could not find department with name Logistics in Flow', 'department_mismatch', 'department', 'Logistics'],
    ['Department with name Logistics not found for employee 4512_7', 'department_mismatch', 'department', 'Logistics'],
    ["Department 'Kitchens' is not in the catalog", 'department_mismatch', 'department', 'Kitchens'],
    ["Department 'Kitchens' for job title 'Chef' not found", 'department_mismatch', 'department', 'Kitchens'],
    ["Employee's department 'Kitchens' does not exist", 'department_mismatch', 'department', 'Kitchens'],
    ["User department 'Kitchens' does not exist", 'department_mismatch', 'department', 'Kitchens'],
    ['Department does not exist or is archived', 'department_mismatch', 'department', null],
    ["Validation failed: Department 'Logistics' does not exist", 'department_mismatch', 'department', 'Logistics'],
    ["Employee 4512_1: Department 'Logistics' does not exist", 'department_mismatch', 'department', 'Logistics'],
    ["Could not create user: Department 'Logistics' does not exist", 'department_mismatch', 'department', 'Logistics'],
  ]);
});

describe('a catalog value that does not exist: branches and business units', () => {
  check([
    ['Unable to add user to Business Unit, Business Unit with Feed id LDN-SOHO does not exist', 'branch_mismatch', 'branch', 'LDN-SOHO'],
    ['Unable to add user to Business Unit, Business Unit with Feed id LDN_SOHO_01 does not exist', 'branch_mismatch', 'branch', 'LDN_SOHO_01'],
    ['Unable to add user to Business Unit, Business Unit with name Glasgow Merchant City does not exist', 'branch_mismatch', 'branch', 'Glasgow Merchant City'],
    ['Unable to add user to Business Unit, Business Unit with name edinburgh  old town does not exist', 'branch_mismatch', 'branch', 'edinburgh  old town'],
    ['Unable to add user to Business Unit, Business Unit with name Site 4 does not exist', 'branch_mismatch', 'branch', 'Site 4'],
    ['Business Unit with name St. Albans does not exist', 'branch_mismatch', 'branch', 'St. Albans'],
    ['Could not find Business Unit with Feed id LDN-SOHO.', 'branch_mismatch', 'branch', 'LDN-SOHO'],
    ['No business unit found with Feed id LDN-SOHO', 'branch_mismatch', 'branch', 'LDN-SOHO'],
    ['Business unit LDN-SOHO not found', 'branch_mismatch', 'branch', null],
    ['Branch "Bristol Harbourside " was not found in Flow', 'branch_mismatch', 'branch', 'Bristol Harbourside '],
    ["Could not map branch 'Leeds Staiton': no such value", 'branch_mismatch', 'branch', 'Leeds Staiton'],
    ["Location 'Soho' could not be found", 'branch_mismatch', 'branch', 'Soho'],
    ['Location name cannot be found.', 'branch_mismatch', 'branch', null],
    ["Site 'Soho' does not exist", 'branch_mismatch', 'branch', 'Soho'],
    ['Could not find site "Leeds"', 'branch_mismatch', 'branch', 'Leeds'],
    ["Store 'Soho' not found", 'branch_mismatch', 'branch', 'Soho'],
    ["Venue 'Soho' does not exist", 'branch_mismatch', 'branch', 'Soho'],
    ["Work location 'Soho' not found", 'branch_mismatch', 'branch', 'Soho'],
    ['Branch «Soho» is unknown', 'branch_mismatch', 'branch', 'Soho'],
    ['Branch „Soho“ was not found', 'branch_mismatch', 'branch', 'Soho'],
  ]);
});

describe('an archived field', () => {
  check([
    ['Job title (Flow) is archived and cannot be synced', 'archived_mandatory_field', 'job_title', 'Job title (Flow)'],
    ["Field 'Job title (Flow)' is archived", 'archived_mandatory_field', 'job_title', 'Job title (Flow)'],
    ["The field 'Branch' has been archived", 'archived_mandatory_field', 'branch', 'Branch'],
    ['Mandatory field Job title (Flow) was archived', 'archived_mandatory_field', 'job_title', 'Job title (Flow)'],
    ['The mandatory field Branch is archived in the employee form', 'archived_mandatory_field', 'branch', 'Branch'],
    ['Branch field is archived', 'archived_mandatory_field', 'branch', 'Branch'],
    ["'Job title (Flow)' is archived", 'archived_mandatory_field', 'job_title', 'Job title (Flow)'],
    ['Field with name Job title (Flow) is archived', 'archived_mandatory_field', 'job_title', 'Job title (Flow)'],
    // An archived value, not field: the target no longer offers the value.
    ["Job title 'Sommelier' is archived", 'job_title_mismatch', 'job_title', 'Sommelier'],
    ['Job title with name Head Chef is archived', 'job_title_mismatch', 'job_title', 'Head Chef'],
    // Archived users and accounts are no attribute.
    ['User is archived in Flow Learning', null, null, null],
    ["User 'ana@example.com' is archived", null, null, null],
    ['Learner account is archived', null, null, null],
  ]);
});

describe('an email already in use, an external id already taken', () => {
  check([
    ['Email already in use', 'email_in_use', 'email', null],
    ['Email address is already in use', 'email_in_use', 'email', null],
    ['E-mail is already in use by another user', 'email_in_use', 'email', null],
    ['Email exists already', 'email_in_use', 'email', null],
    ['Email address exists already', 'email_in_use', 'email', null],
    ['A user with this email already exists', 'email_in_use', 'email', null],
    ['User with email ana@example.com already exists', 'email_in_use', 'email', null],
    ["'ana@example.com' is already in use by another user", 'email_in_use', 'email', null],
    ['Email address ana@example.com is already registered', 'email_in_use', 'email', null],
    ['Email has already been taken.', 'email_in_use', 'email', null],
    ['Email must be unique', 'email_in_use', 'email', null],
    ['Email not unique', 'email_in_use', 'email', null],
    ['Duplicate e-mail', 'email_in_use', 'email', null],
    ["Duplicate email address 'ana@example.com'", 'email_in_use', 'email', null],
    ['This email is used by another account', 'email_in_use', 'email', null],
    ['Email already exists for employee.', 'email_in_use', 'email', null],
    ["User email 'x@example.com' already in use", 'email_in_use', 'email', null],
    ['Validation failed: Email already in use', 'email_in_use', 'email', null],
    ['External ID 4512_1 already exists', 'duplicate_external_id', 'external_id', null],
    ['Employee ID already exists', 'duplicate_external_id', 'external_id', null],
    ['An employee with external ID 4512_1 already exists', 'duplicate_external_id', 'external_id', null],
    ['Employee number 4512 already in use', 'duplicate_external_id', 'external_id', null],
    ['Duplicate external id', 'duplicate_external_id', 'external_id', null],
    // Not an email, not an external id.
    ['User account already exists', null, null, null],
    ["Course 'Email Basics' already exists", null, null, null],
    ['User login ID already exist', null, null, null],
    ['Value already exists', null, null, null],
    ['Duplicate record', null, null, null],
  ]);
});

describe('a required field missing', () => {
  check([
    ['last_name is required', 'missing_required_field', 'last_name', null],
    ['Surname is required', 'missing_required_field', 'last_name', null],
    ['Last name is mandatory', 'missing_required_field', 'last_name', null],
    ['First name must be provided', 'missing_required_field', 'first_name', null],
    ['First name is missing', 'missing_required_field', 'first_name', null],
    ['Missing first name', 'missing_required_field', 'first_name', null],
    ['A first name is required.', 'missing_required_field', 'first_name', null],
    ['Null FirstName processed', 'missing_required_field', 'first_name', null],
    ['Missing required field: email', 'missing_required_field', 'email', null],
    ["Required field 'email' was not found", 'missing_required_field', 'email', null],
    ['Email must not be empty', 'missing_required_field', 'email', null],
    ['Email cannot be blank', 'missing_required_field', 'email', null],
    ['Email is empty', 'missing_required_field', 'email', null],
    ['Employee email address is missing', 'missing_required_field', 'email', null],
    ['Job title not provided', 'missing_required_field', 'job_title', null],
    ['Branch has not been provided', 'missing_required_field', 'branch', null],
    ['Please provide a job title', 'missing_required_field', 'job_title', null],
    ['No value for department', 'missing_required_field', 'department', null],
    ['Department has no value', 'missing_required_field', 'department', null],
    ['No branch provided', 'missing_required_field', 'branch', null],
    ['An employee code is required.', 'missing_required_field', 'external_id', null],
    ['Employee ID must be specified!', 'missing_required_field', 'external_id', null],
    ['Validation failed: job title is required', 'missing_required_field', 'job_title', null],
    // A required field that the text does not name adds nothing.
    ['Required field cannot be empty.', null, null, null],
    ['Missing mandatory field values', null, null, null],
  ]);
});

describe('an invalid value', () => {
  check([
    ['Validation failed: date_of_birth', 'invalid_value', 'date_of_birth', null],
    ['Validation failed: email', 'invalid_value', 'email', null],
    ['Invalid value for end_date', 'invalid_value', 'end_date', null],
    ['Invalid date of birth', 'invalid_value', 'date_of_birth', null],
    ['Start date is not valid', 'invalid_value', 'start_date', null],
    ['Malformed email address', 'invalid_value', 'email', null],
    ["Email address 'ana@@example' is not a valid email address", 'invalid_value', 'email', null],
    ['Invalid Birth Date entered.', 'invalid_value', 'date_of_birth', null],
    ['User email address format error', 'invalid_value', 'email', null],
    ['Date of birth cannot be in the future', 'invalid_value', 'date_of_birth', null],
    ['End date must be after start date', 'invalid_value', 'end_date', null],
    ['End date is before start date', 'invalid_value', 'end_date', null],
    ['Start date has an invalid format', 'invalid_value', 'start_date', null],
    ['Date of birth is not in the correct format', 'invalid_value', 'date_of_birth', null],
    ['Employee id is invalid', 'invalid_value', 'external_id', null],
  ]);
});

describe('texts about things that are not employee attributes, and texts that say nothing we classify', () => {
  check([
    ["Course title 'Food Safety' not found", null, null, null],
    ["Course 'Food Safety' does not exist", null, null, null],
    ["Module 'Allergens' could not be found", null, null, null],
    ["Module 'Intro' could not be found for user ana@example.com", null, null, null],
    ["Learning plan for job title 'Chef' not found", null, null, null],
    ["Learning plan 'Kitchen Starters' does not exist", null, null, null],
    ["Certificate 'Level 2' not found", null, null, null],
    ["Certificate 'Level 2' has expired", null, null, null],
    ["Role permission 'Admin' not found", null, null, null],
    ["User role 'Admin' not found", null, null, null],
    ["Permission profile 'Manager' does not exist", null, null, null],
    ["Training manager 'Bob' not found", null, null, null],
    ["Department manager 'Bob' not found", null, null, null],
    ["Group 'Kitchen Team' does not exist", null, null, null],
    ["Could not add course for department 'Kitchens'", null, null, null],
    ["Location 'London' has no courses assigned", null, null, null],
    ["Invalid course 'X'", null, null, null],
    ['Invalid user type', null, null, null],
    ['User not found', null, null, null],
    ["User with given id doesn't exist", null, null, null],
    ["Employee with given id doesn't exist", null, null, null],
    ["Web site 'x' not found", null, null, null],
    ["Page title 'x' not found", null, null, null],
    ['Job site not found', null, null, null],
    ['Record not found', null, null, null],
    ['Not found', null, null, null],
    ['Employee 4512_1 could not be processed', null, null, null],
    ["Department 'Bar' was deleted", null, null, null],
    ['Rate limit exceeded, retry in 47 s', null, null, null],
    ['Target API timeout after 23334 ms (request ec760ee9)', null, null, null],
    ['Connection to Flow Learning timed out after 120 s', null, null, null],
    ['Unknown error while saving', null, null, null],
    ['Something went wrong', null, null, null],
    ['Invalid request', null, null, null],
    ['Authentication failed: token is invalid', null, null, null],
  ]);
});

describe('the first clause that says something wins', () => {
  check([
    ["Job title 'Chef' does not exist; email already in use", 'job_title_mismatch', 'job_title', 'Chef'],
    ["Email already in use; Job title 'Chef' does not exist", 'email_in_use', 'email', null],
    ['Job Title with name Kitchen Porter, Job Title with name Chef does not exist', 'job_title_mismatch', 'job_title', 'Chef'],
  ]);
});

describe('messages with an engine code or a field', () => {
  check([
    [
      { code: 'JOB_TITLE_NOT_FOUND', text: 'Employee with external Identifier 4512_1 not processed, Job Title with name Chef does not exist' },
      'job_title_mismatch',
      'job_title',
      'Chef',
    ],
    [{ code: 'FIELD_ARCHIVED', text: 'Job title (Flow) is archived and cannot be synced' }, 'archived_mandatory_field', 'job_title', 'Job title (Flow)'],
    [
      { code: 'REQUIRED_FIELD_MISSING', text: 'Employee with external Identifier 4512_1 not processed, Email is required' },
      'missing_required_field',
      'email',
      null,
    ],
    [{ code: 'INVALID_VALUE', field: 'Date of birth', text: 'Value is not valid' }, 'invalid_value', 'date_of_birth', null],
    [{ code: 'RATE_LIMITED', text: 'Department with name Kitchens does not exist' }, 'department_mismatch', 'department', 'Kitchens'],
    [{ code: 'RATE_LIMITED', text: 'Rate limit exceeded, retry in 47 s' }, null, null, null],
    [{ field: 'branch', text: "'Soho' does not exist" }, 'branch_mismatch', 'branch', 'Soho'],
    [{ field: 'job_title', text: 'Value is archived' }, 'archived_mandatory_field', 'job_title', null],
  ]);
});
