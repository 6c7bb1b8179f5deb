/**
 * What an engine's own message says, as one of our codes: by its engine code (the table of
 * error-codes.md), or, for engines that send only text, by the grammar of engine-grammar.ts,
 * which recognises wordings in general rather than particular sentences.
 *
 * A known engine code decides the code; its text then only helps find the field and the
 * value. An unknown engine code adds nothing by itself, and its text is read like that of
 * an engine that sends only text (error-codes.md says so).
 *
 * Most records carry no message, and the messages of a run repeat the same few sentences,
 * so readings are memoised by message (a bounded cache, emptied when full).
 */
import type { ErrorCode } from './error-enums.js';
import type { RecordField } from './feed-enums.js';
import type { EngineMessage } from './types.js';
import { type EngineFinding, fieldNamed, firstFieldIn, readEngineText } from './engine-grammar.js';

export type { EngineFinding } from './engine-grammar.js';

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

/** A field name as an engine writes it ("job_title", "Job title", "Business Unit") as ours. */
export function fieldFromName(name: string | null | undefined): RecordField | null {
  return typeof name === 'string' ? fieldNamed(name) : null;
}

function readUncached(message: EngineMessage): EngineFinding | null {
  const text = typeof message.text === 'string' ? message.text : '';
  const givenField = fieldFromName(message.field);
  const engineCode = typeof message.code === 'string' ? message.code.trim().toUpperCase() : '';
  const known = ENGINE_CODES.get(engineCode);
  if (known) {
    const fromText = text ? readEngineText(text, null) : null;
    const field = known.field ?? givenField ?? fromText?.field ?? (text ? firstFieldIn(text) : null);
    const value = fromText && fromText.code === known.code ? fromText.value : null;
    return { code: known.code, field, value };
  }
  return text ? readEngineText(text, givenField) : null;
}

const CACHE_LIMIT = 4096;
const cache = new Map<string, EngineFinding | null>();

/** What one engine message says, or null when it says nothing we classify. Do not modify the result: it is shared. */
export function readEngineMessage(message: EngineMessage): EngineFinding | null {
  const key = `${message.code ?? ''}\u0000${message.field ?? ''}\u0000${message.text ?? ''}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const finding = readUncached(message);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, finding === null ? null : Object.freeze(finding));
  return finding;
}
