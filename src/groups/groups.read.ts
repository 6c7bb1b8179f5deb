import type { ErrorGroupRow } from './groups.queries.js';

/** A group as the API answers it; the page shows the same item with more beside it. */
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
  status: g.status,
  status_changed_at: g.status_changed_at.toISOString(),
});
