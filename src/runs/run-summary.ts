import type { IntegrationRow } from '../integrations/integrations.queries.js';
import type { SyncRunRow } from './runs.queries.js';

/** A stored run as the ingest answer and the runs API show it. */
export interface RunSummary {
  id: string;
  run_id: string;
  integration: { id: string; name: string };
  trigger: string;
  status: string;
  started_at: string;
  finished_at: string;
  received_at: string;
  record_count: number;
  counts: Record<string, number>;
  error_counts: Record<string, number>;
}

export function toRunSummary(run: SyncRunRow, integration: Pick<IntegrationRow, 'id' | 'name'>): RunSummary {
  return {
    id: String(run.id),
    run_id: run.run_id,
    integration: { id: String(integration.id), name: integration.name },
    trigger: run.trigger,
    status: run.status,
    started_at: run.started_at.toISOString(),
    finished_at: run.finished_at.toISOString(),
    received_at: run.received_at.toISOString(),
    record_count: run.record_count,
    counts: run.counts,
    error_counts: run.error_counts,
  };
}
