/**
 * Turns the OpenAPI document into the plain rows the reference page prints:
 * the page is written from the document, so it cannot drift from it.
 */
import { OPENAPI_PATH } from './openapi-document.js';
import type { HttpMethod, JsonSchema, OpenApiDocument, Operation, Response } from '../http/openapi-types.js';

export interface FieldRow {
  name: string;
  location?: string;
  required: boolean;
  type: string;
  typeRef?: string;
  constraints: string[];
  description: string;
}

export interface ResponseRow {
  status: string;
  description: string;
  contentType: string;
  schema?: string;
  headers: string[];
}

export interface OperationView {
  anchor: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  tag: string;
  auth: string;
  parameters: FieldRow[];
  body?: { contentType: string; schema: string; description: string };
  responses: ResponseRow[];
}

export interface SchemaView {
  name: string;
  anchor: string;
  description: string;
  fields: FieldRow[];
  extra: string[];
}

export interface ReferenceView {
  title: string;
  version: string;
  description: string;
  openapiPath: string;
  security: { name: string; description: string }[];
  operations: OperationView[];
  schemas: SchemaView[];
}

const METHODS: HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];
const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);
export const schemaAnchor = (name: string) => `schema-${name}`;

/** A short human type: `string (date-time)`, `integer`, `array of ClassifiedError`, `string | null`. */
export function typeOf(schema: JsonSchema | undefined): { text: string; ref?: string } {
  if (!schema) return { text: 'any' };
  if (typeof schema.$ref === 'string') return { text: refName(schema.$ref), ref: refName(schema.$ref) };
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const parts = ((schema.anyOf ?? schema.oneOf) as JsonSchema[]).map((part) => typeOf(part));
    return { text: parts.map((part) => part.text).join(' | '), ref: parts.find((part) => part.ref)?.ref };
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  const base = types.map((type) => {
    if (type === 'array') {
      const items = typeOf(schema.items as JsonSchema | undefined);
      return `array of ${items.text}`;
    }
    if (type === 'object' && schema.propertyNames && schema.additionalProperties) {
      return `map of ${typeOf(schema.additionalProperties as JsonSchema).text}`;
    }
    return type === 'string' && typeof schema.format === 'string' ? `string (${schema.format})` : type;
  });
  const itemsRef = schema.type === 'array' ? typeOf(schema.items as JsonSchema | undefined).ref : undefined;
  return { text: base.length > 0 ? base.join(' | ') : 'any', ref: itemsRef };
}

const BIG = Number.MAX_SAFE_INTEGER;

/** Constraints worth printing: enums, bounds, lengths, defaults, constants. */
export function constraintsOf(schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  const out: string[] = [];
  const literal = (value: unknown) => JSON.stringify(value);
  if (Array.isArray(schema.enum)) out.push(`one of: ${(schema.enum as unknown[]).map(String).join(', ')}`);
  if ('const' in schema) out.push(`exactly ${literal(schema.const)}`);
  if (typeof schema.minimum === 'number') out.push(`≥ ${schema.minimum}`);
  if (typeof schema.exclusiveMinimum === 'number') out.push(`> ${schema.exclusiveMinimum}`);
  if (typeof schema.maximum === 'number' && schema.maximum !== BIG) out.push(`≤ ${schema.maximum}`);
  if (typeof schema.exclusiveMaximum === 'number') out.push(`< ${schema.exclusiveMaximum}`);
  if (typeof schema.minLength === 'number') out.push(`length ≥ ${schema.minLength}`);
  if (typeof schema.maxLength === 'number') out.push(`length ≤ ${schema.maxLength}`);
  if (typeof schema.pattern === 'string') out.push(`pattern ${schema.pattern}`);
  if (schema.propertyNames && Array.isArray((schema.propertyNames as JsonSchema).enum)) {
    out.push(`keys: ${((schema.propertyNames as JsonSchema).enum as unknown[]).map(String).join(', ')}`);
  }
  if ('default' in schema) out.push(`default ${literal(schema.default)}`);
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) for (const part of schema[key] as JsonSchema[]) out.push(...constraintsOf(part));
  }
  if (schema.type === 'array' && schema.items && !(schema.items as JsonSchema).$ref)
    out.push(...constraintsOf(schema.items as JsonSchema).map((c) => `items: ${c}`));
  return out;
}

function fieldsOf(schema: JsonSchema): FieldRow[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => {
    const type = typeOf(property);
    return {
      name,
      required: required.has(name),
      type: type.text,
      ...(type.ref ? { typeRef: schemaAnchor(type.ref) } : {}),
      constraints: constraintsOf(property),
      description: typeof property.description === 'string' ? property.description : '',
    };
  });
}

function resolveResponse(document: OpenApiDocument, response: Response | { $ref: string }): Response {
  if ('$ref' in response) {
    const resolved = document.components.responses[refName(response.$ref)];
    if (!resolved) throw new Error(`Unresolved response ${response.$ref}`);
    return resolved;
  }
  return response;
}

function authOf(document: OpenApiDocument, operation: Operation): string {
  if (operation.security.length === 0) return 'None: public.';
  return operation.security
    .flatMap((requirement) => Object.keys(requirement))
    .map((name) => {
      const scheme = document.components.securitySchemes[name];
      return `\`${name}\` (${scheme ? `${scheme.type} ${scheme.scheme}` : 'unknown scheme'})`;
    })
    .join(' or ');
}

export function referenceView(document: OpenApiDocument): ReferenceView {
  const operations: OperationView[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const media = operation.requestBody ? Object.entries(operation.requestBody.content)[0] : undefined;
      operations.push({
        anchor: `op-${operation.operationId}`,
        method: method.toUpperCase(),
        path,
        summary: operation.summary,
        description: operation.description ?? '',
        tag: operation.tags[0] ?? '',
        auth: authOf(document, operation),
        parameters: (operation.parameters ?? []).map((parameter) => {
          const type = typeOf(parameter.schema);
          return {
            name: parameter.name,
            location: parameter.in,
            required: parameter.required,
            type: type.text,
            constraints: constraintsOf(parameter.schema),
            description: parameter.description ?? '',
          };
        }),
        ...(media && operation.requestBody
          ? { body: { contentType: media[0], schema: typeOf(media[1].schema).text, description: operation.requestBody.description ?? '' } }
          : {}),
        responses: Object.entries(operation.responses)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([status, raw]) => {
            const response = resolveResponse(document, raw);
            const content = Object.entries(response.content ?? {})[0];
            const schema = content ? typeOf(content[1].schema) : undefined;
            return {
              status,
              description: response.description,
              contentType: content?.[0] ?? '',
              ...(schema?.ref ? { schema: schema.ref } : {}),
              headers: Object.keys(response.headers ?? {}),
            };
          }),
      });
    }
  }
  const schemas = Object.entries(document.components.schemas).map(([name, schema]) => ({
    name,
    anchor: schemaAnchor(name),
    description: typeof schema.description === 'string' ? schema.description : '',
    fields: fieldsOf(schema),
    extra: schema.additionalProperties && typeof schema.additionalProperties === 'object' && !schema.propertyNames ? ['Unknown keys are allowed.'] : [],
  }));
  return {
    title: document.info.title,
    version: document.info.version,
    description: document.info.description,
    openapiPath: OPENAPI_PATH,
    security: Object.entries(document.components.securitySchemes).map(([name, scheme]) => ({ name, description: scheme.description })),
    operations,
    schemas,
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Escapes text, then turns the document's `backticked` spans into <code>: the only markup descriptions use. */
export function inlineCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}
