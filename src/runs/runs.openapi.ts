/** The sync-run reads in the OpenAPI document, their filters described by the very schema that validates them. */
import { idParam } from '../http/query.js';
import { API_TOKEN, inputSchema, json, jsonOrCsv, problem, queryParameters, readErrors } from '../http/openapi-parts.js';
import type { ApiPart } from '../http/openapi-types.js';
import { runFiltersSchema } from './runs.schemas.js';

const FILTER_DESCRIPTIONS = {
  format: '`csv` for every run of the list as a CSV file (one row per run, a column per outcome and per error code).',
  status: 'Only this status.',
  trigger: 'Only runs started this way.',
  run_id: "Only the run with this id of the engine's.",
};

export const runsApi: ApiPart = {
  tag: { name: 'Sync runs', description: 'Stored runs.' },
  paths: () => ({
    '/api/v1/sync-runs': {
      get: {
        operationId: 'listSyncRuns',
        summary: 'List sync runs',
        description: 'Runs of the organisations the token can see, newest first.',
        tags: ['Sync runs'],
        security: API_TOKEN,
        parameters: queryParameters(runFiltersSchema, FILTER_DESCRIPTIONS),
        responses: { '200': jsonOrCsv('SyncRunPage', 'A page of runs.'), ...readErrors },
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
  }),
};
