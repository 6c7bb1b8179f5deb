/**
 * Wordings assembled from the grammar's parts (engine-grammar.ts): an optional prefix, a
 * subject in one of its names and spellings, a value in one of its forms (quoted in any
 * quotes, after "with name", "named", "called", "with Feed id"), and a predicate in one of
 * its wordings, in the three sentence orders (subject first, predicate first, negation
 * first). Each must give the code, the field and the value exactly as written; the same
 * sentences about things that are not employee attributes must give nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { RecordField } from './feed-enums.js';
import { readEngineMessage } from './engine-messages.js';
import { NormalisedText } from './engine-text-normalise.js';

const RUNS = { numRuns: 400, seed: 20261130 };

type CatalogField = 'job_title' | 'department' | 'branch';
const MISMATCH = { job_title: 'job_title_mismatch', department: 'department_mismatch', branch: 'branch_mismatch' } as const;

const SUBJECTS: Record<CatalogField, readonly string[]> = {
  job_title: ['Job Title', 'Job title', 'job title', 'JOB TITLE', 'Position', 'Role', 'Job role', 'JobTitle', 'job_title', 'Ｊｏｂ ｔｉｔｌｅ'],
  department: ['Department', 'department', 'DEPARTMENT', 'Dept', 'Primary department'],
  branch: ['Branch', 'Business Unit', 'Business unit', 'Location', 'Site', 'Venue', 'Store', 'Work location', 'business_unit'],
};

/** Nouns that are not employee attributes: the same sentences about them must say nothing. */
const NOT_ATTRIBUTES = [
  'Course',
  'Course title',
  'Module',
  'Learning plan',
  'Certificate',
  'Role permission',
  'User role',
  'Permission profile',
  'Training manager',
  'Web site',
  'Page title',
];

const PREFIXES = [
  '',
  'Employee with external Identifier 4512_10293 not processed, ',
  'Employee with external Identifier 7781_1 not processed, ',
  'Unable to add user to Department, ',
  'Unable to add user to Business Unit, ',
  'Validation failed: ',
  'Employee 4512_7: ',
  'Could not create user: ',
  'Sync error. ',
];

const PREDICATES = [
  'does not exist',
  "doesn't exist",
  'doesn’t exist',
  'does not exists',
  'DOES NOT EXIST',
  'was not found',
  'was not found in Flow',
  'not found',
  'could not be found',
  'cannot be found',
  "wasn't found",
  'is unknown',
  'is not in the catalog',
  'is not recognised',
  'missing from catalog',
  'does  not\texist',
];

const QUOTES: ReadonlyArray<readonly [string, string]> = [
  ["'", "'"],
  ['"', '"'],
  ['‘', '’'],
  ['“', '”'],
  ['«', '»'],
  ['„', '“'],
  ['`', '`'],
];

/** Words of values, among them the grammar's own keywords: inside a value they must stay values. */
const PLAIN_WORDS = ['Kitchen', 'Bar', 'Head', 'Chef', 'Soho', 'Café', 'Zoë', 'Night', 'Porter', '2', 'Front', 'House', 'Team'];
const TRAP_WORDS = ['Mandatory', 'Email', 'Title', 'Site', 'Course', 'User', 'Duplicate', 'Training', 'Staff', 'Department', 'Location', 'Named'];
/** Keywords that may start an unquoted value but would end it anywhere else ("with name Archived Staff"). */
const LEADING_TRAP_WORDS = ['Archived', 'Missing', 'Required', 'Unknown', 'Invalid'];
const INVISIBLE = ['\u00AD', '\u200B', '\uFEFF', '\u2060'];

const word = fc.constantFrom(...PLAIN_WORDS, ...TRAP_WORDS);
const withInvisible = (text: string) =>
  fc.tuple(fc.nat(text.length), fc.option(fc.constantFrom(...INVISIBLE), { nil: '' })).map(([at, mark]) => text.slice(0, at) + mark + text.slice(at));

/** A value as Mapal OS writes it unquoted: words, maybe a leading keyword, maybe an invisible mark or a trailing space. */
const unquotedValue = fc
  .tuple(fc.option(fc.constantFrom(...LEADING_TRAP_WORDS), { nil: null }), fc.array(word, { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([lead, words, trailingSpace]) => [lead, ...words].filter((w) => w !== null).join(' ') + (trailingSpace ? ' ' : ''))
  .chain(withInvisible);

/** A value in quotes: any words, with apostrophes, tabs, leading or trailing spaces, invisible marks. */
const quotedValue = fc
  .tuple(
    fc.array(fc.constantFrom(...PLAIN_WORDS, ...TRAP_WORDS, ...LEADING_TRAP_WORDS, "O'Brien", "Chef's", 'Restaurant\tManager'), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('', ' '),
    fc.constantFrom('', ' ', '  '),
  )
  .map(([words, lead, trail]) => lead + words.join(' ') + trail)
  .chain(withInvisible);

const FEED_IDS = ['LDN-SOHO', 'LDN_SOHO_01', 'MAN-PIC', 'GLA.MC', '4512'];

interface Wording {
  text: string;
  value: string | null;
}

/** Subject first: "{subject} {value} {predicate}". */
function subjectFirst(subject: string): fc.Arbitrary<Wording> {
  return fc.oneof(
    fc.tuple(quotedValue, fc.constantFrom(...QUOTES), fc.constantFrom(...PREDICATES)).map(([value, [open, close], predicate]) => ({
      text: `${subject} ${open}${value}${close} ${predicate}`,
      value,
    })),
    fc
      .tuple(unquotedValue, fc.constantFrom('with name', 'with Name', 'named', 'called'), fc.constantFrom(...PREDICATES))
      .map(([value, introducer, predicate]) => ({
        text: `${subject} ${introducer} ${value} ${predicate}`,
        value,
      })),
    fc.tuple(fc.constantFrom(...FEED_IDS), fc.constantFrom(...PREDICATES)).map(([value, predicate]) => ({
      text: `${subject} with Feed id ${value} ${predicate}`,
      value,
    })),
  );
}

/** Predicate first: "Could not map {subject} '{value}': no such value", "Unknown {subject} '{value}'", ... */
function predicateFirst(subject: string): fc.Arbitrary<Wording> {
  return fc.oneof(
    fc
      .tuple(
        quotedValue,
        fc.constantFrom(...QUOTES),
        fc.constantFrom('Could not map', 'Unknown', 'Unable to find', 'Failed to resolve', 'Could not find', 'Invalid'),
      )
      .map(([value, [open, close], predicate]) => ({ text: `${predicate} ${subject} ${open}${value}${close}: no such value`, value })),
    fc
      .tuple(
        unquotedValue.map((v) => v.trimEnd()),
        fc.constantFrom('Could not find', 'Unable to find'),
      )
      .map(([value, predicate]) => ({
        text: `${predicate} ${subject} with name ${value}`,
        value,
      })),
  );
}

/** Negation first: "No {subject} named {value} exists", "There is no {subject} called {value}". */
function negationFirst(subject: string): fc.Arbitrary<Wording> {
  return fc.oneof(
    fc
      .tuple(unquotedValue, fc.constantFrom('named', 'with name', 'called'))
      .map(([value, introducer]) => ({ text: `No ${subject} ${introducer} ${value} exists`, value })),
    fc
      .tuple(unquotedValue, fc.constantFrom('was found', 'could be found', 'found'))
      .map(([value, verb]) => ({ text: `No ${subject} with name ${value} ${verb}`, value })),
    unquotedValue.map((value) => ({ text: `There is no ${subject} called ${value.trimEnd()}`, value: value.trimEnd() })),
  );
}

function wordingsAbout(subject: fc.Arbitrary<string>): fc.Arbitrary<Wording> {
  return fc
    .tuple(
      fc.constantFrom(...PREFIXES),
      subject.chain((s) => fc.oneof(subjectFirst(s), predicateFirst(s), negationFirst(s))),
    )
    .map(([prefix, wording]) => ({ text: prefix + wording.text, value: wording.value }));
}

const catalogField = fc.constantFrom<CatalogField>('job_title', 'department', 'branch');

describe('wordings assembled from the grammar', () => {
  test('a catalog value that does not exist gives its mismatch, its field and its value as written', () => {
    fc.assert(
      fc.property(
        catalogField.chain((field) => fc.tuple(fc.constant(field), wordingsAbout(fc.constantFrom(...SUBJECTS[field])))),
        ([field, { text, value }]) => {
          assert.deepEqual({ ...readEngineMessage({ text }) }, { code: MISMATCH[field], field, value }, text);
        },
      ),
      RUNS,
    );
  });

  test('the same sentences about something that is not an employee attribute give nothing', () => {
    fc.assert(
      fc.property(wordingsAbout(fc.constantFrom(...NOT_ATTRIBUTES)), ({ text }) => {
        assert.equal(readEngineMessage({ text }), null, text);
      }),
      RUNS,
    );
  });

  test('a quoted value of any characters comes back exactly as written', () => {
    const anyValue = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((value) => !NormalisedText.of(value).text.includes('"'));
    fc.assert(
      fc.property(catalogField, anyValue, fc.constantFrom(...PREDICATES), (field, value, predicate) => {
        const text = `${SUBJECTS[field][0]} "${value}" ${predicate}`;
        assert.deepEqual({ ...readEngineMessage({ text }) }, { code: MISMATCH[field], field, value }, text);
      }),
      RUNS,
    );
  });

  test('an archived form field gives archived_mandatory_field with its name; an archived user gives nothing', () => {
    const FIELDS: ReadonlyArray<readonly [string, RecordField]> = [
      ['Job title (Flow)', 'job_title'],
      ['Branch', 'branch'],
      ['Department', 'department'],
      ['Business Unit', 'branch'],
      ['Position', 'job_title'],
    ];
    const archivedField = fc
      .tuple(
        fc.constantFrom(...FIELDS),
        fc.constantFrom(...QUOTES),
        fc.constantFrom('Field', 'The field', 'Mandatory field', 'The mandatory field'),
        fc.constantFrom('is archived', 'has been archived', 'was archived', 'is archived and cannot be synced'),
      )
      .map(([[name, field], [open, close], noun, predicate]) => ({ text: `${noun} ${open}${name}${close} ${predicate}`, field, name }));
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), archivedField, (prefix, { text, field, name }) => {
        assert.deepEqual({ ...readEngineMessage({ text: prefix + text }) }, { code: 'archived_mandatory_field', field, value: name }, prefix + text);
      }),
      RUNS,
    );
    const archivedUser = fc
      .tuple(
        fc.constantFrom('User', 'Learner', 'User account', 'Employee', 'Learner account'),
        fc.constantFrom('', " 'ana@example.com'", ' with email ana@example.com', ' Ana Lopez'),
        fc.constantFrom('is archived', 'has been archived', 'is archived in Flow Learning'),
      )
      .map(([noun, value, predicate]) => `${noun}${value} ${predicate}`);
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), archivedUser, (prefix, text) => {
        assert.equal(readEngineMessage({ text: prefix + text }), null, prefix + text);
      }),
      RUNS,
    );
  });

  test('an email in use, a required field missing and an invalid value, in their wordings', () => {
    const EMAILS = ['Email', 'E-mail', 'Email address', 'email', 'User email', 'Work email'];
    const IN_USE = [
      'already in use',
      'is already in use',
      'exists already',
      'already exists',
      'has already been taken',
      'is already taken',
      'must be unique',
      'is not unique',
    ];
    const FIELDS: ReadonlyArray<readonly [string, RecordField]> = [
      ['First name', 'first_name'],
      ['first_name', 'first_name'],
      ['Surname', 'last_name'],
      ['Last name', 'last_name'],
      ['Email', 'email'],
      ['Job title', 'job_title'],
      ['Branch', 'branch'],
      ['Business unit', 'branch'],
      ['Department', 'department'],
      ['Start date', 'start_date'],
      ['Date of birth', 'date_of_birth'],
      ['Employee ID', 'external_id'],
    ];
    const MISSING = [
      'is required',
      'is mandatory',
      'is missing',
      'missing',
      'must be provided',
      'must not be empty',
      'cannot be blank',
      'is empty',
      'not provided',
      'has not been provided',
    ];
    const INVALID = ['is invalid', 'is not valid', 'has an invalid format', 'is malformed'];
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), fc.constantFrom(...EMAILS), fc.constantFrom(...IN_USE), (prefix, noun, predicate) => {
        const text = `${prefix}${noun} ${predicate}`;
        assert.deepEqual({ ...readEngineMessage({ text }) }, { code: 'email_in_use', field: 'email', value: null }, text);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), fc.constantFrom(...FIELDS), fc.constantFrom(...MISSING), (prefix, [noun, field], predicate) => {
        const text = `${prefix}${noun} ${predicate}`;
        assert.deepEqual({ ...readEngineMessage({ text }) }, { code: 'missing_required_field', field, value: null }, text);
      }),
      RUNS,
    );
    const nonCatalog = FIELDS.filter(([, field]) => !['job_title', 'department', 'branch'].includes(field));
    fc.assert(
      fc.property(fc.constantFrom(...PREFIXES), fc.constantFrom(...nonCatalog), fc.constantFrom(...INVALID), (prefix, [noun, field], predicate) => {
        const text = `${prefix}${noun} ${predicate}`;
        assert.deepEqual({ ...readEngineMessage({ text }) }, { code: 'invalid_value', field, value: null }, text);
      }),
      RUNS,
    );
  });
});

describe('the normalised reading', () => {
  test('maps every character back into the text as written, in order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (raw) => {
        const reading = NormalisedText.of(raw);
        let previous = 0;
        for (let index = 0; index < reading.text.length; index += 1) {
          const start = reading.rawStart(index);
          const end = reading.rawEnd(index);
          assert.ok(previous <= start && start < end && end <= raw.length, `${JSON.stringify(raw)} at ${index}`);
          previous = start;
        }
        assert.equal(reading.text, reading.text.toLowerCase());
        assert.ok(!/\s\s/u.test(reading.text));
      }),
      RUNS,
    );
  });
});
