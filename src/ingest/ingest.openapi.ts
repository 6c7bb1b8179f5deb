/** The ingest endpoint in the OpenAPI document, its body described by the very schema that validates it. */
import { INGEST_TOKEN, inputSchema, json, problem, problemResponse, ref, retryAfter } from '../http/openapi-parts.js';
import type { ApiPart } from '../http/openapi-types.js';
import { feedRunSchema } from './feed.schema.js';

export const ingestApi: ApiPart = {
  tag: { name: 'Ingest', description: 'What sync engines post (feed-format.md).' },
  schemas: () => ({
    FeedRun: {
      ...inputSchema(feedRunSchema),
      description: 'One sync run as the engine sends it (feed-format.md). Unknown keys are kept at every level. `finished_at` must not be before `started_at`.',
    },
  }),
  paths: () => ({
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
    },
  }),
};
