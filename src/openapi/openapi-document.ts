/**
 * The OpenAPI 3.1 document of the JSON API, generated from the very zod schemas
 * that validate the requests (query filters, path ids, the ingest body) plus the
 * response schemas of response-schemas.ts. Each feature describes its own
 * endpoints in `<feature>.openapi.ts`, next to its schemas; this file puts them
 * together with what they share. Built once, on first use.
 */
import { z } from 'zod';
import { driftApi } from '../drift/drift.openapi.js';
import { employeesApi } from '../employees/employees.openapi.js';
import { eventsApi } from '../events/events.openapi.js';
import { groupsApi } from '../groups/groups.openapi.js';
import { ingestApi } from '../ingest/ingest.openapi.js';
import { recordsApi } from '../records/records.openapi.js';
import { runsApi } from '../runs/runs.openapi.js';
import { overviewApi } from '../overview/overview.openapi.js';
import { trendsApi } from '../trends/trends.openapi.js';
import { preferencesApi } from '../notifications/preferences.openapi.js';
import { problemResponse, PUBLIC, retryAfter, tidy } from '../http/openapi-parts.js';
import type { ApiPart, JsonSchema, OpenApiDocument, PathItem } from '../http/openapi-types.js';
import { RESPONSE_SCHEMAS } from './response-schemas.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const DOCS_PATH = '/api/docs';

const metaApi: ApiPart = {
  tag: { name: 'Meta', description: 'About the API itself.' },
  paths: () => ({
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
  }),
};

/** In this order: the tags, and the paths, are listed as the features come here. */
const PARTS: ApiPart[] = [ingestApi, runsApi, recordsApi, employeesApi, groupsApi, driftApi, overviewApi, trendsApi, eventsApi, preferencesApi, metaApi];

function build(): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = {};
  // Response schemas go through a registry so that shared pieces become $refs between components.
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(RESPONSE_SCHEMAS)) registry.add(schema, { id: name });
  const converted = z.toJSONSchema(registry, { io: 'output', uri: (id) => `#/components/schemas/${id}` });
  for (const [name, schema] of Object.entries(converted.schemas)) schemas[name] = tidy(schema) as JsonSchema;

  const paths: Record<string, PathItem> = {};
  for (const part of PARTS) {
    Object.assign(schemas, part.schemas?.());
    // Two features may share a path (ingest posts to the runs list): their methods are merged.
    for (const [path, item] of Object.entries(part.paths())) paths[path] = { ...paths[path], ...item };
  }

  const wwwAuthenticate = { 'WWW-Authenticate': { description: 'The bearer challenge.', schema: { type: 'string' } } };

  return {
    openapi: '3.1.0',
    info: {
      title: 'feedlog API',
      version: '1',
      description:
        "Ingest of sync-run feed logs, and read access to runs, records, employees and error groups. Lists are newest first, paginated with `limit` and an opaque `cursor`; times are RFC 3339 UTC. Errors are RFC 9457 problem documents. Another organisation's object answers 404, as if it did not exist.",
    },
    servers: [{ url: '/' }],
    tags: PARTS.map((part) => part.tag),
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
