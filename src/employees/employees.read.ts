/**
 * The employee as the pages and the API show it: list items (mapped
 * employees, search, the API), the CSV columns, and the employee page's
 * sections (per integration: state, values in the target, open errors with
 * guidance) and timeline (every record, its errors with guidance, and what
 * changed since the previous record).
 */
import type { Knex } from 'knex';
import { guidanceFor, type Guidance, type GuidanceContext } from '../classify/guidance.js';
import { encodeCursor } from '../http/query.js';
import type { CsvColumn } from '../http/csv.js';
import { listIntegrationsOf } from '../integrations/integrations.queries.js';
import { diffEmployee, type FieldChange } from '../records/record-diff.js';
import { listRecords, type RecordRow } from '../records/records.read.queries.js';
import { shorten } from '../shared/shorten.js';
import {
  employeesOfRecords,
  erroredRecordsOf,
  errorsWithGroupsOf,
  openGroupsOfEmployee,
  previousRecordOf,
  type ErroredRecord,
  type OpenError,
  type RecordError,
} from './employee-history.queries.js';
import { summariesOfEmployee, type EmployeeSummaryRow, type SummaryKey } from './employee-summaries.queries.js';
import { SENT_FIELDS, type SentField } from './employee-summary.js';

const iso = (at: Date | null) => (at ? at.toISOString() : null);

/** When the employee's current trouble started: the failure streak, else (errors on an applied record) their newest errored record. */
export function blockedSince(row: Pick<EmployeeSummaryRow, 'state' | 'failing_since'>, openErrors: Pick<OpenError, 'started_at'>[] = []): Date | null {
  if (row.state !== 'blocked') return null;
  if (row.failing_since) return row.failing_since;
  const times = openErrors.map((error) => error.started_at.getTime());
  return times.length > 0 ? new Date(Math.min(...times)) : null;
}

/** One employee of one integration, as the API lists it. */
export const toEmployeeItem = (row: EmployeeSummaryRow) => ({
  external_id: row.external_id,
  first_name: row.first_name,
  last_name: row.last_name,
  email: row.email,
  department: row.department,
  job_title: row.job_title,
  branch: row.branch,
  state: row.state,
  open_errors: row.open_errors,
  blocked_since: iso(blockedSince(row)),
  last_synced: iso(row.applied_started_at),
  first_seen: row.first_seen_started_at.toISOString(),
  last_seen: row.last_started_at.toISOString(),
  last_record: { run: String(row.last_sync_run_id), index: row.last_index, action: row.last_action, outcome: row.last_outcome },
  organisation: { id: String(row.org_id), slug: row.org_slug, name: row.org_name },
  integration: { id: String(row.integration_id), name: row.integration_name },
});
export type EmployeeItem = ReturnType<typeof toEmployeeItem>;

export const summaryKeyOf = (row: EmployeeSummaryRow): SummaryKey => [row.org_id, row.integration_id, row.sort_key, Number(row.id)];

/** The mapped-employees export, page and API alike: the Planday FAQ's columns, these header names exactly. */
export const EMPLOYEE_CSV_COLUMNS: CsvColumn<EmployeeSummaryRow>[] = [
  { header: 'external_id', cell: (row) => row.external_id },
  ...SENT_FIELDS.map((field) => ({ header: field, cell: (row: EmployeeSummaryRow) => row[field] })),
  { header: 'state', cell: (row) => row.state },
  { header: 'last_synced', cell: (row) => row.applied_started_at },
];

/** The link to an employee's page, in one integration or all. */
export function employeeHref(externalId: string, integrationId?: number | string): string {
  const path = `/employees/${encodeURIComponent(externalId)}`;
  return integrationId === undefined ? path : `${path}?integration=${encodeURIComponent(String(integrationId))}`;
}

export const FIELD_LABELS: Record<SentField, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  email: 'Email',
  department: 'Department',
  job_title: 'Job title',
  branch: 'Branch',
};

export const fullName = (row: { first_name: string | null; last_name: string | null }) => [row.first_name, row.last_name].filter(Boolean).join(' ');

// Guidance quotes the values; a page shows this much of a long one (with its length).
const GUIDANCE_VALUE = 200;

export function contextOf(row: Pick<EmployeeSummaryRow, 'source_system' | 'target_system'>): GuidanceContext {
  return { sourceSystem: row.source_system ?? 'the source system', targetSystem: row.target_system ?? 'the target system' };
}

export function guidanceOf(error: RecordError, context: GuidanceContext): Guidance {
  return guidanceFor({ ...error, value: shorten(error.value, GUIDANCE_VALUE), expected: shorten(error.expected, GUIDANCE_VALUE) }, context);
}

export interface FieldLine {
  field: SentField;
  label: string;
  sent: string | null;
  /** As the target holds it (its newest applied record); undefined when it never held the employee. */
  target: string | null | undefined;
  differs: boolean;
}

export interface IntegrationSection {
  summary: EmployeeSummaryRow;
  item: EmployeeItem;
  context: GuidanceContext;
  inTarget: boolean;
  fields: FieldLine[];
  blockedSince: Date | null;
  openErrors: { error: OpenError; guidance: Guidance }[];
}

export interface TimelineEntry {
  record: RecordRow;
  integrationName: string;
  errors: { error: RecordError; guidance: Guidance }[];
  /** null: no earlier record of theirs in that integration (the first is no change). */
  changes: FieldChange[] | null;
}

export interface EmployeeView {
  externalId: string;
  name: string;
  sections: IntegrationSection[];
  timeline: TimelineEntry[];
  nextCursor: string | null;
}

const ERRORED_BATCH = 20;

/**
 * The employee's open errors, each as their newest record that carries it
 * (the actual values): their errored records are read newest first, a batch
 * at a time, until every open group is found (nearly always in the first).
 */
async function openErrorsOf(knex: Knex, summary: EmployeeSummaryRow): Promise<OpenError[]> {
  const open = new Set(await openGroupsOfEmployee(knex, summary.org_id, summary.integration_id, summary.external_id));
  const found = new Map<number, OpenError>();
  let before: ErroredRecord | undefined;
  while (found.size < open.size) {
    const records = await erroredRecordsOf(knex, summary.org_id, summary.integration_id, summary.external_id, ERRORED_BATCH, before);
    if (records.length === 0) break;
    const errorsOf = new Map<string, RecordError[]>();
    for (const error of await errorsWithGroupsOf(knex, records)) {
      const key = `${error.sync_run_id}:${error.record_index}`;
      errorsOf.set(key, [...(errorsOf.get(key) ?? []), error]);
    }
    // Records newest first: the first record found with a group's error is its newest occurrence.
    for (const record of records) {
      for (const error of errorsOf.get(`${record.sync_run_id}:${record.index}`) ?? []) {
        const group = error.group_id === null ? null : Number(error.group_id);
        if (group === null || !open.has(group) || found.has(group)) continue;
        found.set(group, { ...error, group_id: group, started_at: record.started_at, run_id: record.run_id });
      }
    }
    before = records[records.length - 1];
    if (records.length < ERRORED_BATCH) break;
  }
  return [...found.values()].sort((a, b) => b.started_at.getTime() - a.started_at.getTime() || (a.group_id ?? 0) - (b.group_id ?? 0));
}

const textOrNull = (value: unknown) => (typeof value === 'string' ? value : value == null ? null : JSON.stringify(value));

/** Per integration: the state, the values sent and held, the open errors with guidance. */
async function sectionsOf(knex: Knex, summaries: EmployeeSummaryRow[]): Promise<IntegrationSection[]> {
  const applied = await employeesOfRecords(
    knex,
    summaries
      .filter((s) => s.applied_sync_run_id !== null)
      .map((s) => ({ org_id: s.org_id, started_at: s.applied_started_at!, sync_run_id: s.applied_sync_run_id!, index: s.applied_index! })),
  );
  return Promise.all(
    summaries.map(async (summary) => {
      const context = contextOf(summary);
      const held = summary.applied_sync_run_id === null ? undefined : applied.get(`${summary.applied_sync_run_id}:${summary.applied_index}`);
      const open = summary.open_errors > 0 ? await openErrorsOf(knex, summary) : [];
      return {
        summary,
        item: toEmployeeItem(summary),
        context,
        inTarget: summary.applied_started_at !== null,
        fields: SENT_FIELDS.map((field) => {
          const target = held === undefined ? undefined : textOrNull(held[field]);
          return { field, label: FIELD_LABELS[field], sent: summary[field], target, differs: target !== undefined && target !== summary[field] };
        }),
        blockedSince: blockedSince(summary, open),
        openErrors: open.map((error) => ({ error, guidance: guidanceOf(error, context) })),
      };
    }),
  );
}

/** A page of the employee's records, newest first, each with its errors and its changes since their previous record. */
async function timelineOf(
  knex: Knex,
  orgIds: number[],
  externalId: string,
  integration: number | undefined,
  limit: number,
  after: [string, number, number] | undefined,
  names: Map<number, { name: string; context: GuidanceContext }>,
): Promise<{ entries: TimelineEntry[]; nextCursor: string | null }> {
  const rows = await listRecords(knex, orgIds, { external_id: externalId, integration }, limit, after);
  const shown = rows.slice(0, limit);
  const errors = await errorsWithGroupsOf(knex, shown);
  const errorsOf = new Map<string, RecordError[]>();
  for (const error of errors) {
    const key = `${error.sync_run_id}:${error.record_index}`;
    errorsOf.set(key, [...(errorsOf.get(key) ?? []), error]);
  }
  // Each record's predecessor is the next row of the same integration; the last of each integration on this page looks it up.
  const previous = new Map<RecordRow, Record<string, unknown> | null>();
  const lastOfIntegration = new Map<number, RecordRow>();
  for (const row of shown) {
    const before = lastOfIntegration.get(row.integration_id);
    if (before) previous.set(before, (row.employee as Record<string, unknown> | null) ?? {});
    lastOfIntegration.set(row.integration_id, row);
  }
  await Promise.all(
    [...lastOfIntegration.values()].map(async (row) => {
      const found = await previousRecordOf(knex, { ...row, external_id: externalId });
      previous.set(row, found ? (found.employee ?? {}) : null);
    }),
  );
  const entries = shown.map((record) => {
    const integrationInfo = names.get(record.integration_id);
    const context = integrationInfo?.context ?? { sourceSystem: 'the source system', targetSystem: 'the target system' };
    const before = previous.get(record) ?? null;
    return {
      record,
      integrationName: integrationInfo?.name ?? '',
      errors: (errorsOf.get(`${record.sync_run_id}:${record.index}`) ?? []).map((error) => ({ error, guidance: guidanceOf(error, context) })),
      changes: before === null ? null : diffEmployee(before, (record.employee as Record<string, unknown> | null) ?? {}),
    };
  });
  const last = shown[shown.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor([last.started_at.toISOString(), last.sync_run_id, last.index]) : null;
  return { entries, nextCursor };
}

/**
 * Everything the employee page shows of one external ID, in the integrations
 * the caller may read (one, with `integration`); undefined when they know no
 * such employee (another organisation's employee included).
 */
export async function employeeView(
  knex: Knex,
  orgIds: number[],
  externalId: string,
  options: { integration?: number; limit: number; after?: [string, number, number] },
): Promise<EmployeeView | undefined> {
  const integrations = (await listIntegrationsOf(knex, orgIds)).filter((i) => options.integration === undefined || i.id === options.integration);
  const summaries = await summariesOfEmployee(knex, orgIds, integrations, externalId);
  if (summaries.length === 0) return undefined;
  const names = new Map(integrations.map((i) => [i.id, { name: i.name, context: contextOf(i) }]));
  const [sections, timeline] = await Promise.all([
    sectionsOf(knex, summaries),
    timelineOf(knex, orgIds, externalId, options.integration, options.limit, options.after, names),
  ]);
  const named = summaries.find((s) => fullName(s));
  return { externalId, name: named ? fullName(named) : externalId, sections, timeline: timeline.entries, nextCursor: timeline.nextCursor };
}

/** The API's richer state of one external ID: its summary per integration the caller may read. */
export async function employeeItemsOf(knex: Knex, orgIds: number[], externalId: string, integration?: number): Promise<EmployeeItem[]> {
  const integrations = (await listIntegrationsOf(knex, orgIds)).filter((i) => integration === undefined || i.id === integration);
  const rows = await summariesOfEmployee(knex, orgIds, integrations, externalId);
  return rows.map(toEmployeeItem);
}
