/** Integration events (missed runs) in the OpenAPI document, their filters described by the very schema that validates them. */
import { API_TOKEN, jsonOrCsv, queryParameters, readErrors } from '../http/openapi-parts.js';
import type { ApiPart } from '../http/openapi-types.js';
import { eventFiltersSchema } from './events.schemas.js';

const FILTER_DESCRIPTIONS = {
  integration: "Only this integration (its numeric id); all the caller's integrations otherwise.",
  code: 'Only events of this code (`missed_run`: a gap in the runs).',
  open: '`true`: only gaps that last (no run since); `false`: only the closed ones.',
  from: 'Only events expected at or after this time (`due_at`).',
  to: 'Only events expected before this time (`due_at`).',
  format: '`csv` for every event of the list as a CSV file.',
};

export const eventsApi: ApiPart = {
  tag: { name: 'Integration events', description: 'What happened to an integration outside its runs: missed runs.' },
  paths: () => ({
    '/api/v1/events': {
      get: {
        operationId: 'listEvents',
        summary: 'List integration events (missed runs)',
        description:
          "Missed runs of the organisations the token can see, newest expected time first. Each `missed_run` is one gap in an integration's runs: `due_at` is the first slot of its schedule that no run met within grace, `last_due_at` the latest, `missed_slots` how many; `resolved_at` is the start of the run that ended the gap (null while it lasts).",
        tags: ['Integration events'],
        security: API_TOKEN,
        parameters: queryParameters(eventFiltersSchema, FILTER_DESCRIPTIONS),
        responses: { '200': jsonOrCsv('IntegrationEventPage', 'A page of events.'), ...readErrors },
      },
    },
  }),
};
