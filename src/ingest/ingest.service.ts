import type { Knex } from 'knex';
import { classifyRun } from '../classify/classify-run.js';
import { emailKey } from '../classify/normalise.js';
import { ERROR_CODES } from '../classify/error-enums.js';
import { APPLIED_OUTCOMES, type RecordField, type RecordOutcome } from '../classify/feed-enums.js';
import type { Catalog, EmployeeState, FeedRun, FormField } from '../classify/types.js';
import { sameState } from '../classify/employee-state.js';
import { loadEmployeeStates, saveEmployeeStates } from '../employees/employee-states.queries.js';
import { insertStateVersions, loadStatesAsOf, type RunPosition, type StateVersion } from '../employees/employee-versions.queries.js';
import { saveEmployeeSummaries } from '../employees/employee-summaries.queries.js';
import { summariseRun } from '../employees/employee-summary.js';
import { ConflictError } from '../shared/errors.js';
import { analyzeIfOutgrown } from '../db/statistics.queries.js';
import { type IntegrationRow, lockIntegration, recordRunKnowledge } from '../integrations/integrations.queries.js';
import { knowledgeBefore } from '../recheck/recheck.queries.js';
import { recheckAfterLateRun } from '../recheck/recheck.service.js';
import { recordRunInGroups } from '../groups/groups.service.js';
import type { RunError } from '../groups/aggregate.js';
import { insertErrors, insertFeedRecords, type NewFeedRecord } from '../records/records.queries.js';
import { toRunSummary, type RunSummary } from '../runs/run-summary.js';
import { findSyncRunByRunId, insertSyncRun } from '../runs/runs.queries.js';
import { closeMissedRuns } from '../missed-runs/missed-runs.queries.js';
import { addRunToRollups } from '../trends/rollups.queries.js';
import type { FeedRunInput } from './feed.schema.js';
import { canonicalHash } from './canonical-json.js';
import { ensureRecordPartitions } from '../retention/partitions.js';
import { collectGarbage, LARGE_RUN_RECORDS } from './heap.js';

// The codes a run can carry: missed_run belongs to the integration, not to a run.
const RUN_CODES = ERROR_CODES.filter((code) => code !== 'missed_run');
const APPLIED: ReadonlySet<RecordOutcome> = new Set(APPLIED_OUTCOMES);

/** The rows of a run's records, built one at a time as the COPY takes them. */
function* newFeedRecords(records: FeedRunInput['records'], recordErrors: unknown[][]): Generator<NewFeedRecord> {
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    yield {
      index,
      external_id: record.external_id ?? null,
      action: record.action,
      outcome: record.outcome,
      error_count: recordErrors[index]?.length ?? 0,
      raw: record,
    };
  }
}

/** The states a run changed, as versions of the state's history (a run that re-sends what the target holds adds none). */
function changedStates(before: ReadonlyMap<string, EmployeeState>, after: ReadonlyMap<string, EmployeeState>, run: RunPosition): StateVersion[] {
  return [...after.values()].filter((state) => !sameState(before.get(state.external_id), state)).map((state) => ({ ...state, ...run }));
}

/** Catalog and form fields in force for a late run that sends none: the newest sent by a run before it. */
async function knowledgeInForceAt(trx: Knex.Transaction, integration: IntegrationRow, position: RunPosition) {
  const scope = { orgId: integration.org_id, integrationId: integration.id };
  const sentBefore = (at: Date | null) => at !== null && at.getTime() <= position.startedAt.getTime();
  return {
    catalog: sentBefore(integration.catalog_started_at) ? integration.catalog : ((await knowledgeBefore(trx, scope, position, 'catalog')) as Catalog | null),
    formFields: sentBefore(integration.form_fields_started_at)
      ? integration.form_fields
      : ((await knowledgeBefore(trx, scope, position, 'form_fields')) as FormField[] | null),
  };
}

const sameJson = (a: unknown, b: unknown) => canonicalHash(a) === canonicalHash(b ?? null);

/**
 * Stores a run whole or not at all: the run, its records, its errors and the
 * employee state it leaves are written in one transaction. Runs of one
 * integration are serialised by a row lock, so two identical posts racing each
 * other store one run and the second answers 200.
 *
 * A run that arrives after runs that started later is classified against the
 * employee state, catalog and form fields as of its own started_at, and the
 * later records it affects are checked again (src/recheck), so the result is
 * the same in every order of arrival. What it writes is guarded by started_at
 * (employee states, catalog, form fields, groups), so it never overwrites newer
 * knowledge.
 */
export async function ingestRun(
  knex: Knex,
  caller: { orgId: number; integrationId: number },
  run: FeedRunInput,
  bodySha256: string,
): Promise<{ created: boolean; summary: RunSummary }> {
  // The run's month partition, before the transaction (src/retention/partitions.ts).
  await ensureRecordPartitions(knex, new Date(run.started_at));
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
    const late = integration.last_run_started_at !== null && startedAt < integration.last_run_started_at;
    const externalIds = [...new Set(run.records.map((r) => r.external_id).filter((id): id is string => !!id))];
    const emailKeys = [...new Set(run.records.map((r) => emailKey(r.employee.email)).filter((key): key is string => !!key))];
    const known = { orgId: caller.orgId, integrationId: caller.integrationId };
    // Every run stored so far comes before this one in run order (at the same started_at, it arrived first).
    const beforeThisRun = { startedAt, syncRunId: Number.MAX_SAFE_INTEGER };
    const employees = late
      ? await loadStatesAsOf(trx, known, beforeThisRun, externalIds, emailKeys)
      : await loadEmployeeStates(trx, caller.orgId, caller.integrationId, externalIds, emailKeys);
    const inForce = late ? await knowledgeInForceAt(trx, integration, beforeThisRun) : { catalog: integration.catalog, formFields: integration.form_fields };
    const classified = classifyRun(run as FeedRun, {
      requiredFields: integration.required_fields as RecordField[],
      catalog: inForce.catalog,
      formFields: inForce.formFields,
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

    // Between the large steps of a large run, the garbage of the one before goes (heap.ts says why).
    const settle = run.records.length >= LARGE_RUN_RECORDS ? collectGarbage : async () => {};
    await settle();
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
    await settle();
    // As the join this replaces: any external ID that is not null, the empty one included.
    const applied = records.filter((record) => APPLIED.has(record.outcome) && record.external_id != null);
    const newestStartedAt = late ? integration.last_run_started_at! : startedAt;
    const groupIds = await recordRunInGroups(
      trx,
      scope,
      errors,
      applied.map((record) => record.external_id!),
      newestStartedAt,
    );
    await insertErrors(
      trx,
      scope,
      errors.map((error, index) => ({ ...error, group_id: groupIds[index]! })),
    );
    await settle();
    await saveEmployeeStates(trx, scope, [...classified.employeeChanges.values()]);
    const versions = changedStates(employees, classified.employeeChanges, { startedAt, syncRunId: stored.id });
    await insertStateVersions(trx, known, versions);
    await analyzeIfOutgrown(trx, 'employee_state_versions', versions.length);
    await settle();
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
    if (late) {
      await recheckAfterLateRun(trx, {
        ...known,
        startedAt,
        syncRunId: stored.id,
        requiredFields: integration.required_fields as RecordField[],
        statesBefore: employees,
        statesAfter: classified.employeeChanges,
        changedIds: versions.map((version) => version.external_id),
        catalogChanged: run.catalog != null && !sameJson(run.catalog, inForce.catalog),
        formFieldsChanged: run.form_fields != null && !sameJson(run.form_fields, inForce.formFields),
        newestStartedAt,
        groupIds: [...new Set(groupIds)],
      });
    }
    await recordRunKnowledge(trx, integration, startedAt, run.catalog, run.form_fields as FeedRun['form_fields'], run);
    return { created: true, summary: toRunSummary(stored, integration) };
  });
}
