/** The caller's email preferences in the OpenAPI document: the body from the schema that validates it, the answer from a zod schema kept here. */
import { z } from 'zod';
import { API_TOKEN, inputSchema, json, problem, problemResponse, readErrors, ref, tidy } from '../http/openapi-parts.js';
import type { ApiPart, JsonSchema } from '../http/openapi-types.js';
import { idParam } from '../http/query.js';
import type { toPreferencesItem } from './preferences.read.js';
import { ALERT_KINDS, ALERT_REPEATS, EMPTY_SUMMARIES, FREQUENCIES, preferencesBodySchema, SEVERITIES } from './notifications.schemas.js';

const id = z
  .string()
  .regex(/^[0-9]+$/)
  .describe('A numeric id, as a string.');
const time = z.iso.datetime().describe('RFC 3339, UTC.');

export const emailPreferencesItemSchema = z.object({
  organisation: z.object({ id, slug: z.string(), name: z.string() }),
  receives_email: z.boolean().describe('Whether feedlog emails this person from this organisation: they have preferences and did not unsubscribe.'),
  preferences: z
    .object({
      integration_ids: z.array(id).nullable().describe('null: every integration.'),
      frequency: z.enum(FREQUENCIES),
      local_time: z.string().describe("HH:MM in the person's time zone (their profile's)."),
      weekday: z.int().min(1).max(7).describe('1 Monday ... 7 Sunday.'),
      min_severity: z.enum(SEVERITIES),
      empty_summary: z.enum(EMPTY_SUMMARIES),
      alerts: z.array(z.enum(ALERT_KINDS)),
      alert_after_failures: z.int().min(1).max(100),
      alert_repeat: z.enum(ALERT_REPEATS),
    })
    .nullable()
    .describe('null: none saved, so no email from this organisation.'),
  unsubscribed_at: time.nullable().describe('When the person unsubscribed with an email link; saving preferences subscribes them again.'),
  updated_at: time.nullable(),
});

const orgParameter = {
  name: 'org',
  in: 'path' as const,
  required: true,
  description: "The organisation's numeric id (`organisation.id` of a list item); one the token's user belongs to.",
  schema: inputSchema(idParam),
};

export const preferencesApi: ApiPart = {
  tag: { name: 'Email preferences', description: "The token's user's own email preferences, per organisation they belong to." },
  schemas: () => ({
    EmailPreferences: tidy(z.toJSONSchema(emailPreferencesItemSchema, { io: 'output' })) as JsonSchema,
    EmailPreferencesList: tidy(z.toJSONSchema(z.object({ items: z.array(emailPreferencesItemSchema) }), { io: 'output' })) as JsonSchema,
  }),
  paths: () => ({
    '/api/v1/me/email-preferences': {
      get: {
        operationId: 'listOwnEmailPreferences',
        summary: "List the token's user's email preferences",
        description:
          'One item per organisation the user belongs to (a handful, so not paginated), with null preferences where none are saved: such a member gets no email. Support belongs to no organisation: an empty list.',
        tags: ['Email preferences'],
        security: API_TOKEN,
        responses: { '200': { description: 'The preferences.', content: { 'application/json': { schema: ref('EmailPreferencesList') } } }, ...readErrors },
      },
    },
    '/api/v1/me/email-preferences/{org}': {
      put: {
        operationId: 'putOwnEmailPreferences',
        summary: "Replace the token's user's email preferences in one organisation",
        description:
          "The whole preferences: a field left out takes its default. Saving subscribes the user again after an unsubscribe. Only the token's own user's preferences can be written, and only in an organisation they belong to (404 otherwise).",
        tags: ['Email preferences'],
        security: API_TOKEN,
        parameters: [orgParameter],
        requestBody: { required: true, description: 'The preferences.', content: { 'application/json': { schema: inputSchema(preferencesBodySchema) } } },
        responses: {
          '200': json('EmailPreferences', 'The saved preferences.'),
          '400': problem('BadRequest'),
          '401': problem('Unauthorized'),
          '403': problemResponse('An ingest token was used.'),
          '404': problemResponse('The user is not a member of this organisation (or it does not exist).'),
          '503': problem('ServiceUnavailable'),
        },
      },
    },
  }),
};

// The answer the routes build must fit the schema the document shows.
const _fits: (item: ReturnType<typeof toPreferencesItem>) => z.input<typeof emailPreferencesItemSchema> = (item) => item;
void _fits;
