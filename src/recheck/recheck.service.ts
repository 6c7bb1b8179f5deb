/**
 * What a late run changes after it: a run that arrives after runs that started later is
 * classified against the employee state as of its own started_at (ingest does that), and
 * then, here, the later records it affects are checked again, so that the result does not
 * depend on the order in which runs arrive (error-codes.md).
 *
 * A later record's errors depend on what came before it only through the employee state
 * (duplicate_external_id across runs, recreated_after_delete, email_in_use) and the
 * catalog and form fields in force. So the late run affects:
 *   - the later records of the external IDs whose state it changed, and of every email
 *     those IDs held before or after (whose holders may have changed);
 *   - when it sent a catalog (form fields) different from the one in force, the checked
 *     records (and, for form fields, the run-level errors) of the later runs that sent
 *     none, up to the first that sent its own.
 * The states themselves come from applied records only, never from errors: the late run's
 * IDs are replayed through their own later records, and nothing else changes.
 *
 * Each affected later run is classified again on just enough of its records to decide the
 * affected ones exactly (classifyRun on a part of the run): the affected records, every
 * record of their IDs, of their emails and of those emails' holders. Its errors, groups,
 * members, counts and rollups are then corrected by the difference. The cost is bounded
 * by those employees' and emails' later records, never a replay of the whole history.
 */
import type { Knex } from 'knex';
import { classifyRun } from '../classify/classify-run.js';
import { emailKey } from '../classify/normalise.js';
import { idOf } from '../classify/people.js';
import { fieldValue } from '../classify/record-checks.js';
import type { Catalog, ClassifiedError, EmployeeState, FeedRun, FormField } from '../classify/types.js';
import type { RecordField } from '../classify/feed-enums.js';
import { overwriteEmployeeStates } from '../employees/employee-states.queries.js';
import { recountOpenErrors } from '../employees/employee-summaries.queries.js';
import { type RunPosition, loadStatesAsOf, replaceVersionsAfter, versionsAfter } from '../employees/employee-versions.queries.js';
import { addErrorsToGroups, removeErrorsFromGroups } from '../groups/groups.service.js';
import type { RunError } from '../groups/aggregate.js';
import { refreshSeen, settleStatuses } from '../groups/group-changes.queries.js';
import { insertErrors, setRecordErrorCounts } from '../records/records.queries.js';
import { addToRunErrorCounts } from '../runs/runs.queries.js';
import { addToErrorCounts } from '../trends/rollups.queries.js';
import {
  type LaterRun,
  type StoredError,
  type StoredRecord,
  appliedRecordsAfter,
  checkedRecordsOfRun,
  deleteErrors,
  errorsOfRecords,
  knowledgeBefore,
  recordsOfEmployees,
  runsByIds,
  runsRelyingOnKnowledgeAfter,
} from './recheck.queries.js';
import { emailKeysOf, groupBy, replayVersions } from './replay.js';

export interface LateRun extends RunPosition {
  orgId: number;
  integrationId: number;
  requiredFields: readonly RecordField[];
  /** The states as of the late run (its classifier's context) and as it left them. */
  statesBefore: ReadonlyMap<string, EmployeeState>;
  statesAfter: ReadonlyMap<string, EmployeeState>;
  /** The IDs whose state it changed: those it wrote a version for. */
  changedIds: string[];
  /** Whether it sent a catalog or form fields that differ from the ones in force before it. */
  catalogChanged: boolean;
  formFieldsChanged: boolean;
  /** The newest started_at of the integration's runs, this one included. */
  newestStartedAt: Date;
  /** Groups the late run's own errors went to: their status is settled with the others'. */
  groupIds: number[];
}

/** The records of a later run to check again, and whether its run-level errors are to be checked too. */
interface Affected {
  run: LaterRun;
  records: StoredRecord[];
  runLevel: boolean;
}

export async function recheckAfterLateRun(trx: Knex.Transaction, late: LateRun): Promise<void> {
  const scope = { orgId: late.orgId, integrationId: late.integrationId };
  const { changedIds } = late;
  const emails = await replayLaterStates(trx, late, changedIds);

  const affectedRecords = (await recordsOfEmployees(trx, scope, { after: late }, changedIds, emails)).filter(concerns(new Set(changedIds), new Set(emails)));
  const byRun = groupBy(affectedRecords, (record) => record.syncRunId);
  const catalogRuns = late.catalogChanged ? await runsRelyingOnKnowledgeAfter(trx, scope, late, 'catalog') : [];
  const formFieldRuns = late.formFieldsChanged ? await runsRelyingOnKnowledgeAfter(trx, scope, late, 'form_fields') : [];
  const knowledgeRuns = new Set([...catalogRuns, ...formFieldRuns].map((run) => run.syncRunId));
  const formFieldRunIds = new Set(formFieldRuns.map((run) => run.syncRunId));
  const runs = await runsByIds(trx, scope, [...new Set([...byRun.keys(), ...knowledgeRuns])]);

  const touchedGroups = new Set(late.groupIds);
  const touchedEmployees = new Set<string>();
  for (const run of runs) {
    const records = byRun.get(run.syncRunId) ?? [];
    const affected: Affected = { run, records, runLevel: formFieldRunIds.has(run.syncRunId) };
    if (knowledgeRuns.has(run.syncRunId)) affected.records = mergeByIndex(records, await checkedRecordsOfRun(trx, late.orgId, run));
    await recheckRun(trx, late, affected, touchedGroups, touchedEmployees);
  }
  await settleStatuses(trx, scope, [...touchedGroups], late.newestStartedAt);
  await recountOpenErrors(trx, scope, [...touchedEmployees]);
}

/**
 * Replays the later applied records of the IDs the late run changed on the states it
 * left: their later versions and newest states. Returns every email key those IDs held
 * from before the late run on, before or after the replay.
 */
async function replayLaterStates(trx: Knex.Transaction, late: LateRun, changedIds: string[]): Promise<string[]> {
  const scope = { orgId: late.orgId, integrationId: late.integrationId };
  const oldVersions = await versionsAfter(trx, scope, late, changedIds);
  const laterRecords = groupBy(await appliedRecordsAfter(trx, scope, late, changedIds), (record) => record.external_id);
  const newVersions = changedIds.flatMap((id) => replayVersions(late.statesAfter.get(id), laterRecords.get(id) ?? []));
  await replaceVersionsAfter(trx, scope, late, changedIds, newVersions);

  // IDs with later applied records hold, in employee_states, what those left: set it again, with the
  // run that last set it (as ingest does: the last applied record other than a skip, which sets nothing
  // once a state exists).
  const lastVersion = new Map(newVersions.map((version) => [version.external_id, version]));
  const newest: Array<EmployeeState & RunPosition> = [];
  for (const [id, records] of laterRecords) {
    const state = lastVersion.get(id) ?? late.statesAfter.get(id);
    const setter = records.findLast((record) => record.action !== 'skip') ?? late;
    if (state) newest.push({ ...state, startedAt: setter.startedAt, syncRunId: setter.syncRunId });
  }
  await overwriteEmployeeStates(trx, scope, newest);

  return emailKeysOf([
    ...changedIds.map((id) => late.statesBefore.get(id)),
    ...changedIds.map((id) => late.statesAfter.get(id)),
    ...oldVersions,
    ...newVersions,
  ]);
}

/**
 * Whether a stored record is one of these IDs' or emails' (the indexes match prefixes and
 * lower-cased emails: this decides on the whole values, as the classifier compares them).
 */
function concerns(ids: ReadonlySet<string>, emails: ReadonlySet<string>): (record: StoredRecord) => boolean {
  return (record) => ids.has(idOf(record) ?? '') || emails.has(emailKey(fieldValue(record, 'email')) ?? '');
}

function mergeByIndex(a: StoredRecord[], b: StoredRecord[]): StoredRecord[] {
  const byIndex = new Map<number, StoredRecord>();
  for (const record of [...a, ...b]) byIndex.set(record.index, record);
  return [...byIndex.values()].sort((x, y) => x.index - y.index);
}

/**
 * The records of one run that decide the affected ones' errors: every record of their IDs
 * (within-run duplicates, the state through the run), and of their emails and of those
 * emails' holders before the run (who holds each email at each record); then every record
 * of the IDs found by email, so that each holder's state through the run is whole.
 */
async function partOfRun(trx: Knex.Transaction, late: LateRun, affected: Affected) {
  const scope = { orgId: late.orgId, integrationId: late.integrationId };
  const position = affected.run;
  const ids = new Set(affected.records.map(idOf).filter((id): id is string => id !== null));
  const emails = new Set(affected.records.map((record) => emailKey(fieldValue(record, 'email'))).filter((key): key is string => key !== null));
  const states = await loadStatesAsOf(trx, scope, position, [...ids], [...emails]);
  for (const state of states.values()) {
    if (state.active && emails.has(emailKey(state.email) ?? '')) ids.add(state.external_id);
  }
  const found = (await recordsOfEmployees(trx, scope, { run: position }, [...ids], [...emails])).filter(concerns(ids, emails));
  const moreIds = [...new Set(found.map(idOf).filter((id): id is string => id !== null && !ids.has(id)))];
  const more = await recordsOfEmployees(trx, scope, { run: position }, moreIds, []);
  const moreIdSet = new Set(moreIds);
  for (const [id, state] of await loadStatesAsOf(trx, scope, position, moreIds, [])) states.set(id, state);
  const records = mergeByIndex(
    affected.records,
    mergeByIndex(
      found,
      more.filter((record) => moreIdSet.has(idOf(record) ?? '')),
    ),
  );
  return { records, states };
}

/** The catalog and form fields in force for a later run: its own, else the newest sent before it. */
async function knowledgeOf(trx: Knex.Transaction, late: LateRun, run: LaterRun) {
  const scope = { orgId: late.orgId, integrationId: late.integrationId };
  return {
    catalog: run.catalog ?? ((await knowledgeBefore(trx, scope, run, 'catalog')) as Catalog | null),
    formFields: run.formFields ?? ((await knowledgeBefore(trx, scope, run, 'form_fields')) as FormField[] | null),
  };
}

const errorKey = (error: ClassifiedError) => JSON.stringify([error.code, error.severity, error.field, error.value, error.expected, error.variant]);

/** What is in `a` and not in `b`, counting repeats. */
function without<T extends ClassifiedError>(a: T[], b: ClassifiedError[]): T[] {
  const left = new Map<string, number>();
  for (const error of b) left.set(errorKey(error), (left.get(errorKey(error)) ?? 0) + 1);
  return a.filter((error) => {
    const key = errorKey(error);
    const count = left.get(key) ?? 0;
    if (count === 0) return true;
    left.set(key, count - 1);
    return false;
  });
}

async function recheckRun(trx: Knex.Transaction, late: LateRun, affected: Affected, touchedGroups: Set<number>, touchedEmployees: Set<string>): Promise<void> {
  const { run } = affected;
  const { records, states } = await partOfRun(trx, late, affected);
  const knowledge = await knowledgeOf(trx, late, run);
  const feedRun: FeedRun = {
    run_id: run.runId,
    started_at: run.startedAt.toISOString(),
    status: run.status as FeedRun['status'],
    run_error: run.runError,
    catalog: run.catalog,
    form_fields: run.formFields,
    records,
  };
  const classified = classifyRun(feedRun, {
    requiredFields: late.requiredFields,
    catalog: knowledge.catalog,
    formFields: knowledge.formFields,
    employees: states,
  });

  const checkedIndexes = new Set(affected.records.map((record) => record.index));
  const stored = groupBy(await errorsOfRecords(trx, late.orgId, run, [...checkedIndexes], affected.runLevel), (error) => error.record_index);
  const removed: StoredError[] = [];
  const added: RunError[] = [];
  const newCounts = new Map<number, number>();
  records.forEach((record, position) => {
    if (!checkedIndexes.has(record.index)) return;
    const now = classified.recordErrors[position] ?? [];
    const before = stored.get(record.index) ?? [];
    const gone = without(before, now);
    const come = without(now, before);
    if (gone.length === 0 && come.length === 0) return;
    const externalId = record.external_id ?? null;
    removed.push(...gone);
    added.push(...come.map((error) => ({ ...error, record_index: record.index, external_id: externalId })));
    newCounts.set(record.index, now.length);
    if (externalId) touchedEmployees.add(externalId);
  });
  if (affected.runLevel) {
    const before = stored.get(null) ?? [];
    removed.push(...without(before, classified.runErrors));
    added.push(...without(classified.runErrors, before).map((error) => ({ ...error, record_index: null, external_id: null })));
  }
  if (removed.length === 0 && added.length === 0) return;

  const runScope = { orgId: late.orgId, integrationId: late.integrationId, syncRunId: run.syncRunId, startedAt: run.startedAt };
  const externalIdAt = new Map(records.map((record) => [record.index, record.external_id ?? null]));
  await deleteErrors(
    trx,
    runScope,
    removed.map((error) => error.id),
  );
  await removeErrorsFromGroups(
    trx,
    runScope,
    removed.map((error) => ({ group_id: error.group_id, external_id: error.record_index === null ? null : (externalIdAt.get(error.record_index) ?? null) })),
  );
  const groupIds = await addErrorsToGroups(trx, runScope, added);
  await insertErrors(
    trx,
    runScope,
    added.map((error, index) => ({ ...error, group_id: groupIds[index]! })),
  );
  const groupsOfRun = [...new Set([...removed.map((error) => error.group_id), ...groupIds])];
  await refreshSeen(trx, late.orgId, groupsOfRun, run.startedAt);
  for (const id of groupsOfRun) touchedGroups.add(id);
  await setRecordErrorCounts(trx, runScope, newCounts);
  const deltas: Record<string, number> = {};
  for (const error of removed) deltas[error.code] = (deltas[error.code] ?? 0) - 1;
  for (const error of added) deltas[error.code] = (deltas[error.code] ?? 0) + 1;
  await addToRunErrorCounts(trx, late.orgId, run.syncRunId, deltas);
  await addToErrorCounts(trx, runScope, deltas);
}
