/** The records list in the OpenAPI document, its filters described by the very schema that validates them. */
import { API_TOKEN, jsonOrCsv, queryParameters, readErrors } from '../http/openapi-parts.js';
import type { ApiPart } from '../http/openapi-types.js';
import { recordFiltersSchema } from './records.schemas.js';

const FILTER_DESCRIPTIONS = {
  format: '`csv` for every record of the list as a CSV file (one row per record, its error codes and values joined by `; `).',
  run: 'Only records of this run (our id, as in `id` of a sync run).',
  external_id: 'Only records of the employee with this source id.',
  email: 'Only records with this email (case-insensitive).',
  q: 'Name, email or external id contains this (case-insensitive).',
  code: 'Only errors with this code (error-codes.md).',
  severity: 'Only records with an error of this severity.',
  outcome: 'Only records with this engine outcome.',
  field: 'Only records with an error on this field.',
};

export const recordsApi: ApiPart = {
  tag: { name: 'Records', description: 'Feed-log records and their errors.' },
  paths: () => ({
    '/api/v1/records': {
      get: {
        operationId: 'listRecords',
        summary: 'List feed-log records',
        description: 'Records of every run, with their classified errors, newest first.',
        tags: ['Records'],
        security: API_TOKEN,
        parameters: queryParameters(recordFiltersSchema, FILTER_DESCRIPTIONS),
        responses: { '200': jsonOrCsv('FeedRecordPage', 'A page of records.'), ...readErrors },
      },
    },
  }),
};
