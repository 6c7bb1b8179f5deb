/**
 * What an engine's own message says, as one of our codes: by its engine code (the table
 * of error-codes.md), or, for engines that send only text, by rules that recognise the
 * wording in general rather than particular sentences.
 *
 * Text rules, tried in this order, the first that applies wins:
 *   1. archived: the text says something is archived -> archived_mandatory_field.
 *   2. in use: "already in use / already exists / taken / duplicate" -> email_in_use when
 *      the clause is about an email, duplicate_external_id when about an external id.
 *   3. required: "required / mandatory / cannot be empty / not provided" -> missing_required_field.
 *   4. not found: "does not exist / was not found / could not map ... / no such value" about a
 *      job title, department or branch (business unit, location, site) -> *_mismatch.
 *   5. missing: "is missing / missing field" -> missing_required_field.
 *   6. invalid: "validation failed / invalid / not valid / malformed" -> invalid_value, or
 *      the mismatch of a catalog attribute (a job title the target calls invalid is one it
 *      does not have).
 * "Required" comes before "not found" so that "Required field 'email' was not found" is a
 * missing field, while a bare "missing" comes after it so that "Job title 'X' missing from
 * catalog" is a mismatch.
 */
import type { ErrorCode } from './error-enums.js';
import { EMPLOYEE_ATTRIBUTES, type RecordField } from './feed-enums.js';
import type { EngineMessage } from './types.js';
import type { CatalogAttribute } from './catalog-match.js';
import { CATALOG_LIST_OF, MISMATCH_CODE_OF } from './catalog-match.js';
import { QUOTED_STRETCH } from './normalise.js';

export interface EngineFinding {
  code: ErrorCode;
  field: RecordField | null;
  /** A value the text quotes (the unknown job title, the archived field's name), if any. */
  value: string | null;
}

/** The engine codes of error-codes.md; each fixes the field where the code implies one. */
const ENGINE_CODES: ReadonlyMap<string, { code: ErrorCode; field?: RecordField }> = new Map<string, { code: ErrorCode; field?: RecordField }>([
  ['DUPLICATE_EXTERNAL_ID', { code: 'duplicate_external_id', field: 'external_id' }],
  ['JOB_TITLE_NOT_FOUND', { code: 'job_title_mismatch', field: 'job_title' }],
  ['DEPARTMENT_NOT_FOUND', { code: 'department_mismatch', field: 'department' }],
  ['BRANCH_NOT_FOUND', { code: 'branch_mismatch', field: 'branch' }],
  ['FIELD_ARCHIVED', { code: 'archived_mandatory_field' }],
  ['REQUIRED_FIELD_MISSING', { code: 'missing_required_field' }],
  ['EMAIL_IN_USE', { code: 'email_in_use', field: 'email' }],
  ['INVALID_VALUE', { code: 'invalid_value' }],
]);

/** How engines and people name each field; the earliest mention in a text wins. */
const FIELD_WORDS: ReadonlyArray<readonly [RecordField, RegExp]> = [
  ['external_id', /\b(?:external[\s_-]*id(?:entifier)?|employee[\s_-]*(?:id|number)|employee[\s_-]*identifier)\b/iu],
  ['first_name', /\b(?:first[\s_-]*name|given[\s_-]*name|fore[\s_-]*name)s?\b/iu],
  ['last_name', /\b(?:last[\s_-]*name|sur[\s_-]*name|family[\s_-]*name)s?\b/iu],
  ['email', /\be[\s_-]?mail(?:[\s_-]*address)?(?:es|s)?\b/iu],
  ['date_of_birth', /\b(?:date[\s_-]*of[\s_-]*birth|birth[\s_-]*date|birthday|dob)\b/iu],
  ['start_date', /\b(?:start[\s_-]*date|hire[\s_-]*date|employment[\s_-]*start)\b/iu],
  ['end_date', /\b(?:end[\s_-]*date|termination[\s_-]*date|leaving[\s_-]*date)\b/iu],
  ['job_title', /\b(?:job[\s_-]*(?:title|role)s?|position|title)\b/iu],
  ['department', /\b(?:departments?|depts?)\b/iu],
  ['branch', /\b(?:branch(?:es)?|business[\s_-]*units?|locations?|sites?|venues?)\b/iu],
];

const EMAIL_ADDRESS = /[^@\s'"]+@[^@\s'"]+\.[^@\s'"]+/u;
const ARCHIVED = /\barchived\b/iu;
const IN_USE = /\balready\s+(?:in\s+use|exists?|taken|registered|used|assigned)\b|\bin\s+use\b|\bis\s+taken\b|\bnot\s+unique\b|\bduplicated?\b/iu;
const REQUIRED =
  /\brequired\b|\bmandatory\b|\b(?:cannot|can't|can\s+not|must\s+not|may\s+not)\s+be\s+(?:empty|blank|null)\b|\b(?:is|are|was|were)\s+(?:empty|blank)\b|\bnot\s+provided\b|\bno\s+value\b/iu;
const NOT_FOUND = new RegExp(
  [
    // The auxiliary belongs to the phrase, so that the value before it ends where it starts.
    String.raw`\b(?:(?:does|do|did|is|was|were|are|has|have|had|could|can|will|may)\s+)?not\s+(?:be\s+)?(?:exist|found)\b`,
    String.raw`\b\w+n't\s+(?:be\s+)?(?:exist|found)\b`,
    String.raw`\b(?:could\s*not|couldn't|cannot|can't|unable\s+to|failed\s+to)\s+(?:be\s+)?(?:map|find|found|resolve|match)\w*`,
    String.raw`\bno\s+such\b`,
    String.raw`\bnot\s+recogni[sz]ed\b`,
    String.raw`\bno\s+match`,
    String.raw`\bunknown\b(?=\s+(?:job|dep|branch|business|location|site|venue|position|title))`,
  ].join('|'),
  'iu',
);
const MISSING = /\bis\s+missing\b|\bmissing\s+(?:required\s+)?(?:value|field|attribute)s?\b|^\s*missing\b/iu;
const INVALID =
  /\bvalidation\s+failed\b|\bfailed\s+validation\b|\binvalid\b|\bnot\s+(?:a\s+)?valid\b|\bmalformed\b|\b(?:bad|wrong)\s+format\b|\bbadly\s+formed\b/iu;

interface Clause {
  /** The clause as written. */
  text: string;
  /** The clause with quoted contents blanked, so a quoted value cannot pass for a keyword. */
  masked: string;
}

/** Splits a text into clauses at commas, semicolons and sentence ends outside quotes. */
function clausesOf(text: string): Clause[] {
  const masked = text.replace(QUOTED_STRETCH, (quoted) => quoted[0] + ' '.repeat(quoted.length - 2) + quoted[quoted.length - 1]);
  const clauses: Clause[] = [];
  const separator = /[,;]|\.(?=\s|$)/gu;
  let start = 0;
  for (const match of masked.matchAll(separator)) {
    const end = match.index as number;
    clauses.push({ text: text.slice(start, end), masked: masked.slice(start, end) });
    start = end + 1;
  }
  clauses.push({ text: text.slice(start), masked: masked.slice(start) });
  return clauses;
}

/** The field named earliest in a text, if any. */
function fieldMentioned(text: string, among: readonly RecordField[] | null = null): RecordField | null {
  let best: RecordField | null = null;
  let bestIndex = Infinity;
  for (const [field, pattern] of FIELD_WORDS) {
    if (among && !among.includes(field)) continue;
    const match = pattern.exec(text);
    if (match && match.index < bestIndex) {
      bestIndex = match.index;
      best = field;
    }
  }
  return best;
}

/** A field name as an engine writes it ("job_title", "Job title", "Business Unit") as ours. */
export function fieldFromName(name: string | null | undefined): RecordField | null {
  if (typeof name !== 'string') return null;
  const snake = name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/gu, '_');
  if (snake === 'external_id' || (EMPLOYEE_ATTRIBUTES as readonly string[]).includes(snake)) return snake as RecordField;
  return fieldMentioned(name);
}

function isCatalogAttribute(field: RecordField | null): field is CatalogAttribute {
  return field !== null && field in CATALOG_LIST_OF;
}

const CATALOG_FIELDS = Object.keys(CATALOG_LIST_OF) as RecordField[];

function firstQuoted(text: string): string | null {
  const match = text.match(QUOTED_STRETCH)?.[0];
  return match === undefined ? null : match.slice(1, -1);
}

/** The value a "not found" clause names: quoted, or written after "with name" / "with Feed id". */
function valueNamedIn(clause: Clause, phraseIndex: number): string | null {
  const quoted = firstQuoted(clause.text);
  if (quoted !== null) return quoted;
  const before = clause.text.slice(0, phraseIndex);
  const named = /\bwith\s+(?:name|feed\s+id|id|code|value)\s/iu.exec(before);
  if (!named) return null;
  // The engine writes "with name {value} does not exist": drop the one separating space.
  const value = before.slice(named.index + named[0].length).replace(/ $/u, '');
  return value.length > 0 ? value : null;
}

/** The archived field's name: quoted, or the words before "is archived". */
function archivedName(clause: Clause): string | null {
  const quoted = firstQuoted(clause.text);
  if (quoted !== null) return quoted;
  const match = /^\s*(?:the\s+)?(?:(?:mandatory\s+)?field\s+)?(.+?)\s+(?:is|was|has\s+been|are|have\s+been)\s+archived\b/iu.exec(clause.text);
  return match?.[1] ?? null;
}

function findClause(clauses: readonly Clause[], pattern: RegExp): { clause: Clause; index: number } | null {
  for (const clause of clauses) {
    const match = pattern.exec(clause.masked);
    if (match) return { clause, index: match.index };
  }
  return null;
}

function readText(text: string, givenField: RecordField | null): EngineFinding | null {
  const clauses = clausesOf(text);
  const archived = findClause(clauses, ARCHIVED);
  if (archived) {
    const name = archivedName(archived.clause);
    const field = givenField ?? (name !== null ? fieldMentioned(name) : null) ?? fieldMentioned(archived.clause.masked);
    return { code: 'archived_mandatory_field', field, value: name };
  }

  const inUse = findClause(clauses, IN_USE);
  if (inUse) {
    const about = inUse.clause.text;
    if (givenField === 'email' || fieldMentioned(about, ['email']) || EMAIL_ADDRESS.test(about)) {
      return { code: 'email_in_use', field: 'email', value: null };
    }
    if (givenField === 'external_id' || fieldMentioned(about, ['external_id'])) {
      return { code: 'duplicate_external_id', field: 'external_id', value: null };
    }
  }

  const required = findClause(clauses, REQUIRED);
  if (required) {
    const field = givenField ?? fieldMentioned(required.clause.text) ?? fieldMentioned(text);
    if (field) return { code: 'missing_required_field', field, value: null };
  }

  const notFound = findClause(clauses, NOT_FOUND);
  if (notFound) {
    const field = isCatalogAttribute(givenField)
      ? givenField
      : (fieldMentioned(notFound.clause.masked, CATALOG_FIELDS) ?? fieldMentioned(text.replace(QUOTED_STRETCH, ' '), CATALOG_FIELDS));
    if (isCatalogAttribute(field)) {
      return { code: MISMATCH_CODE_OF[field], field, value: valueNamedIn(notFound.clause, notFound.index) };
    }
  }

  const missing = findClause(clauses, MISSING);
  if (missing) {
    const field = givenField ?? fieldMentioned(missing.clause.text) ?? fieldMentioned(text);
    if (field) return { code: 'missing_required_field', field, value: null };
  }

  const invalid = findClause(clauses, INVALID);
  if (invalid) {
    const field = givenField ?? fieldMentioned(invalid.clause.text) ?? fieldMentioned(text);
    if (isCatalogAttribute(field)) {
      return { code: MISMATCH_CODE_OF[field], field, value: firstQuoted(invalid.clause.text) };
    }
    if (field) return { code: 'invalid_value', field, value: null };
  }
  return null;
}

/**
 * What one engine message says, or null when it says nothing we classify. A known engine
 * code decides the code (its text then only helps find the field); an unknown code adds
 * nothing by itself, but its text is still read, since the wording may be recognisable.
 */
export function readEngineMessage(message: EngineMessage): EngineFinding | null {
  const text = typeof message.text === 'string' ? message.text : '';
  const givenField = fieldFromName(message.field);
  const engineCode = typeof message.code === 'string' ? message.code.trim().toUpperCase() : '';
  const known = ENGINE_CODES.get(engineCode);
  if (known) {
    const fromText = text ? readText(text, null) : null;
    const field = known.field ?? givenField ?? fromText?.field ?? (text ? fieldMentioned(text) : null);
    const value = fromText && fromText.code === known.code ? fromText.value : null;
    return { code: known.code, field, value };
  }
  return text ? readText(text, givenField) : null;
}
