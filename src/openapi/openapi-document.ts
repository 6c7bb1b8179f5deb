/**
 * The OpenAPI 3.1 document of the JSON API, generated from the very zod schemas
 * that validate the requests (query filters, path ids, the ingest body) plus the
 * response schemas of response-schemas.ts. Built once, on first use.
 */
import { z } from 'zod';
import { employeeQuerySchema } from '../employees/employees.schemas.js';
import { groupFiltersSchema, groupStatusChangeSchema } from '../groups/groups.schemas.js';
import { idParam } from '../http/query.js';
import { feedRunSchema } from '../ingest/feed.schema.js';
import { recordFiltersSchema } from '../records/records.schemas.js';
import { runFiltersSchema } from '../runs/runs.schemas.js';
import { RESPONSE_SCHEMAS } from './response-schemas.js';

export type JsonSchema = { [key: string]: unknown };

export interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaType {
  schema: JsonSchema;
}

export interface Response {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, Response | { $ref: string }>;
}

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type PathItem = Partial<Record<HttpMethod, Operation>>;

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItem>;
  components: {
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, Response>;
  };
}

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const DOCS_PATH = '/api/docs';

const API_TOKEN = [{ apiToken: [] }];
const INGEST_TOKEN = [{ ingestToken: [] }];
const PUBLIC: Record<string, string[]>[] = [];

/**
 * zod's JSON Schema, made fit for an OpenAPI component or parameter: no `$schema`
 * or `$id` (a fragment `$id` is not allowed in 2020-12), and no 300-character
 * pattern next to `format: date-time`, which says the same.
 */
function tidy(schema: unknown, top = true): unknown {
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
const inputSchema = (schema: z.ZodType): JsonSchema => tidy(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) as JsonSchema;

const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  integration: 'Only this integration (its numeric id).',
  status: 'Only this status.',
  trigger: 'Only runs started this way.',
  from: 'Only runs started at or after this time (RFC 3339).',
  to: 'Only runs started before this time (RFC 3339).',
  run_id: "Only the run with this id of the engine's.",
  run: 'Only records of this run (our id, as in `id` of a sync run).',
  external_id: "Only records of the employee with this source id.",
  email: 'Only records with this email (case-insensitive).',
  q: 'Name, email or external id contains this (case-insensitive).',
  code: 'Only errors with this code (error-codes.md).',
  severity: 'Only records with an error of this severity.',
  outcome: "Only records with this engine outcome.",
  field: 'Only records with an error on this field.',
  limit: 'Items per page.',
  cursor: 'The `next_cursor` of the previous page, unchanged.',
};

const DESCRIPTION_OVERRIDES: Record<string, Record<string, string>> = {
  listErrorGroups: { status: 'Only groups with this status.', code: 'Only groups of this code.' },
  getEmployee: { integration: 'Only this integration (its numeric id); all of them otherwise.' },
};

/** One query parameter per property of the zod object that validates the query string. */
function queryParameters(operationId: string, schema: z.ZodObject): Parameter[] {
  const json = inputSchema(schema);
  const required = new Set((json.required as string[] | undefined) ?? []);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).map(([name, property]) => {
    const { description: fromSchema, ...rest } = property;
    const description = (fromSchema as string | undefined) ?? DESCRIPTION_OVERRIDES[operationId]?.[name] ?? PARAMETER_DESCRIPTIONS[name];
    return { name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schemaName: string, description: string): Response => ({ description, content: { 'application/json': { schema: ref(schemaName) } } });
const problem = (name: string) => ({ $ref: `#/components/responses/${name}` });

const readErrors = {
  '400': problem('BadRequest'),
  '401': problem('Unauthorized'),
  '403': problem('ForbiddenIngestToken'),
  '503': problem('ServiceUnavailable'),
};

function problemResponse(description: string, headers?: Response['headers']): Response {
  return { description, ...(headers ? { headers } : {}), content: { 'application/problem+json': { schema: ref('Problem') } } };
}

function build(): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {};
  // Response schemas go through a registry so that shared pieces become $refs between components.
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(RESPONSE_SCHEMAS)) registry.add(schema, { id: name });
  const converted = z.toJSONSchema(registry, { io: 'output', uri: (id) => `#/components/schemas/${id}` });
  for (const [name, schema] of Object.entries(converted.schemas)) schemas[name] = tidy(schema) as JsonSchema;
  schemas.FeedRun = {
    ...inputSchema(feedRunSchema),
    description: 'One sync run as the engine sends it (feed-format.md). Unknown keys are kept at every level. `finished_at` must not be before `started_at`.',
  };

  const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } } };
  const wwwAuthenticate = { 'WWW-Authenticate': { description: 'The bearer challenge.', schema: { type: 'string' } } };

  const groupIdParameter: Parameter = { name: 'id', in: 'path', required: true, description: 'The id of the group (`id` of a list item).', schema: inputSchema(idParam) };

  const paths: Record<string, PathItem> = {
    '/api/v1/sync-runs': {
      post: {
        operationId: 'ingestSyncRun',
        summary: 'Send one sync run (ingest)',
        description:
          'The sync engine posts one run after each sync. Stored whole or not at all; a retry with an identical body answers 200 and stores nothing twice. The body may be gzip-compressed (`Content-Encoding: gzip`).',
        tags: ['Ingest'],
        security: INGEST_TOKEN,
        requestBody: { required: true, description: 'The run.', content: { 'application/json': { schema: ref('FeedRun') } } },
        responses: {
          '201': json('RunSummary', 'The run was new and is stored.'),
          '200': json('RunSummary', 'The same run_id was already stored with an identical body; nothing was stored again.'),
          '400': problem('BadRequest'),
          '401': problem('Unauthorized'),
          '403': problem('ForbiddenApiToken'),
          '409': problemResponse('The run_id is already stored with a different body.'),
          '413': problemResponse('The body, or its number of records, is over the limit.'),
          '415': problemResponse('The body is not JSON, or its encoding or charset is not supported.'),
          '429': problemResponse('Too many posts with this token this minute.', retryAfter),
          '503': problem('ServiceUnavailable'),
        },
      },
      get: {
        operationId: 'listSyncRuns',
        summary: 'List sync runs',
        description: 'Runs of the organisations the token can see, newest first.',
        tags: ['Sync runs'],
        security: API_TOKEN,
        parameters: queryParameters('listSyncRuns', runFiltersSchema),
        responses: { '200': json('SyncRunPage', 'A page of runs.'), ...readErrors },
      },
    },
    '/api/v1/sync-runs/{id}': {
      get: {
        operationId: 'getSyncRun',
        summary: 'Get one sync run',
        description: 'One run with its run-level errors.',
        tags: ['Sync runs'],
        security: API_TOKEN,
        parameters: [{ name: 'id', in: 'path', required: true, description: 'Our id of the run (`id` of a list item).', schema: inputSchema(idParam) }],
        responses: {
          '200': json('RunDetail', 'The run.'),
          '401': problem('Unauthorized'),
          '403': problem('ForbiddenIngestToken'),
          '404': problem('NotFound'),
          '503': problem('ServiceUnavailable'),
        },
      },
    },
    '/api/v1/records': {
      get: {
        operationId: 'listRecords',
        summary: 'List feed-log records',
        description: 'Records of every run, with their classified errors, newest first.',
        tags: ['Records'],
        security: API_TOKEN,
        parameters: queryParameters('listRecords', recordFiltersSchema),
        responses: { '200': json('FeedRecordPage', 'A page of records.'), ...readErrors },
      },
    },
    '/api/v1/employees/{external_id}': {
      get: {
        operationId: 'getEmployee',
        summary: "Get an employee's state and history",
        description: "The employee's last known state per integration, and a page of their records across runs, newest first.",
        tags: ['Employees'],
        security: API_TOKEN,
        parameters: [
          { name: 'external_id', in: 'path', required: true, description: "The source system's id of the employee.", schema: inputSchema(z.string().min(1)) },
          ...queryParameters('getEmployee', employeeQuerySchema),
        ],
        responses: { '200': json('Employee', 'The employee.'), ...readErrors, '404': problem('NotFound') },
      },
    },
    '/api/v1/error-groups': {
      get: {
        operationId: 'listErrorGroups',
        summary: 'List error groups',
        description: 'Errors grouped by code, field, value key or text fingerprint, most recently seen first.',
        tags: ['Error groups'],
        security: API_TOKEN,
        parameters: queryParameters('listErrorGroups', groupFiltersSchema),
        responses: { '200': json('ErrorGroupPage', 'A page of error groups.'), ...readErrors },
      },
    },
    '/api/v1/error-groups/{id}': {
      get: {
        operationId: 'getErrorGroup',
        summary: 'Get one error group',
        tags: ['Error groups'],
        security: API_TOKEN,
        parameters: [groupIdParameter],
        responses: {
          '200': json('ErrorGroup', 'The group.'),
          '401': problem('Unauthorized'),
          '403': problem('ForbiddenIngestToken'),
          '404': problem('NotFound'),
          '503': problem('ServiceUnavailable'),
        },
      },
      patch: {
        operationId: 'setErrorGroupStatus',
        summary: 'Resolve, ignore or reopen an error group',
        description:
          "Only an admin of the group's organisation may change it; ops and support may read it (403). The change is written to the audit log. `regressed` is set by runs only.",
        tags: ['Error groups'],
        security: API_TOKEN,
        parameters: [groupIdParameter],
        requestBody: { required: true, description: 'The new status.', content: { 'application/json': { schema: inputSchema(groupStatusChangeSchema) } } },
        responses: {
          '200': json('ErrorGroup', 'The group, with its new status.'),
          '400': problem('BadRequest'),
          '401': problem('Unauthorized'),
          '403': problemResponse('An ingest token was used, or the user is not an admin of the group\'s organisation.'),
          '404': problem('NotFound'),
          '503': problem('ServiceUnavailable'),
        },
      },
    },
    [OPENAPI_PATH]: {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This OpenAPI document',
        description: 'Public: it holds no data.',
        tags: ['Meta'],
        security: PUBLIC,
        responses: { '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'feedlog API',
      version: '1',
      description:
        'Ingest of sync-run feed logs, and read access to runs, records, employees and error groups. Lists are newest first, paginated with `limit` and an opaque `cursor`; times are RFC 3339 UTC. Errors are RFC 9457 problem documents. Another organisation\'s object answers 404, as if it did not exist.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'Ingest', description: 'What sync engines post (feed-format.md).' },
      { name: 'Sync runs', description: 'Stored runs.' },
      { name: 'Records', description: 'Feed-log records and their errors.' },
      { name: 'Employees', description: 'One employee across runs.' },
      { name: 'Error groups', description: 'Errors grouped across runs.' },
      { name: 'Meta', description: 'About the API itself.' },
    ],
    paths,
    components: {
      securitySchemes: {
        ingestToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An ingest token (`fl_ing_...`) of one integration: it can post runs and nothing else.',
        },
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: "A user's API token (`fl_api_...`): it reads what its user can see and cannot ingest.",
        },
      },
      schemas,
      responses: {
        BadRequest: problemResponse('Invalid input; `errors` lists every invalid path with its message.'),
        Unauthorized: problemResponse('No valid token.', wwwAuthenticate),
        ForbiddenIngestToken: problemResponse('An ingest token was used to read: use an API token.'),
        ForbiddenApiToken: problemResponse("An API token was used to ingest: use the integration's ingest token."),
        NotFound: problemResponse('No such object, or it belongs to an organisation the token cannot see.'),
        ServiceUnavailable: problemResponse('The database is unavailable; nothing was stored. Retry later.', retryAfter),
      },
    },
  };
}

let cached: OpenApiDocument | undefined;

/** The document, built on first call and shared afterwards (treat it as read-only). */
export function buildOpenApiDocument(): OpenApiDocument {
  cached ??= deepFreeze(build());
  return cached;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
