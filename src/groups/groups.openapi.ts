/** The error-group endpoints in the OpenAPI document, described by the very schemas that validate their input. */
import { idParam } from '../http/query.js';
import { API_TOKEN, inputSchema, json, problem, problemResponse, queryParameters, readErrors, ref } from '../http/openapi-parts.js';
import type { ApiPart, Parameter } from '../http/openapi-types.js';
import { groupDetailQuerySchema, groupFiltersSchema, groupStatusChangeSchema } from './groups.schemas.js';

export const groupsApi: ApiPart = {
  tag: { name: 'Error groups', description: 'Errors grouped across runs.' },
  paths: () => {
    const groupIdParameter: Parameter = {
      name: 'id',
      in: 'path',
      required: true,
      description: 'The id of the group (`id` of a list item).',
      schema: inputSchema(idParam),
    };
    return {
      '/api/v1/error-groups': {
        get: {
          operationId: 'listErrorGroups',
          summary: 'List error groups',
          description:
            'Errors grouped by code, field, value key or text fingerprint, most recently seen first. With `format=csv`, every matching group (from `cursor` on, if given) as one streamed CSV file; cells that a spreadsheet would run as a formula start with an apostrophe.',
          tags: ['Error groups'],
          security: API_TOKEN,
          parameters: queryParameters(groupFiltersSchema, { status: 'Only groups with this status.', code: 'Only groups of this code.' }),
          responses: {
            '200': {
              description: 'A page of error groups, or with `format=csv` all of them as CSV.',
              content: { 'application/json': { schema: ref('ErrorGroupPage') }, 'text/csv': { schema: { type: 'string' } } },
            },
            ...readErrors,
          },
        },
      },
      '/api/v1/error-groups/{id}': {
        get: {
          operationId: 'getErrorGroup',
          summary: 'Get one error group, its guidance and the employees it affects',
          description:
            'The group with its fix-it guidance and a page of its members (the employees it affects: still affected first, then the most recently seen). `members_limit` members per answer (default 100, at most 1000); pass `members_next_cursor` back as `members_cursor` for the next ones.',
          tags: ['Error groups'],
          security: API_TOKEN,
          parameters: [groupIdParameter, ...queryParameters(groupDetailQuerySchema)],
          responses: {
            '200': json('ErrorGroupDetail', 'The group.'),
            '400': problem('BadRequest'),
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
            '403': problemResponse("An ingest token was used, or the user is not an admin of the group's organisation."),
            '404': problem('NotFound'),
            '503': problem('ServiceUnavailable'),
          },
        },
      },
    };
  },
};
