/**
 * A seeded, pure generator of a sync engine's runs (no I/O, no clock): a
 * workforce that evolves slot by slot on the integration's schedule (people
 * join and leave, values drift from the target's catalog and are fixed, the
 * catalog gains values), and the run documents of feed-format.md an engine of
 * the chosen kind would send about it, with its own wordings.
 *
 * The same options give the same runs, byte for byte. Each run also says what
 * the simulator meant to go wrong (`expected`), so tests can hold the
 * classifier's findings against it.
 */
import { Cron } from 'croner';
import type { Schedule } from '../integrations/schedule.js';
import {
  BASE_CATALOG,
  type CatalogField,
  ENGINES,
  type EngineKind,
  type EngineMessage,
  type EngineProfile,
  FIRST_NAMES,
  LAST_NAMES,
  NEW_VALUES,
  runFailure,
  transientFailure,
} from './engines.js';
import type { ErrorKind, ErrorMix } from './error-mix.js';
import { mixSeed, Random } from './random.js';

export interface TimeWindow {
  from: Date;
  /** Exclusive; null: never ends. */
  to: Date | null;
}

/** Events placed on the timeline. Absent ones are placed by the seed when the error mix has their kind. */
export interface Scenario {
  /** Every run that starts inside fails as a whole (status failed, run_error). */
  failedRuns?: TimeWindow[];
  /** No run at all: the engine is down. */
  silences?: TimeWindow[];
  /** Runs inside send only `share` (0..1) of the employees. */
  drops?: (TimeWindow & { share: number })[];
  /** Planday: the mandatory "Job title (Flow)" form field is archived. */
  archivedField?: TimeWindow[];
  /** From then on the target's catalog has the values the source had started to use. */
  catalogFixAt?: Date | null;
}

export interface SimulationOptions {
  kind: EngineKind;
  schedule: Schedule;
  /** Headcount at the start (it drifts a little as people join and leave). */
  employees: number;
  errors: ErrorMix;
  seed: number;
  /** The first slot at or after this is the engine's initial run: the story starts there. */
  start: Date;
  /** Where seeded events are placed, when the scenario does not place them (default: start + 7 days). */
  horizon?: Date;
  scenario?: Scenario;
}

export interface ExpectedError {
  /** The record's index in `records`; null for a run-level error. */
  index: number | null;
  code: string;
  field: string | null;
  variant: string | null;
  /** The catalog value it was meant to be, when the engine sends a catalog and the variant has one. */
  expected: string | null;
}

export interface RunBody {
  schema_version: 1;
  run_id: string;
  source_system: string;
  target_system: string;
  trigger: 'scheduled' | 'manual' | 'initial';
  started_at: string;
  finished_at: string;
  status: 'completed' | 'completed_with_errors' | 'failed';
  run_error: string | null;
  catalog?: { job_titles: string[]; departments: string[]; branches: string[] };
  form_fields?: { name: string; maps_to: string | null; mandatory: boolean; archived: boolean }[];
  records: RecordBody[];
}

export interface RecordBody {
  external_id: string | null;
  action: 'create' | 'update' | 'deactivate' | 'reactivate' | 'skip';
  outcome: 'succeeded' | 'failed' | 'warning';
  employee: Record<string, string | null>;
  messages: EngineMessage[];
}

/** What happened in a run, beside its body: for progress lines, tests and the demo's summary. */
export type RunEvent = 'initial' | 'failed-run' | 'volume-drop' | 'archived-field' | 'catalog-fix';

export interface SimulatedRun {
  /** The schedule's slot the run belongs to. */
  slot: Date;
  startedAt: Date;
  finishedAt: Date;
  body: RunBody;
  events: RunEvent[];
  expected: ExpectedError[];
}

// ---------------------------------------------------------------------------
// Schedule slots

/** The schedule's slots from `start` on (the first at or after it), endlessly. */
export function* slotsFrom(schedule: Schedule, start: Date): Generator<Date> {
  if (schedule.kind === 'interval') {
    const step = schedule.seconds * 1000;
    for (let at = start.getTime(); ; at += step) yield new Date(at);
  }
  const cron = new Cron(schedule.expression, { timezone: schedule.timeZone, paused: true });
  let next = cron.nextRun(new Date(start.getTime() - 1));
  while (next) {
    yield next;
    next = cron.nextRun(next);
  }
}

function slotSeconds(schedule: Schedule): number {
  if (schedule.kind === 'interval') return schedule.seconds;
  const slots = slotsFrom(schedule, new Date('2026-01-05T00:00:00Z'));
  const a = slots.next().value as Date;
  const b = slots.next().value as Date;
  return Math.max(60, (b.getTime() - a.getTime()) / 1000);
}

// ---------------------------------------------------------------------------
// The workforce

type IssueType = 'mismatch' | 'missing' | 'invalid' | 'email-in-use' | 'duplicate-id';
type MismatchVariant = 'spacing' | 'case' | 'case_and_spacing' | 'unicode' | 'typo' | 'unknown';

interface Issue {
  type: IssueType;
  field: string;
  /** The value the source sends while the issue lasts (undefined: the field is left as it is). */
  value?: string | null;
  variant?: MismatchVariant;
  /** The catalog value it was meant to be. */
  meant?: string;
  /** The slot index from which it is fixed in the source; null: until the catalog fix adds `value`. */
  until: number | null;
  outcome: 'failed' | 'warning';
  /** duplicate-id: the other person sent under this employee's ID. */
  twin?: Employee;
  /** email-in-use: the employee whose email this joiner was given. */
  holder?: Employee;
}

interface Employee {
  n: number;
  externalId: string;
  first: string;
  last: string;
  email: string;
  job_title: string;
  department: string;
  branch: string;
  date_of_birth: string;
  start_date: string;
  /** Set when the person left the source (sent as a deactivate once). */
  endDate: string | null;
  done: boolean;
  issue: Issue | null;
}

interface TargetState {
  active: boolean;
  email: string;
  name: string;
}

function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

const isoDate = (at: Date) => at.toISOString().slice(0, 10);
const isoSecond = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;

function inside(windows: readonly TimeWindow[] | undefined, at: Date): boolean {
  return (windows ?? []).some((w) => at.getTime() >= w.from.getTime() && (w.to === null || at.getTime() < w.to.getTime()));
}

/** The value a person meant to type, as the source sends it with the variant's kind of slip. */
export function slip(value: string, variant: Exclude<MismatchVariant, 'unknown'>, rng: Random): string {
  const words = value.split(' ');
  switch (variant) {
    case 'case':
      return value.toLowerCase() !== value ? value.toLowerCase() : value.toUpperCase();
    case 'spacing':
      if (words.length > 1) return rng.chance(0.5) ? words.join('  ') : words.join('');
      return rng.chance(0.5) ? `${value} ` : ` ${value}`;
    case 'case_and_spacing':
      return words.length > 1 ? words.join('  ').toLowerCase() : ` ${value.toLowerCase()}`;
    case 'unicode':
      return value.length > 4 && rng.chance(0.6) ? `${value.slice(0, 3)}\u00AD${value.slice(3)}` : `\uFEFF${value}`;
    case 'typo': {
      // Two neighbouring letters swapped, inside a word, so the distance is 1.
      const chars = [...value];
      for (let tries = 0; tries < 20; tries++) {
        const k = rng.int(1, chars.length - 3);
        const a = chars[k]!;
        const b = chars[k + 1]!;
        if (/\p{L}/u.test(a) && /\p{L}/u.test(b) && a.toLowerCase() !== b.toLowerCase()) {
          chars[k] = b;
          chars[k + 1] = a;
          return chars.join('');
        }
      }
      return `${value.slice(0, -1)}`;
    }
  }
}

// ---------------------------------------------------------------------------
// The simulation

export class Simulation {
  private readonly engine: EngineProfile;
  private readonly options: SimulationOptions;
  private readonly scenario: Scenario;
  private readonly slots: Generator<Date>;
  private readonly perDay: number;
  private readonly team: Employee[] = [];
  private readonly target = new Map<string, TargetState>();
  private nextN = 1;
  private slotIndex = -1;
  private catalogSent = false;
  private catalogFixed = false;
  /** The form fields last sent had the job title archived. */
  private lastArchived = false;

  constructor(options: SimulationOptions) {
    if (!Number.isSafeInteger(options.employees) || options.employees < 1) throw new Error('employees must be a positive whole number');
    this.options = options;
    this.engine = ENGINES[options.kind];
    this.slots = slotsFrom(options.schedule, options.start);
    this.perDay = 86_400 / slotSeconds(options.schedule);
    this.scenario = { ...this.placeEvents(), ...(options.scenario ?? {}) };
    const rng = new Random(mixSeed(options.seed, 0x5eed));
    const first = (this.slots.next().value as Date) ?? options.start;
    this.firstSlot = first;
    for (let i = 0; i < options.employees; i++) this.team.push(this.hire(rng, first, true));
  }

  private readonly firstSlot: Date;

  private has(kind: ErrorKind): boolean {
    return this.options.errors.kinds.has(kind) && this.options.errors.rate > 0;
  }

  /** One of each run-level event the mix names, at a seeded place between the start and the horizon. */
  private placeEvents(): Scenario {
    const rng = new Random(mixSeed(this.options.seed, 0xe7e7));
    const start = this.options.start.getTime();
    const horizon = (this.options.horizon ?? new Date(start + 7 * 86_400_000)).getTime();
    const span = Math.max(horizon - start, 3_600_000);
    const at = (low: number, high: number) => new Date(start + span * (low + rng.next() * (high - low)));
    const slot = slotSeconds(this.options.schedule) * 1000;
    const scenario: Scenario = {};
    if (this.has('failed-run')) {
      const from = at(0.3, 0.8);
      scenario.failedRuns = [{ from, to: new Date(from.getTime() + slot) }];
    }
    if (this.has('silence')) {
      const from = at(0.2, 0.7);
      scenario.silences = [{ from, to: new Date(from.getTime() + Math.max(slot * 2, rng.int(3, 8) * 3_600_000)) }];
    }
    if (this.has('volume-drop')) {
      const from = at(0.4, 0.9);
      scenario.drops = [{ from, to: new Date(from.getTime() + Math.max(slot, rng.int(2, 5) * 3_600_000)), share: 0.6 }];
    }
    if (this.has('archived-field') && this.engine.sendsFormFields) {
      const from = at(0.2, 0.6);
      scenario.archivedField = [{ from, to: new Date(from.getTime() + slot) }];
    }
    scenario.catalogFixAt = this.has('catalog-fix') ? at(0.5, 0.75) : null;
    return scenario;
  }

  private hire(rng: Random, at: Date, founding: boolean): Employee {
    const n = this.nextN++;
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const startDate = founding ? new Date(Date.UTC(rng.int(2019, 2025), rng.int(0, 11), rng.int(1, 28))) : at;
    return {
      n,
      externalId: `${this.engine.portal}_${10_000 + n}`,
      first,
      last,
      email: `${asciiFold(first)}.${asciiFold(last)}${n}@example.com`,
      job_title: rng.pick(BASE_CATALOG.job_titles),
      department: rng.pick(BASE_CATALOG.departments),
      branch: rng.pick(BASE_CATALOG.branches),
      date_of_birth: isoDate(new Date(Date.UTC(rng.int(1965, 2004), rng.int(0, 11), rng.int(1, 28)))),
      start_date: isoDate(startDate),
      endDate: null,
      done: false,
      issue: null,
    };
  }

  private catalog(): { job_titles: string[]; departments: string[]; branches: string[] } {
    if (!this.catalogFixed)
      return { job_titles: [...BASE_CATALOG.job_titles], departments: [...BASE_CATALOG.departments], branches: [...BASE_CATALOG.branches] };
    return {
      job_titles: [...BASE_CATALOG.job_titles, NEW_VALUES.job_title[0]!],
      departments: [...BASE_CATALOG.departments, NEW_VALUES.department[0]!],
      branches: [...BASE_CATALOG.branches, NEW_VALUES.branch[0]!],
    };
  }

  /** The catalog the target has now, for an engine that sends it only on change when posting starts mid-story. */
  catalogNow(): RunBody['catalog'] | undefined {
    return this.engine.sendsCatalog === 'never' ? undefined : this.catalog();
  }

  /** The next run the engine sends (silent slots are passed over). */
  next(): SimulatedRun {
    for (let slots = 0; slots < 100_000; slots++) {
      const run = this.step();
      if (run) return run;
    }
    throw new Error('the engine stays silent: no run in 100,000 slots');
  }

  /** Runs whose slot is in [from, to] and that finished by `to`, in order. */
  between(from: Date, to: Date): SimulatedRun[] {
    const runs: SimulatedRun[] = [];
    for (;;) {
      const run = this.peekStep(to);
      if (run === 'past') return runs;
      if (run && run.slot.getTime() >= from.getTime() && run.finishedAt.getTime() <= to.getTime()) runs.push(run);
    }
  }

  private pendingSlot: Date | null = null;

  /** The slot the next step() works on. */
  nextSlot(): Date {
    this.pendingSlot ??= this.slotIndex < 0 ? this.firstSlot : (this.slots.next().value as Date);
    return this.pendingSlot;
  }

  private peekStep(to: Date): SimulatedRun | null | 'past' {
    if (this.nextSlot().getTime() > to.getTime()) return 'past';
    return this.step();
  }

  /** Moves on one slot; the run sent in it, or null when the engine was silent. */
  step(): SimulatedRun | null {
    const slot = this.nextSlot();
    this.pendingSlot = null;
    this.slotIndex += 1;
    const i = this.slotIndex;
    const rng = new Random(mixSeed(this.options.seed, i + 1));
    const events: RunEvent[] = [];
    if (i === 0) events.push('initial');

    if (!this.catalogFixed && this.scenario.catalogFixAt && slot.getTime() >= this.scenario.catalogFixAt.getTime()) {
      this.catalogFixed = true;
      this.catalogSent = false;
      events.push('catalog-fix');
      for (const employee of this.team) {
        const issue = employee.issue;
        if (issue?.type === 'mismatch' && issue.until === null && issue.value) {
          // The target has the value now: it becomes the person's value for good.
          (employee as unknown as Record<string, string>)[issue.field] = issue.value;
          employee.issue = null;
        }
      }
    }
    if (i > 0) this.evolve(rng, slot, i);

    if (inside(this.scenario.silences, slot)) return null;
    const startedAt = new Date(slot.getTime() + (i === 0 ? 0 : rng.int(0, 20) * 1000));
    const base = {
      schema_version: 1 as const,
      run_id: `${isoSecond(slot)}#${this.engine.portal}`,
      source_system: this.engine.sourceSystem,
      target_system: this.engine.targetSystem,
      trigger: (i === 0 ? 'initial' : 'scheduled') as RunBody['trigger'],
      started_at: startedAt.toISOString(),
    };
    if (i > 0 && inside(this.scenario.failedRuns, slot)) {
      const finishedAt = new Date(startedAt.getTime() + rng.int(2_000, 9_000));
      events.push('failed-run');
      const runError = runFailure(rng, this.options.kind);
      return {
        slot,
        startedAt,
        finishedAt,
        events,
        expected: [
          { index: null, code: 'run_failed', field: null, variant: null, expected: null },
          // Without form fields of its own, the last ones received apply.
          ...(this.lastArchived ? [{ index: null, code: 'archived_mandatory_field', field: 'job_title', variant: null, expected: null }] : []),
        ],
        body: { ...base, finished_at: finishedAt.toISOString(), status: 'failed', run_error: runError, records: [] },
      };
    }

    const drop = (this.scenario.drops ?? []).find((d) => inside([d], slot));
    if (drop) events.push('volume-drop');
    const archived = this.engine.sendsFormFields && inside(this.scenario.archivedField, slot);
    if (archived) events.push('archived-field');
    const { records, expected } = this.records(rng, slot, i, drop?.share ?? 1, archived);
    const runExpected: ExpectedError[] = archived ? [{ index: null, code: 'archived_mandatory_field', field: 'job_title', variant: null, expected: null }] : [];
    const finishedAt = new Date(startedAt.getTime() + 2_000 + records.length * rng.int(300, 700) + rng.int(0, 4_000));
    const failed = records.some((r) => r.outcome !== 'succeeded');
    const body: RunBody = {
      ...base,
      finished_at: finishedAt.toISOString(),
      status: failed ? 'completed_with_errors' : 'completed',
      run_error: null,
      records,
    };
    const sendCatalog = this.engine.sendsCatalog === 'every-run' || (this.engine.sendsCatalog === 'on-change' && !this.catalogSent);
    if (sendCatalog) {
      body.catalog = this.catalog();
      this.catalogSent = true;
    }
    if (this.engine.sendsFormFields) {
      this.lastArchived = archived;
      body.form_fields = [
        { name: 'Job title (Flow)', maps_to: 'job_title', mandatory: true, archived },
        { name: 'Branch', maps_to: 'branch', mandatory: true, archived: false },
        { name: 'Department (Flow)', maps_to: 'department', mandatory: false, archived: false },
      ];
    }
    return { slot, startedAt, finishedAt, events, body, expected: [...runExpected, ...expected] };
  }

  /** People join and leave; problems start and get fixed. Time passes in the source whether or not the engine runs. */
  private evolve(rng: Random, slot: Date, i: number): void {
    const rate = this.options.errors.rate;
    const active = this.team.filter((e) => !e.endDate && !e.done);
    // Turnover: about 2 % of the headcount joins, and as many leave, per day.
    const turnover = (this.options.employees * 0.02) / this.perDay;
    if (rng.chance(turnover)) {
      const joiner = this.hire(rng, slot, false);
      this.team.push(joiner);
      if (this.has('email-in-use') && rng.chance(0.35 * Math.min(1, rate))) {
        const holder = rng.pick(active);
        const held = this.target.get(holder.externalId);
        if (held?.active && held.email === holder.email.toLowerCase()) {
          joiner.issue = {
            type: 'email-in-use',
            field: 'email',
            value: holder.email.toUpperCase(),
            until: i + this.duration(rng),
            outcome: 'failed',
            holder,
          };
        }
      }
    }
    if (active.length > 1 && rng.chance(turnover)) {
      const leaver = rng.pick(active);
      if (leaver.issue?.type !== 'duplicate-id') leaver.endDate = isoDate(slot);
    }
    // Fixes in the source.
    for (const employee of this.team) {
      const issue = employee.issue;
      if (!issue || issue.until === null || issue.until > i) continue;
      employee.issue = null;
      if (issue.type === 'duplicate-id' && issue.twin) {
        // The source gives the second person their own ID; they join the team under it.
        const twin = issue.twin;
        twin.n = this.nextN++;
        twin.externalId = `${this.engine.portal}_${10_000 + twin.n}`;
        this.team.push(twin);
      }
    }
    // New problems.
    const perEmployee = (0.15 * rate) / this.perDay;
    for (const employee of active) {
      if (employee.issue || !rng.chance(perEmployee)) continue;
      employee.issue = this.newIssue(rng, employee, slot, i);
    }
  }

  /** How many slots a problem lasts before someone fixes it in the source: two hours to a day and a half, at least one run. */
  private duration(rng: Random): number {
    return Math.max(1, Math.round((rng.int(2, 36) / 24) * this.perDay));
  }

  private newIssue(rng: Random, employee: Employee, slot: Date, i: number): Issue | null {
    const choices: IssueType[] = [];
    if (this.has('mismatch')) choices.push('mismatch', 'mismatch', 'mismatch', 'mismatch');
    if (this.has('missing')) choices.push('missing');
    if (this.has('invalid')) choices.push('invalid');
    if (this.has('duplicate-id') && this.target.get(employee.externalId)?.active) choices.push('duplicate-id');
    if (choices.length === 0) return null;
    const type = rng.pick(choices);
    const until = i + this.duration(rng);
    const outcome = rng.chance(0.15) ? 'warning' : 'failed';
    if (type === 'mismatch') {
      const field = rng.pick<CatalogField>(['job_title', 'job_title', 'department', 'branch']);
      const meant = (employee as unknown as Record<string, string>)[field]!;
      const variant = rng.pick<MismatchVariant>(['case', 'spacing', 'case_and_spacing', 'unicode', 'typo', 'unknown', 'unknown']);
      if (variant === 'unknown') {
        const pool = NEW_VALUES[field];
        const fixable = this.scenario.catalogFixAt && !this.catalogFixed && slot.getTime() < this.scenario.catalogFixAt.getTime();
        if (fixable && rng.chance(0.6)) return { type, field, value: pool[0]!, variant, until: null, outcome };
        return { type, field, value: rng.pick(pool.slice(1)), variant, until, outcome };
      }
      if (variant === 'typo' && [...meant].length < 6) return { type, field, value: slip(meant, 'case', rng), variant: 'case', meant, until, outcome };
      return { type, field, value: slip(meant, variant, rng), variant, meant, until, outcome };
    }
    if (type === 'missing') {
      const field = rng.pick(['email', 'last_name', 'branch', 'job_title']);
      return { type, field, value: rng.pick(['', null, '   ']), until, outcome: 'failed' };
    }
    if (type === 'invalid') {
      const field = rng.pick(['email', 'email', 'date_of_birth', 'end_date']);
      const value =
        field === 'email'
          ? rng.chance(0.5)
            ? employee.email.replace('.', ' ')
            : employee.email.replace(/@.*/, '@')
          : field === 'date_of_birth'
            ? `2094${employee.date_of_birth.slice(4)}`
            : `${Number(employee.start_date.slice(0, 4)) - 1}${employee.start_date.slice(4)}`;
      return { type, field, value, until, outcome: 'failed' };
    }
    // duplicate-id: a new person is entered under this employee's ID.
    const twin = this.hire(rng, slot, false);
    this.nextN -= 1; // the twin gets its own number only once the source fixes it
    twin.externalId = employee.externalId;
    while (twin.first === employee.first) twin.first = rng.pick(FIRST_NAMES);
    twin.email = `${asciiFold(twin.first)}.${asciiFold(twin.last)}${employee.n}b@example.com`;
    return { type, field: 'external_id', until, outcome: 'failed', twin };
  }

  private personOf(e: Employee): Record<string, string | null> {
    return {
      external_id: e.externalId,
      first_name: e.first,
      last_name: e.last,
      email: e.email,
      job_title: e.job_title,
      department: e.department,
      branch: e.branch,
      date_of_birth: e.date_of_birth,
      start_date: e.start_date,
      end_date: e.endDate,
    };
  }

  private records(rng: Random, _slot: Date, i: number, share: number, archived: boolean): { records: RecordBody[]; expected: ExpectedError[] } {
    const records: RecordBody[] = [];
    const expected: ExpectedError[] = [];
    const add = (record: RecordBody, errors: Omit<ExpectedError, 'index'>[]) => {
      // A checked create whose email another active ID holds (a person who got their own ID back, say) is email_in_use, whatever else.
      const email = keysOf(record.employee).email;
      const checkedEmail =
        record.outcome !== 'succeeded' &&
        (record.action === 'create' || (record.action === 'update' && this.target.get(record.external_id ?? '')?.email !== email));
      if (checkedEmail && !errors.some((e) => e.code === 'email_in_use')) {
        const held = email !== '' && [...this.target].some(([id, state]) => id !== record.external_id && state.active && state.email === email);
        if (held) errors.push({ code: 'email_in_use', field: 'email', variant: null, expected: null });
      }
      // unclassified is what a failed record gets when nothing else explains it.
      if (errors.length > 1) errors = errors.filter((e) => e.code !== 'unclassified');
      if (errors.length === 0 && record.outcome === 'failed') errors = [{ code: 'unclassified', field: null, variant: null, expected: null }];
      for (const error of errors) expected.push({ index: records.length, ...error });
      records.push(record);
    };
    const hasCatalog = this.engine.sendsCatalog !== 'never';
    const recreate = i > 0 && this.has('recreated') && rng.chance((0.5 * this.options.errors.rate) / Math.max(1, this.perDay / 24));
    let recreated = false;

    // A volume drop: the engine silently leaves part of the workforce out (the same part all along the drop).
    let kept: Set<Employee> | null = null;
    if (share < 1) {
      const present = this.team.filter((e) => !e.done).sort((a, b) => mixSeed(this.options.seed, a.n) - mixSeed(this.options.seed, b.n));
      kept = new Set(present.slice(0, Math.round(present.length * share)));
    }
    for (const employee of this.team) {
      if (employee.done) continue;
      if (kept && !kept.has(employee)) continue;
      const known = this.target.get(employee.externalId);
      if (employee.endDate) {
        if (known?.active) {
          const record: RecordBody = {
            external_id: employee.externalId,
            action: 'deactivate',
            outcome: 'succeeded',
            employee: this.personOf(employee),
            messages: [],
          };
          add(
            record,
            differentPeople(known, record.employee) ? [{ code: 'duplicate_external_id', field: 'external_id', variant: 'across_runs', expected: null }] : [],
          );
          this.apply(record);
        }
        employee.done = true;
        continue;
      }
      const issue = employee.issue;
      const person = this.personOf(employee);
      const errors: Omit<ExpectedError, 'index'>[] = [];
      const messages: EngineMessage[] = [];
      let outcome: RecordBody['outcome'] = 'succeeded';
      let action: RecordBody['action'] = known ? 'update' : 'create';
      if (issue?.type === 'email-in-use' && issue.holder && !this.target.get(issue.holder.externalId)?.active) employee.issue = null;
      const live = employee.issue;
      if (live && live.type !== 'duplicate-id') {
        person[live.field] = live.value ?? null;
        outcome = live.outcome;
        if (live.type === 'mismatch') {
          const field = live.field as CatalogField;
          const message = this.engine.mismatch(rng, field, live.value!, employee.externalId);
          if (message) messages.push(message);
          const variant = hasCatalog ? live.variant! : 'unknown';
          errors.push({
            code: `${field}_mismatch`,
            field,
            variant,
            expected: variant === 'unknown' ? null : (live.meant ?? null),
          });
        } else if (live.type === 'missing') {
          const message = this.engine.missing(rng, live.field);
          if (message) messages.push(message);
          errors.push({ code: 'missing_required_field', field: live.field, variant: null, expected: null });
        } else if (live.type === 'invalid') {
          const message = this.engine.invalid(rng, live.field);
          if (message) messages.push(message);
          errors.push({ code: 'invalid_value', field: live.field, variant: null, expected: null });
        } else if (live.type === 'email-in-use') {
          // The data check finds it while the holder is active with that email (add() looks); an engine code says so anyway.
          const message = this.engine.emailInUse(rng);
          if (message) {
            messages.push(message);
            errors.push({ code: 'email_in_use', field: 'email', variant: null, expected: null });
          }
        }
      } else if (!live && known?.active && !archived) {
        if (recreate && !recreated && known.email === employee.email.toLowerCase() && rng.chance(0.2)) {
          action = 'create';
          recreated = true;
          errors.push({ code: 'recreated_after_delete', field: null, variant: null, expected: null });
        } else if (this.has('transient') && rng.chance((0.01 * this.options.errors.rate) / Math.max(1, this.perDay / 96))) {
          outcome = 'failed';
          messages.push(transientFailure(rng));
          errors.push({ code: 'unclassified', field: null, variant: null, expected: null });
        } else if (rng.chance(0.05)) {
          action = 'skip';
        }
      }
      if (archived && action !== 'skip') {
        // The archived form field: the engine gets no job title for anyone.
        // A problem with the job title itself is hidden behind the archived field.
        if (live?.field === 'job_title') {
          errors.length = 0;
          messages.length = 0;
        }
        person.job_title = rng.chance(0.5) ? '' : null;
        outcome = 'failed';
        messages.push(
          rng.chance(0.3)
            ? { code: 'FIELD_ARCHIVED', field: 'job_title', text: "Field 'Job title (Flow)' is archived" }
            : { text: 'Job title (Flow) is archived and cannot be synced' },
        );
        errors.push({ code: 'archived_mandatory_field', field: 'job_title', variant: null, expected: null });
      }
      const twin = live?.type === 'duplicate-id' ? live.twin : undefined;
      const record: RecordBody = { external_id: employee.externalId, action, outcome, employee: person, messages };
      if (twin) {
        const twinPerson = this.personOf(twin);
        if (archived) twinPerson.job_title = '';
        const twinRecord: RecordBody = {
          external_id: employee.externalId,
          action: 'update',
          outcome: record.outcome,
          employee: twinPerson,
          messages: [...messages],
        };
        const dup = { code: 'duplicate_external_id', field: 'external_id', variant: 'within_run', expected: null };
        add(record, [...errors, dup]);
        add(twinRecord, [...errors, dup]);
        this.apply(twinRecord);
        continue;
      }
      // Sent under its ID after another person's record was kept there: the target overwrote one with the other.
      if (known && differentPeople(known, person)) {
        errors.push({ code: 'duplicate_external_id', field: 'external_id', variant: 'across_runs', expected: null });
      }
      add(record, errors);
      this.apply(record);
    }
    return { records, expected };
  }

  /** The target's state of an ID after an applied record (error-codes.md "Employee state"). */
  private apply(record: RecordBody): void {
    if (record.outcome === 'failed' || !record.external_id) return;
    const id = record.external_id;
    if (record.action === 'deactivate') {
      const known = this.target.get(id);
      this.target.set(id, { active: false, email: known?.email ?? '', name: known?.name ?? '' });
      return;
    }
    if (record.action === 'skip') {
      if (!this.target.has(id)) this.target.set(id, { active: true, ...keysOf(record.employee) });
      return;
    }
    this.target.set(id, { active: true, ...keysOf(record.employee) });
  }
}

function keysOf(person: Record<string, string | null>): { email: string; name: string } {
  return {
    email: (person.email ?? '').trim().toLowerCase(),
    name: `${person.first_name ?? ''} ${person.last_name ?? ''}`.trim().replace(/\s+/g, ' ').toLowerCase(),
  };
}

function differentPeople(a: { email: string; name: string }, person: Record<string, string | null>): boolean {
  const b = keysOf(person);
  return a.email !== '' && b.email !== '' && a.email !== b.email && a.name !== '' && b.name !== '' && a.name !== b.name;
}
