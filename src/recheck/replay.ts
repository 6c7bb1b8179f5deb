/**
 * The pure part of re-checking after a late run: how the employee states of the IDs it
 * changed evolve through the later runs' applied records, and which emails those states
 * held (whose holders, and so whose email_in_use, may have changed). No I/O.
 */
import { nextState, sameState } from '../classify/employee-state.js';
import { emailKey } from '../classify/normalise.js';
import type { EmployeeState, FeedRecord } from '../classify/types.js';
import type { RunPosition, StateVersion } from '../employees/employee-versions.queries.js';

/** An applied record of a later run, with its place in run order. */
export interface LaterAppliedRecord extends RunPosition {
  external_id: string;
  index: number;
  action: FeedRecord['action'];
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

/**
 * The states the later records leave, one version per run that changed the state,
 * starting from the state the late run left. `records` are one ID's, in run order
 * (started_at, run, index).
 */
export function replayVersions(start: EmployeeState | undefined, records: readonly LaterAppliedRecord[]): StateVersion[] {
  const versions: StateVersion[] = [];
  let state = start;
  let stateBeforeRun = start;
  records.forEach((record, position) => {
    const feedRecord: FeedRecord = {
      external_id: record.external_id,
      action: record.action,
      outcome: 'succeeded',
      employee: { first_name: record.first_name, last_name: record.last_name, email: record.email },
    };
    state = nextState(state, feedRecord, record.external_id) ?? state;
    const next = records[position + 1];
    const runEnds = next === undefined || next.syncRunId !== record.syncRunId;
    if (!runEnds) return;
    if (state !== undefined && !sameState(state, stateBeforeRun)) {
      versions.push({ ...state, startedAt: record.startedAt, syncRunId: record.syncRunId });
    }
    stateBeforeRun = state;
  });
  return versions;
}

/** The email keys these states held: whose holders a change among them may have changed. */
export function emailKeysOf(states: ReadonlyArray<EmployeeState | undefined>): string[] {
  const keys = new Set<string>();
  for (const state of states) {
    const key = emailKey(state?.email);
    if (key !== null) keys.add(key);
  }
  return [...keys];
}

/** Groups items by a key, keeping their order. */
export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
