/**
 * Zod schemas of what the JSON API answers. Nothing validates responses at run
 * time: these exist to be turned into the OpenAPI document's components, and
 * the compile-time checks at the bottom keep them in step with the code that
 * builds the responses (toRunSummary, recordsPage, toGroupItem, ClassifiedError).
 */
import { z } from 'zod';
import { ERROR_CODES, SEVERITIES, VARIANTS } from '../classify/error-enums.js';
import { EMPLOYEE_ATTRIBUTES, RECORD_ACTIONS, RECORD_OUTCOMES, RUN_STATUSES, RUN_TRIGGERS } from '../classify/feed-enums.js';
import type { ClassifiedError } from '../classify/types.js';
import { GROUP_STATUSES } from '../groups/group-enums.js';
import { EMPLOYEE_STATES } from '../employees/employee-summary.js';
import type { toEmployeeItem } from '../employees/employees.read.js';
import type { ApiError } from '../records/records.read.js';
import type { groupApiDetail, toGroupItem } from '../groups/groups.read.js';
import type { toDriftItem } from '../drift/drift.read.js';
import type { toEventItem } from '../events/events.read.js';
import { EVENT_CODES } from '../events/events.schemas.js';
import type { RunSummary } from '../runs/run-summary.js';

const id = z
  .string()
  .regex(/^[0-9]+$/)
  .describe('A numeric id, as a string.');
const time = z.iso.datetime().describe('RFC 3339, UTC.');
const count = z.int().nonnegative();
const nullableText = z.string().nullable();

export const classifiedErrorSchema = z
  .object({
    code: z.enum(ERROR_CODES),
    severity: z.enum(SEVERITIES),
    field: nullableText.describe('The employee attribute (or external_id) concerned, if any.'),
    value: nullableText.describe('The value sent, if the error is about one.'),
    expected: nullableText.describe('The value the target expects (e.g. the catalog entry it nearly matches).'),
    variant: z.enum(VARIANTS).nullable().describe('How the value differs from the expected one, or which kind of duplicate.'),
  })
  .describe('One classified error (error-codes.md).');

export const apiGuidanceSchema = z
  .object({
    title: z.string(),
    summary: z.string().describe('What happened, with the actual values, and why it matters.'),
    steps: z.array(z.string()).describe('What to do, in order.'),
  })
  .describe("How to fix an error, in the words of the integration's source and target systems.");

export const apiErrorSchema = z
  .intersection(
    classifiedErrorSchema,
    z.object({
      group: id.nullable().describe('The error group this error belongs to (GET /api/v1/error-groups/{id}).'),
      guidance: apiGuidanceSchema,
    }),
  )
  .describe('One classified error (error-codes.md) with its group and fix-it guidance.');

export const integrationRefSchema = z.object({ id, name: z.string() });

export const runSummarySchema = z
  .object({
    id: id.describe('Our id of the run (use it in /api/v1/sync-runs/{id} and the records `run` filter).'),
    run_id: z.string().min(1).max(200).describe("The engine's id of the run."),
    integration: integrationRefSchema,
    trigger: z.enum(RUN_TRIGGERS),
    status: z.enum(RUN_STATUSES),
    started_at: time,
    finished_at: time,
    received_at: time,
    record_count: count,
    counts: z.object({ succeeded: count, failed: count, warning: count }).describe('Records per outcome.'),
    error_counts: z.partialRecord(z.enum(ERROR_CODES), count).describe('Errors per code.'),
  })
  .describe('A stored sync run.');

export const runDetailSchema = runSummarySchema
  .extend({
    run_error: nullableText.describe("The engine's run-level error text, if any."),
    errors: z.array(apiErrorSchema).describe('The run-level errors (not tied to a record).'),
  })
  .describe('A stored sync run with its run-level errors.');

const employeeAttributes = z
  .looseObject(
    Object.fromEntries(EMPLOYEE_ATTRIBUTES.map((name) => [name, nullableText.optional()])) as Record<
      (typeof EMPLOYEE_ATTRIBUTES)[number],
      z.ZodOptional<typeof nullableText>
    >,
  )
  .describe('The employee as the feed sent it; unknown keys are kept.');

const engineMessage = z.looseObject({ code: nullableText.optional(), field: nullableText.optional(), text: nullableText.optional() });

export const feedRecordSchema = z
  .object({
    id: z
      .string()
      .regex(/^[0-9]+:[0-9]+$/)
      .describe('`<run id>:<index>`.'),
    run: z.object({ id, run_id: z.string(), started_at: time }),
    integration: id,
    index: count.describe("The record's position in the run's `records`."),
    external_id: nullableText,
    action: z.enum(RECORD_ACTIONS),
    outcome: z.enum(RECORD_OUTCOMES),
    employee: employeeAttributes,
    messages: z.array(engineMessage).describe("The engine's own messages."),
    errors: z.array(apiErrorSchema),
  })
  .describe('One record of a feed log, with its classified errors.');

export const errorGroupSchema = z
  .object({
    id,
    integration: id,
    code: z.enum(ERROR_CODES),
    severity: z.enum(SEVERITIES),
    field: nullableText,
    value: nullableText,
    expected: nullableText,
    variant: z.enum(VARIANTS).nullable(),
    key: z.string().describe('What the errors are grouped by (code, field, value key or text fingerprint).'),
    run_level: z.boolean(),
    first_seen: time,
    last_seen: time,
    occurrences: count,
    employees_affected: count.describe('Every employee the group has affected, cleared ones included.'),
    employees_blocked: count.describe('The employees it affects now: their latest record still carries the error.'),
    status: z.enum(GROUP_STATUSES),
    status_changed_at: time,
  })
  .describe('Errors grouped, with first and last seen, occurrences and employees affected.');

export const groupMemberSchema = z
  .object({
    external_id: z.string(),
    open: z.boolean().describe('Still affected: the latest record of the employee carries the error.'),
    last_seen: time.describe('Start of the latest run whose record of the employee carried the error.'),
    cleared_at: time.nullable().describe('Start of the run that applied the employee without the error, if one has.'),
  })
  .describe('An employee a group affects.');

export const errorGroupDetailSchema = errorGroupSchema
  .extend({
    guidance: apiGuidanceSchema,
    members: z
      .array(groupMemberSchema)
      .describe('A page of the employees it affects (`members_limit`, default 100): those still affected first, then the most recently seen.'),
    members_next_cursor: z.string().nullable().describe('Pass back as `members_cursor` for the next page of members; null on the last page.'),
  })
  .describe('An error group with its guidance and the employees it affects.');

export const driftItemSchema = z
  .object({
    group: id.describe('The error group of this value (GET /api/v1/error-groups/{id}).'),
    integration: id,
    code: z.enum(ERROR_CODES),
    field: nullableText,
    value: nullableText.describe('The value the source sends.'),
    expected: nullableText.describe('The catalog value it nearly matches; null when it matches none (variant `unknown`).'),
    variant: z.enum(VARIANTS).nullable(),
    employees_blocked: count.describe('Employees whose latest record fails on this value.'),
    occurrences: count,
    first_seen: time,
    last_seen: time,
    status: z.enum(GROUP_STATUSES),
    fix: z.string().describe("One line: rename the value in the source to the near match, or create it in the target's catalog."),
  })
  .describe("A value the source sends that the target's catalog lacks.");

export const integrationEventSchema = z
  .object({
    id,
    integration: integrationRefSchema,
    code: z.enum(EVENT_CODES),
    severity: z.enum(['error', 'info']),
    expected: nullableText.describe('The schedule the runs were expected on, e.g. "every 15m (grace 10m)".'),
    due_at: time.describe('The first slot of the schedule that no run met within grace.'),
    last_due_at: time.nullable().describe('The latest slot that passed its grace in the gap.'),
    missed_slots: count.nullable().describe('How many slots passed their grace with no run.'),
    detected_at: time.describe('When feedlog first noticed the gap.'),
    resolved_at: time.nullable().describe('The start of the run that ended the gap; null while it lasts.'),
    resolved_by_run: id.nullable().describe('Our id of that run (GET /api/v1/sync-runs/{id}).'),
  })
  .describe("A missed run: one gap in an integration's runs, stored once, kept after it ends.");

export const employeeStateSchema = z.object({
  integration: integrationRefSchema,
  active: z.boolean(),
  first_name: nullableText,
  last_name: nullableText,
  email: nullableText,
  as_of: time.describe('Start of the run that left this state.'),
  run: id.describe('Our id of the run that left this state.'),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next_cursor: z.string().nullable().describe('Pass back as `cursor` for the next page; null on the last page.'),
  });

export const syncRunPageSchema = pageOf(runSummarySchema).describe('A page of sync runs, newest first.');
export const feedRecordPageSchema = pageOf(feedRecordSchema).describe('A page of records, newest first.');
export const errorGroupPageSchema = pageOf(errorGroupSchema).describe('A page of error groups, most recently seen first.');
export const driftPageSchema = pageOf(driftItemSchema).describe('A page of drifted values, most employees blocked first.');
export const integrationEventPageSchema = pageOf(integrationEventSchema).describe('A page of integration events, newest expected time first.');

export const employeeSummarySchema = z
  .object({
    external_id: z.string().describe("The source system's id of the employee, as sent (Planday: portalid_employeeId)."),
    first_name: nullableText.describe('As last sent.'),
    last_name: nullableText.describe('As last sent.'),
    email: nullableText.describe('As last sent.'),
    department: nullableText.describe('As last sent.'),
    job_title: nullableText.describe('As last sent.'),
    branch: nullableText.describe('As last sent.'),
    state: z
      .enum(EMPLOYEE_STATES)
      .describe(
        '`never_applied`: no record of theirs was ever applied (not in the target); `blocked`: their last record failed or errors are open on them; `inactive`: deactivated in the target; `synced`: the last record was applied.',
      ),
    open_errors: count.describe('Open errors of severity error on this employee (open error-group members).'),
    blocked_since: time.nullable().describe('Start of the current failure streak, when blocked by a failed record.'),
    last_synced: time.nullable().describe('Start of the run of their newest applied record; null if never applied.'),
    first_seen: time.describe('Start of the run of their first record.'),
    last_seen: time.describe('Start of the run of their newest record.'),
    last_record: z.object({ run: id, index: count, action: z.enum(RECORD_ACTIONS), outcome: z.enum(RECORD_OUTCOMES) }).describe('Their newest record.'),
    organisation: z.object({ id, slug: z.string(), name: z.string() }),
    integration: integrationRefSchema,
  })
  .describe('One employee of one integration: the values last sent and the state.');

export const employeeSummaryPageSchema = pageOf(employeeSummarySchema).describe('A page of employees, by organisation, integration and name.');

export const employeeSchema = z
  .object({
    external_id: z.string(),
    states: z.array(employeeStateSchema).describe('The last known state per integration.'),
    summaries: z.array(employeeSummarySchema).describe('Per integration: the values last sent, the state and open errors.'),
    records: feedRecordPageSchema,
  })
  .describe("An employee's last known state and their records across runs, newest first.");

export const problemSchema = z
  .object({
    type: z.string().describe('Always `about:blank`.'),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().optional(),
    instance: z.string().describe('The request path.'),
    errors: z
      .array(z.object({ path: z.string().describe('e.g. `records[17].employee.email`'), message: z.string() }))
      .optional()
      .describe('Every invalid path, for 400s.'),
  })
  .describe('An RFC 9457 problem document.');

/** Component name -> schema; the document references them as #/components/schemas/<name>. */
export const RESPONSE_SCHEMAS = {
  Problem: problemSchema,
  ClassifiedError: classifiedErrorSchema,
  ApiGuidance: apiGuidanceSchema,
  ApiError: apiErrorSchema,
  IntegrationRef: integrationRefSchema,
  RunSummary: runSummarySchema,
  RunDetail: runDetailSchema,
  SyncRunPage: syncRunPageSchema,
  FeedRecord: feedRecordSchema,
  FeedRecordPage: feedRecordPageSchema,
  EmployeeState: employeeStateSchema,
  Employee: employeeSchema,
  EmployeeSummary: employeeSummarySchema,
  EmployeeSummaryPage: employeeSummaryPageSchema,
  ErrorGroup: errorGroupSchema,
  ErrorGroupPage: errorGroupPageSchema,
  GroupMember: groupMemberSchema,
  ErrorGroupDetail: errorGroupDetailSchema,
  DriftItem: driftItemSchema,
  DriftPage: driftPageSchema,
  IntegrationEvent: integrationEventSchema,
  IntegrationEventPage: integrationEventPageSchema,
} as const;

// ---- compile-time guards: the schemas describe what the code really returns ----
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Assert<T extends true> = T;
export type ResponseSchemaChecks = [
  Assert<SameKeys<z.infer<typeof classifiedErrorSchema>, ClassifiedError>>,
  Assert<z.infer<typeof classifiedErrorSchema> extends ClassifiedError ? true : false>,
  Assert<SameKeys<z.infer<typeof apiErrorSchema>, ApiError>>,
  Assert<z.infer<typeof apiErrorSchema> extends ApiError ? true : false>,
  Assert<SameKeys<z.infer<typeof runSummarySchema>, RunSummary>>,
  Assert<SameKeys<z.infer<typeof errorGroupSchema>, ReturnType<typeof toGroupItem>>>,
  Assert<z.infer<typeof errorGroupSchema> extends ReturnType<typeof toGroupItem> ? true : false>,
  Assert<SameKeys<z.infer<typeof errorGroupDetailSchema>, Awaited<ReturnType<typeof groupApiDetail>>>>,
  Assert<SameKeys<z.infer<typeof driftItemSchema>, ReturnType<typeof toDriftItem>>>,
  Assert<SameKeys<z.infer<typeof employeeSummarySchema>, ReturnType<typeof toEmployeeItem>>>,
  Assert<SameKeys<z.infer<typeof integrationEventSchema>, ReturnType<typeof toEventItem>>>,
  Assert<ReturnType<typeof toEventItem> extends z.infer<typeof integrationEventSchema> ? true : false>,
];
