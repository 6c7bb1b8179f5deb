import { z } from 'zod';
import { EMPLOYEE_ATTRIBUTES, RECORD_ACTIONS, RECORD_OUTCOMES, RUN_STATUSES, RUN_TRIGGERS } from '../classify/feed-enums.js';

const timestamp = z.iso.datetime({ offset: true, message: 'expected an RFC 3339 timestamp with an offset, such as 2026-11-21T10:15:00Z' });
const nullableText = z.string().nullable().optional();

const attributeShape = Object.fromEntries(EMPLOYEE_ATTRIBUTES.map((name) => [name, nullableText])) as Record<
  (typeof EMPLOYEE_ATTRIBUTES)[number],
  typeof nullableText
>;

// Loose objects everywhere: unknown keys are kept (engines add fields over time).
const employeeSchema = z.looseObject(attributeShape);

const messageSchema = z.looseObject({
  code: nullableText,
  field: nullableText,
  text: nullableText,
});

const recordSchema = z.looseObject({
  external_id: nullableText,
  action: z.enum(RECORD_ACTIONS),
  outcome: z.enum(RECORD_OUTCOMES),
  employee: employeeSchema,
  messages: z.array(messageSchema).optional(),
});

const catalogSchema = z.looseObject({
  job_titles: z.array(z.string()),
  departments: z.array(z.string()),
  branches: z.array(z.string()),
});

const formFieldSchema = z.looseObject({
  name: z.string(),
  maps_to: z.enum(EMPLOYEE_ATTRIBUTES).nullable(),
  mandatory: z.boolean(),
  archived: z.boolean(),
});

export const feedRunSchema = z
  .looseObject({
    schema_version: z.literal(1, { message: 'only schema_version 1 is supported' }).optional(),
    run_id: z.string().min(1).max(200),
    source_system: nullableText,
    target_system: nullableText,
    trigger: z.enum(RUN_TRIGGERS),
    started_at: timestamp,
    finished_at: timestamp,
    status: z.enum(RUN_STATUSES),
    run_error: nullableText,
    catalog: catalogSchema.nullable().optional(),
    form_fields: z.array(formFieldSchema).nullable().optional(),
    records: z.array(recordSchema),
  })
  .superRefine((run, ctx) => {
    if (Date.parse(run.finished_at) < Date.parse(run.started_at)) {
      ctx.addIssue({ code: 'custom', path: ['finished_at'], message: 'must not be before started_at' });
    }
  });

export type FeedRunInput = z.infer<typeof feedRunSchema>;
