/**
 * The pieces every feature's part of the OpenAPI document is written with:
 * security, zod to JSON Schema, query parameters from a zod object, and the
 * shared responses (defined once in openapi-document.ts, referenced here).
 */
import { z } from 'zod';
import type { JsonSchema, Parameter, Response } from './openapi-types.js';

export const API_TOKEN = [{ apiToken: [] }];
export const INGEST_TOKEN = [{ ingestToken: [] }];
export const PUBLIC: Record<string, string[]>[] = [];

/**
 * zod's JSON Schema, made fit for an OpenAPI component or parameter: no `$schema`
 * or `$id` (a fragment `$id` is not allowed in 2020-12), and no 300-character
 * pattern next to `format: date-time`, which says the same.
 */
export function tidy(schema: unknown, top = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => tidy(item, false));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (top && (key === '$schema' || key === '$id')) continue;
    if (key === 'pattern' && (schema as JsonSchema).format === 'date-time') continue;
    out[key] = tidy(value, false);
  }
  return out;
}

/** Requests are validated as input (before coercion and transforms); ids and timestamps are strings in the query string. */
export const inputSchema = (schema: z.ZodType): JsonSchema => tidy(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) as JsonSchema;

/** Descriptions of the query parameters that several lists share; a feature passes its own (which win) for the rest. */
const COMMON_DESCRIPTIONS: Record<string, string> = {
  integration: 'Only this integration (its numeric id).',
  from: 'Only runs started at or after this time (RFC 3339).',
  to: 'Only runs started before this time (RFC 3339).',
  limit: 'Items per page.',
  cursor: 'The `next_cursor` of the previous page, unchanged.',
};

/** One query parameter per property of the zod object that validates the query string. */
export function queryParameters(schema: z.ZodObject, descriptions: Record<string, string> = {}): Parameter[] {
  const json = inputSchema(schema);
  const required = new Set((json.required as string[] | undefined) ?? []);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).map(([name, property]) => {
    const { description: fromSchema, ...rest } = property;
    const description = (fromSchema as string | undefined) ?? descriptions[name] ?? COMMON_DESCRIPTIONS[name];
    return { name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schemaName: string, description: string): Response => ({ description, content: { 'application/json': { schema: ref(schemaName) } } });
export const problem = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** What any read of the API can answer besides its data. */
export const readErrors = {
  '400': problem('BadRequest'),
  '401': problem('Unauthorized'),
  '403': problem('ForbiddenIngestToken'),
  '503': problem('ServiceUnavailable'),
};

export function problemResponse(description: string, headers?: Response['headers']): Response {
  return { description, ...(headers ? { headers } : {}), content: { 'application/problem+json': { schema: ref('Problem') } } };
}

export const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } } };

/** A list that answers JSON, or with `format=csv` the same list as a CSV download (formula cells neutralised). */
export const jsonOrCsv = (schemaName: string, description: string): Response => ({
  description: `${description} With \`format=csv\`, the same list (every page, the same filters) as a CSV file.`,
  content: { 'application/json': { schema: ref(schemaName) }, 'text/csv': { schema: { type: 'string' } } },
});
