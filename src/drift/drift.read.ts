import { quote, type GuidanceContext } from '../classify/guidance.js';
import type { CsvColumn } from '../http/csv.js';
import { contextOf } from '../groups/groups.read.js';
import type { IntegrationRow } from '../integrations/integrations.queries.js';
import { shorten } from '../shared/shorten.js';
import type { DriftRow } from './drift.queries.js';

const FIELD_LABELS: Readonly<Record<string, string>> = { job_title: 'job title', department: 'department', branch: 'branch' };

export const driftKey = (d: DriftRow): [number, string, number] => [d.employees_blocked, d.last_seen_started_at.toISOString(), d.id];

/**
 * The one thing to do about a drifted value: rename it in the source to the
 * catalog value it nearly matches, or, when it matches none, create it in the
 * target's catalog. Values are quoted with their hidden characters shown;
 * `max` cuts long ones.
 */
export function fixOf(d: Pick<DriftRow, 'field' | 'value' | 'expected' | 'variant'>, { sourceSystem, targetSystem }: GuidanceContext, max?: number): string {
  const shown = (text: string) => quote(shorten(text, max));
  const label = FIELD_LABELS[d.field ?? ''] ?? 'value';
  if (d.value === null) return `Create the missing ${label} in ${targetSystem}`;
  if (d.expected === null || d.variant === 'unknown') return `Create ${shown(d.value)} in ${targetSystem}`;
  return `Rename ${shown(d.value)} to ${shown(d.expected)} in ${sourceSystem}`;
}

/** A drifted value as the API answers it. */
export const toDriftItem = (d: DriftRow, integration: IntegrationRow | undefined) => ({
  group: String(d.id),
  integration: String(d.integration_id),
  code: d.code,
  field: d.field,
  value: d.value,
  expected: d.expected,
  variant: d.variant,
  employees_blocked: d.employees_blocked,
  occurrences: d.occurrences,
  first_seen: d.first_seen_started_at.toISOString(),
  last_seen: d.last_seen_started_at.toISOString(),
  status: d.status,
  fix: fixOf(d, contextOf(integration)),
});

/** One row of the drift table: values cut and quoted, hidden characters shown. */
export function toDriftRow(d: DriftRow, integration: IntegrationRow | undefined) {
  return {
    id: d.id,
    href: `/error-groups/${d.id}`,
    integrationId: d.integration_id,
    integrationName: shorten(integration?.name ?? ''),
    field: FIELD_LABELS[d.field ?? ''] ?? d.field ?? '',
    value: d.value === null ? null : quote(shorten(d.value)),
    expected: d.expected === null ? null : quote(shorten(d.expected)),
    variant: (d.variant ?? 'unknown').replaceAll('_', ' '),
    employeesBlocked: d.employees_blocked,
    occurrences: d.occurrences,
    lastSeen: d.last_seen_started_at,
    status: d.status,
    fix: fixOf(d, contextOf(integration), 60),
  };
}

/** The columns of the drift CSV (page and API): values as sent, the fix with hidden characters shown. */
export function driftCsvColumns(integrationOf: (id: number) => IntegrationRow | undefined): CsvColumn<DriftRow>[] {
  return [
    { header: 'integration', cell: (d) => integrationOf(d.integration_id)?.name ?? '' },
    { header: 'field', cell: (d) => d.field },
    { header: 'value', cell: (d) => d.value },
    { header: 'expected', cell: (d) => d.expected },
    { header: 'variant', cell: (d) => d.variant },
    { header: 'employees_blocked', cell: (d) => d.employees_blocked },
    { header: 'occurrences', cell: (d) => d.occurrences },
    { header: 'last_seen', cell: (d) => d.last_seen_started_at },
    { header: 'fix', cell: (d) => fixOf(d, contextOf(integrationOf(d.integration_id))) },
    { header: 'group', cell: (d) => d.id },
  ];
}
