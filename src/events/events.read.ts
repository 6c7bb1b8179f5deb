import type { CsvColumn } from '../http/csv.js';
import type { EventRow } from './events.queries.js';

export const eventKey = (row: EventRow): [string, number] => [row.due_at.toISOString(), row.id];

/** An event as the API answers it: a missed_run is one gap in the integration's runs. */
export const toEventItem = (row: EventRow) => ({
  id: String(row.id),
  integration: { id: String(row.integration_id), name: row.integration_name },
  code: row.code as 'missed_run',
  severity: row.severity as 'error' | 'info',
  expected: row.details.expected ?? null,
  due_at: row.due_at.toISOString(),
  last_due_at: row.last_due_at?.toISOString() ?? null,
  missed_slots: row.missed_slots,
  detected_at: row.occurred_at.toISOString(),
  resolved_at: row.resolved_at?.toISOString() ?? null,
  resolved_by_run: row.resolved_by_sync_run_id === null ? null : String(row.resolved_by_sync_run_id),
});

export const EVENT_CSV_COLUMNS: CsvColumn<EventRow>[] = [
  { header: 'id', cell: (e) => e.id },
  { header: 'integration', cell: (e) => e.integration_name },
  { header: 'code', cell: (e) => e.code },
  { header: 'expected', cell: (e) => e.details.expected ?? '' },
  { header: 'due_at', cell: (e) => e.due_at },
  { header: 'last_due_at', cell: (e) => e.last_due_at },
  { header: 'missed_slots', cell: (e) => e.missed_slots },
  { header: 'detected_at', cell: (e) => e.occurred_at },
  { header: 'resolved_at', cell: (e) => e.resolved_at },
  { header: 'resolved_by_run', cell: (e) => e.resolved_by_sync_run_id },
];
