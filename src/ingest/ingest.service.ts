import type { Knex } from 'knex';
import { classifyRun } from '../classify/classify-run.js';
import { emailKey } from '../classify/normalise.js';
import { ERROR_CODES } from '../classify/error-enums.js';
import { APPLIED_OUTCOMES, EMPLOYEE_ATTRIBUTES, type RecordField, type RecordOutcome } from '../classify/feed-enums.js';
import type { FeedRun } from '../classify/types.js';
import { loadEmployeeStates, saveEmployeeStates } from '../employees/employee-states.queries.js';
import { saveEmployeeSummaries } from '../employees/employee-summaries.queries.js';
import { summariseRun } from '../employees/employee-summary.js';
import { ConflictError } from '../shared/errors.js';
import { analyzeIfOutgrown } from '../db/statistics.queries.js';
import { lockIntegration, recordRunKnowledge } from '../integrations/integrations.queries.js';
import { recordRunInGroups } from '../groups/groups.service.js';
import type { RunError } from '../groups/aggregate.js';
import { insertErrors, insertFeedRecords, type NewFeedRecord } from '../records/records.queries.js';
import { toRunSummary, type RunSummary } from '../runs/run-summary.js';
import { findSyncRunByRunId, insertSyncRun } from '../runs/runs.queries.js';
import { closeMissedRuns } from '../missed-runs/missed-runs.queries.js';
import { addRunToRollups } from '../trends/rollups.queries.js';
import type { FeedRunInput } from './feed.schema.js';

// The codes a run can carry: missed_run belongs to the integration, not to a run.
const RUN_CODES = ERROR_CODES.filter((code) => code !== 'missed_run');
const APPLIED: ReadonlySet<RecordOutcome> = new Set(APPLIED_OUTCOMES);

/** The rows of a run's records, built one at a time as the insert takes them. */
function* newFeedRecords(records: FeedRunInput['records'], recordErrors: unknown[][]): Generator<NewFeedRecord> {
  for (const [index, record] of records.entries()) {
    yield {
      index,
      external_id: record.external_id ?? null,
      action: record.action,
      outcome: record.outcome,
      attributes: Object.fromEntries(EMPLOYEE_ATTRIBUTES.map((name) => [name, record.employee[name] ?? null])) as NewFeedRecord['attributes'],
      error_count: recordErrors[index]?.length ?? 0,
      raw: record,
    };
  }
}

/**
 * Stores a run whole or not at all: the run, its records, its errors and the
 * employee state it leaves are written in one transaction. Runs of one
 * integration are serialised by a row lock, so two identical posts racing each
 * other store one run and the second answers 200.
 *
 * A late retry of an older run is classified against the state as it is now:
 * replaying history to rebuild the state as it was would cost a scan of every
 * later run. What it writes is guarded by started_at instead (employee states,
 * catalog, form fields, groups), so it can never overwrite newer knowledge.
 */
export async function ingestRun(
  knex: Knex,
  caller: { orgId: number; integrationId: number },
  run: FeedRunInput,
  bodySha256: string,
): Promise<{ created: boolean; summary: RunSummary }> {
  return knex.transaction(async (trx) => {
    const integration = await lockIntegration(trx, caller.orgId, caller.integrationId);
    const existing = await findSyncRunByRunId(trx, caller.orgId, caller.integrationId, run.run_id);
    if (existing) {
      if (existing.body_sha256 !== bodySha256) {
        throw new ConflictError(
          `Run '${run.run_id}' was stored already with a different body. A run_id is unique per integration; send a new run_id for a new run.`,
        );
      }
      return { created: false, summary: toRunSummary(existing, integration) };
    }

    const startedAt = new Date(run.started_at);
    const externalIds = [...new Set(run.records.map((r) => r.external_id).filter((id): id is string => !!id))];
    const emailKeys = [...new Set(run.records.map((r) => emailKey(r.employee.email)).filter((key): key is string => !!key))];
    const employees = await loadEmployeeStates(trx, caller.orgId, caller.integrationId, externalIds, emailKeys);
    const classified = classifyRun(run as FeedRun, {
      requiredFields: integration.required_fields as RecordField[],
      catalog: integration.catalog,
      formFields: integration.form_fields,
      employees,
    });

    const counts = { succeeded: 0, failed: 0, warning: 0 };
    for (const record of run.records) counts[record.outcome] += 1;
    const errorCounts = Object.fromEntries(RUN_CODES.map((code) => [code, 0])) as Record<string, number>;
    const errors: RunError[] = [
      ...classified.runErrors.map((error) => ({ ...error, record_index: null, external_id: null })),
      ...classified.recordErrors.flatMap((list, index) =>
        list.map((error) => ({ ...error, record_index: index, external_id: run.records[index]!.external_id ?? null })),
      ),
    ];
    for (const error of errors) errorCounts[error.code] = (errorCounts[error.code] ?? 0) + 1;

    const { records, ...header } = run;
    const stored = await insertSyncRun(trx, {
      org_id: caller.orgId,
      integration_id: caller.integrationId,
      run_id: run.run_id,
      schema_version: run.schema_version ?? 1,
      source_system: run.source_system ?? null,
      target_system: run.target_system ?? null,
      trigger: run.trigger,
      status: run.status,
      run_error: run.run_error ?? null,
      started_at: startedAt,
      finished_at: new Date(run.finished_at),
      record_count: records.length,
      counts,
      error_counts: errorCounts,
      body_sha256: bodySha256,
      header,
    });
    const scope = { orgId: caller.orgId, syncRunId: stored.id, integrationId: caller.integrationId, startedAt };
    // A run arriving late closes the integration's open missed-run gaps that began before it.
    await closeMissedRuns(trx, scope);
    await insertFeedRecords(trx, scope, newFeedRecords(records, classified.recordErrors));
    // As the join this replaces: any external ID that is not null, the empty one included.
    const applied = records.filter((record) => APPLIED.has(record.outcome) && record.external_id != null);
    const groupIds = await recordRunInGroups(
      trx,
      scope,
      errors,
      applied.map((record) => record.external_id!),
    );
    await insertErrors(
      trx,
      scope,
      errors.map((error, index) => ({ ...error, group_id: groupIds[index]! })),
    );
    await saveEmployeeStates(trx, scope, [...classified.employeeChanges.values()]);
    // After the groups: the summaries count each employee's open errors as this run left them.
    const newEmployees = await saveEmployeeSummaries(
      trx,
      scope,
      summariseRun(
        records,
        classified.recordErrors.map((list) => list.filter((error) => error.severity === 'error').length),
      ),
    );
    // A young table planned without statistics ties every index on (organisation, integration): the pages' reads need them.
    await analyzeIfOutgrown(trx, 'employee_summaries', newEmployees);
    await addRunToRollups(trx, {
      orgId: caller.orgId,
      integrationId: caller.integrationId,
      startedAt,
      finishedAt: new Date(run.finished_at),
      status: run.status,
      recordCount: records.length,
      counts,
      errorCounts,
    });
    await recordRunKnowledge(trx, integration, startedAt, run.catalog, run.form_fields as FeedRun['form_fields'], run);
    return { created: true, summary: toRunSummary(stored, integration) };
  });
}
