/**
 * The employee state of error-codes.md as it evolves through one run: the state earlier
 * runs left (the context's map, never modified) plus the changes of this run's applied
 * records, in array order. Also keeps, per email, which external_ids hold it while
 * active, so email_in_use is one Map look-up per record.
 */
import type { EmployeeState, FeedRecord } from './types.js';
import { emailKey } from './normalise.js';
import { fieldValue } from './record-checks.js';

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function stateFromRecord(id: string, record: FeedRecord, active: boolean): EmployeeState {
  return {
    external_id: id,
    active,
    first_name: stringOrNull(fieldValue(record, 'first_name')),
    last_name: stringOrNull(fieldValue(record, 'last_name')),
    email: stringOrNull(fieldValue(record, 'email')),
  };
}

/**
 * The state an applied record leaves, given the state before it (the same object when it
 * changes nothing): create, update and reactivate set the person and make them active;
 * deactivate keeps the person as the target knew them; a skip only makes an unknown ID
 * active.
 */
export function nextState(old: EmployeeState | undefined, record: FeedRecord, id: string): EmployeeState | undefined {
  switch (record.action) {
    case 'create':
    case 'update':
    case 'reactivate':
      return stateFromRecord(id, record, true);
    case 'deactivate':
      return old ? { ...old, active: false } : stateFromRecord(id, record, false);
    case 'skip':
      return old ?? stateFromRecord(id, record, true);
    default:
      return old;
  }
}

/** Whether two states are the same for every rule that reads them. */
export function sameState(a: EmployeeState | undefined, b: EmployeeState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.active === b.active && a.first_name === b.first_name && a.last_name === b.last_name && a.email === b.email;
}

export class EmployeeLedger {
  private readonly before: ReadonlyMap<string, EmployeeState>;
  private readonly changed = new Map<string, EmployeeState>();
  /** Email key -> external_ids that hold it while active (arrays: almost always one holder). */
  private readonly activeHolders = new Map<string, string[]>();

  constructor(before: ReadonlyMap<string, EmployeeState>) {
    this.before = before;
    for (const [id, state] of before) {
      if (state.active) this.addHolder(emailKey(state.email), id);
    }
  }

  /** The state as earlier runs left it. */
  previous(id: string): EmployeeState | undefined {
    return this.before.get(id);
  }

  /** The state as earlier runs and the earlier records of this run left it. */
  current(id: string): EmployeeState | undefined {
    return this.changed.get(id) ?? this.before.get(id);
  }

  /**
   * email_in_use: a create, or an update whose email differs from the state's, carrying an
   * email another external_id holds while active. A deactivated holder frees the email.
   */
  emailInUse(record: FeedRecord, id: string | null): boolean {
    if (record.action !== 'create' && record.action !== 'update') return false;
    const email = emailKey(fieldValue(record, 'email'));
    if (email === null) return false;
    if (record.action === 'update' && id !== null) {
      const state = this.current(id);
      if (state && emailKey(state.email) === email) return false;
    }
    const holders = this.activeHolders.get(email);
    return holders?.some((holder) => holder !== id) ?? false;
  }

  /** Applies an applied (succeeded or warning) record whose external_id is `id`. */
  apply(record: FeedRecord, id: string | null): void {
    if (id === null) return;
    const old = this.current(id);
    const next = nextState(old, record, id);
    if (next === undefined || next === old) return;
    if (old?.active) this.removeHolder(emailKey(old.email), id);
    if (next.active) this.addHolder(emailKey(next.email), id);
    this.changed.set(id, next);
  }

  /** The final state of every external_id this run changed (the ledger's own map: a ledger serves one run). */
  changes(): Map<string, EmployeeState> {
    return this.changed;
  }

  private addHolder(email: string | null, id: string): void {
    if (email === null) return;
    const holders = this.activeHolders.get(email);
    if (!holders) this.activeHolders.set(email, [id]);
    else if (!holders.includes(id)) holders.push(id);
  }

  private removeHolder(email: string | null, id: string): void {
    if (email === null) return;
    const holders = this.activeHolders.get(email);
    if (!holders) return;
    const remaining = holders.filter((holder) => holder !== id);
    if (remaining.length === 0) this.activeHolders.delete(email);
    else this.activeHolders.set(email, remaining);
  }
}
