import type { Knex } from 'knex';
import { auditTrailOf, type AuditEntry } from '../audit/audit.queries.js';
import { apiGuidanceFor, guidanceFor, quote, type GuidanceContext } from '../classify/guidance.js';
import type { ClassifiedError } from '../classify/types.js';
import type { CsvColumn } from '../http/csv.js';
import { page } from '../http/query.js';
import type { IntegrationRow } from '../integrations/integrations.queries.js';
import { shorten } from '../shared/shorten.js';
import type { GroupStatus, PersonSetStatus } from './group-enums.js';
import { listGroupMembers, listGroupOccurrences, type GroupMemberRow } from './group-detail.queries.js';
import type { ErrorGroupRow } from './groups.queries.js';

/** A group as the API answers it; the pages show the same group with more beside it. */
export const toGroupItem = (g: ErrorGroupRow) => ({
  id: String(g.id),
  integration: String(g.integration_id),
  code: g.code,
  severity: g.severity,
  field: g.field,
  value: g.value,
  expected: g.expected,
  variant: g.variant,
  key: g.group_key,
  run_level: g.run_level,
  first_seen: g.first_seen_started_at.toISOString(),
  last_seen: g.last_seen_started_at.toISOString(),
  occurrences: g.occurrences,
  employees_affected: g.employees_affected,
  employees_blocked: g.employees_blocked,
  status: g.status,
  status_changed_at: g.status_changed_at.toISOString(),
});

/** An employee a group affects, as the API lists them. */
export const toMemberItem = (m: GroupMemberRow) => ({
  external_id: m.external_id,
  open: m.open,
  last_seen: m.last_seen_started_at.toISOString(),
  cleared_at: m.cleared_started_at?.toISOString() ?? null,
});

export const memberKey = (m: GroupMemberRow): [boolean, string, string] => [m.open, m.last_seen_started_at.toISOString(), m.external_key];
export const groupKey = (g: ErrorGroupRow): [string, number] => [g.last_seen_started_at.toISOString(), g.id];

/** The systems an integration's guidance names; an integration that never said gets generic names. */
export function contextOf(integration: Pick<IntegrationRow, 'source_system' | 'target_system'> | undefined): GuidanceContext {
  return {
    sourceSystem: integration?.source_system ?? 'the source system',
    targetSystem: integration?.target_system ?? 'the target system',
  };
}

/** The group's error as the guidance reads it; `max` cuts long values (a page must not quote 100,000 characters). */
export function errorOf(g: Pick<ErrorGroupRow, 'code' | 'severity' | 'field' | 'value' | 'expected' | 'variant'>, max?: number): ClassifiedError {
  const cut = (text: string | null) => (max === undefined ? text : shorten(text, max));
  return { code: g.code, severity: g.severity, field: g.field, value: cut(g.value), expected: cut(g.expected), variant: g.variant } as ClassifiedError;
}

/** A value for a table cell: cut, in quotes, hidden characters shown ('Bar<U+FEFF>'). */
export const shownValue = (value: string | null, max?: number): string | null => (value === null ? null : quote(shorten(value, max)));

/** One row of the error groups table. */
export function toGroupRow(g: ErrorGroupRow, integration: IntegrationRow | undefined) {
  return {
    id: g.id,
    href: `/error-groups/${g.id}`,
    status: g.status,
    code: g.code,
    field: g.field,
    value: shownValue(g.value),
    expected: shownValue(g.expected),
    title: guidanceFor(errorOf(g, 60), contextOf(integration)).title,
    integrationName: integration?.name ?? '',
    occurrences: g.occurrences,
    employeesAffected: g.employees_affected,
    employeesBlocked: g.employees_blocked,
    firstSeen: g.first_seen_started_at,
    lastSeen: g.last_seen_started_at,
  };
}

/** The columns of the groups CSV (page and API): the values as stored, times in RFC 3339 UTC. */
export function groupCsvColumns(integrationName: (id: number) => string): CsvColumn<ErrorGroupRow>[] {
  return [
    { header: 'id', cell: (g) => g.id },
    { header: 'status', cell: (g) => g.status },
    { header: 'code', cell: (g) => g.code },
    { header: 'integration', cell: (g) => integrationName(g.integration_id) },
    { header: 'field', cell: (g) => g.field },
    { header: 'value', cell: (g) => g.value },
    { header: 'expected', cell: (g) => g.expected },
    { header: 'variant', cell: (g) => g.variant },
    { header: 'occurrences', cell: (g) => g.occurrences },
    { header: 'employees_affected', cell: (g) => g.employees_affected },
    { header: 'employees_blocked', cell: (g) => g.employees_blocked },
    { header: 'first_seen', cell: (g) => g.first_seen_started_at },
    { header: 'last_seen', cell: (g) => g.last_seen_started_at },
    { header: 'status_changed_at', cell: (g) => g.status_changed_at },
  ];
}

/** The group as `GET /api/v1/error-groups/{id}` answers it: the list item, its guidance, and a page of its members. */
export async function groupApiDetail(
  knex: Knex,
  g: ErrorGroupRow,
  integration: IntegrationRow | undefined,
  membersLimit: number,
  membersAfter?: [boolean, string, string],
) {
  const members = page(await listGroupMembers(knex, g.org_id, g.id, membersLimit, membersAfter), membersLimit, memberKey, toMemberItem);
  return {
    ...toGroupItem(g),
    guidance: apiGuidanceFor(errorOf(g), contextOf(integration)),
    members: members.items,
    members_next_cursor: members.next_cursor,
  };
}

// ---- the group page ----

/** How many entries of the audit log the page shows: status changes are few; the latest ones matter. */
export const HISTORY_SHOWN = 100;
/** Members and occurrences per page of the group page. */
export const GROUP_PAGE_ROWS = 50;

export interface HistoryEntry {
  /** When, if known: a run's change between two people's changes is known only to have happened between them. */
  at: Date | null;
  who: string;
  text: string;
}

const BY_RUN: Record<GroupStatus, string> = {
  open: 'Opened: first seen in a run',
  resolved: 'Resolved by a run: no employee is affected any more',
  regressed: 'Regressed: a newer run showed the error again after it was resolved',
  ignored: 'Ignored',
};

const BY_PERSON: Record<PersonSetStatus, string> = { resolved: 'Marked resolved', ignored: 'Ignored', open: 'Reopened' };

/**
 * The group's status history, newest first: the people's changes from the audit
 * log (src/groups/group-status.service.ts writes `from`, `to`, `via`), and the
 * changes runs made (resolved, regressed), which the log does not hold: they
 * show where a person's change starts from another status than the last one
 * left, and where the group's status now differs from the last change.
 */
export function historyOf(g: Pick<ErrorGroupRow, 'status' | 'status_changed_at' | 'first_seen_started_at'>, newestFirst: AuditEntry[]): HistoryEntry[] {
  const chronological = [...newestFirst].reverse();
  const entries: HistoryEntry[] = [];
  const complete = newestFirst.length < HISTORY_SHOWN;
  let current: string | undefined = complete ? 'open' : undefined;
  if (complete) entries.push({ at: g.first_seen_started_at, who: 'a run', text: BY_RUN.open });
  for (const event of chronological) {
    const from = String(event.details.from ?? '');
    const to = String(event.details.to ?? '');
    if (current !== undefined && from !== current && from in BY_RUN) entries.push({ at: null, who: 'a run', text: BY_RUN[from as GroupStatus] });
    const via = event.details.via === 'api' ? ' (through the API)' : '';
    entries.push({ at: event.occurred_at, who: event.actor, text: `${BY_PERSON[to as PersonSetStatus] ?? `Set to ${to}`} (was ${from})${via}` });
    current = to;
  }
  if (current !== undefined && g.status !== current) entries.push({ at: g.status_changed_at, who: 'a run', text: BY_RUN[g.status] });
  return entries.reverse();
}

/** What the page says after an admin's change, read from `?done=` (never free text from the URL). */
export function confirmationOf(done: PersonSetStatus, title: string): string {
  switch (done) {
    case 'resolved':
      return `Marked resolved: ${title}. It reopens if the error comes back.`;
    case 'ignored':
      return `Ignored: ${title}. It stays ignored when the error occurs again; reopen it to follow it again.`;
    case 'open':
      return `Reopened: ${title}. It is among the open groups again.`;
  }
}

/** The group page's data: a page of members and one of occurrences, and the history. */
export async function groupPageData(knex: Knex, g: ErrorGroupRow, membersAfter?: [boolean, string, string], occurrencesAfter?: [number]) {
  const [members, occurrences, audit] = await Promise.all([
    listGroupMembers(knex, g.org_id, g.id, GROUP_PAGE_ROWS, membersAfter),
    listGroupOccurrences(knex, g.org_id, g.id, GROUP_PAGE_ROWS, occurrencesAfter),
    auditTrailOf(knex, g.org_id, 'error_group', g.id, HISTORY_SHOWN),
  ]);
  return { members, occurrences, history: historyOf(g, audit), historyCut: audit.length >= HISTORY_SHOWN };
}
