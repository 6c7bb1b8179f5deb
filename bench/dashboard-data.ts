/**
 * The data of the dashboard benchmark (bench/dashboard.ts): the runs that four
 * integrations of two organisations send over some days, as engines send
 * them. Each integration has a stable population of people (external IDs),
 * who join, leave, come back, get transferred, and whose HR data goes wrong
 * and gets fixed the way it does in real estates: job titles with a trailing
 * space or the wrong case, typos, legacy values, missing fields, emails
 * already in use, IDs reused for another person. Deterministic (a seeded
 * generator), so every build stores the same records; DATA_VERSION names it.
 */
import { Random } from '../src/simulate/random.js';

/** Bump when what the runs hold changes: a stored benchmark database of another version is rebuilt. */
export const DATA_VERSION = 1;

const FIRST_NAMES = [
  'Aoife',
  'Siobhán',
  'Seán',
  'Niamh',
  'Ciarán',
  'Órla',
  'Gráinne',
  'Tomás',
  'José',
  'María',
  'Lucía',
  'Álvaro',
  'Ramón',
  'Inês',
  'João',
  'François',
  'Chloé',
  'Hélène',
  'Zoë',
  'Noémie',
  'Maëlle',
  'Anaïs',
  'Renée',
  'Jürgen',
  'Jörg',
  'Björn',
  'Søren',
  'Åsa',
  'Łukasz',
  'Małgorzata',
  'Zoltán',
  'Dávid',
  'İbrahim',
  'Çağla',
  'Dražen',
  'Ana',
  'Ben',
  'Olivia',
  'Mohammed',
  'Fatima',
  'Priya',
  'Arjun',
  'Wei',
  'Ngozi',
  'Chidi',
  'Emma',
  'Jack',
  'Sophie',
  'Thomas',
  'Ewa',
  'Liam',
  'Grace',
  'Oscar',
  'Amelia',
  'Noah',
  'Isla',
  'Yusuf',
  'Mei',
];
const LAST_NAMES = [
  'Haddad',
  'Lopez',
  'Okafor',
  "O'Brien",
  'Ó Briain',
  'Ní Bhriain',
  'Müller',
  'Schröder',
  'Møller',
  'Nørgaard',
  'Åberg',
  'Kowalski',
  'Wiśniewska',
  'Nguyễn',
  'García',
  'Martínez',
  'Fernández',
  'Pérez',
  'Núñez',
  'Dubois',
  'Lefèvre',
  'Gauthier',
  'Çelik',
  'Yılmaz',
  'Smith',
  'Jones',
  'Murphy',
  'Kelly',
  'Walsh',
  'Byrne',
  'Ryan',
  'Patel',
  'Singh',
  'Khan',
  'Ahmed',
  'Mensah',
  'Novák',
  'Dvořák',
  'Horváth',
  'Szabó',
  'Kovačević',
  'Petrović',
  'Rossi',
  'Bianchi',
  'Esposito',
  'Sánchez',
  'Gómez',
  'Silva',
  'Conceição',
  'MacGregor',
  'Van der Berg',
  'De Sousa',
  'Taylor',
  'Brown',
  'Wilson',
  'Evans',
  'Thompson',
  'Roberts',
  'Clarke',
  'Hughes',
];
const JOB_TITLES = [
  'Head Chef',
  'Sous Chef',
  'Chef de Partie',
  'Commis Chef',
  'Pastry Chef',
  'Kitchen Porter',
  'Bartender',
  'Bar Supervisor',
  'Barista',
  'Waiter',
  'Host',
  'Receptionist',
  'Housekeeper',
  'Night Porter',
  'Duty Manager',
  'Assistant Manager',
  'General Manager',
  'Events Coordinator',
  'Sommelier',
  'Cleaner',
];
const DEPARTMENTS = ['Kitchen', 'Front of House', 'Bar', 'Housekeeping', 'Management', 'Events'];
const LEGACY_VALUES: Record<MismatchField, string[]> = {
  job_title: ['Mixologist', 'Front Desk', 'KP', 'Chef', 'Runner', 'Team Member', 'Supervisor (old)', 'Trainee'],
  department: ['Kitchens', 'FOH', 'Back of House', 'Operations'],
  branch: ['LDN-SOHO', 'Head Office', 'Closed site', 'Pop-up'],
};

type MismatchField = 'job_title' | 'department' | 'branch';
type Style = 'codes' | 'text' | 'silent';

export interface IntegrationPlan {
  org: 'org-a' | 'org-b';
  name: string;
  /** An interval (`15m`) or a cron expression with `timeZone`. */
  schedule: string;
  timeZone?: string;
  sourceSystem: string;
  targetSystem: string;
  /** How the engine words failures: codes and text (Planday), text only (Mapal OS), or nothing (a red triangle). */
  style: Style;
  idPrefix: string;
  emailDomain: string;
  branches: string[];
  /** People the source ever holds; `active` of them are in it at the first run, the rest join over time. */
  population: number;
  active: number;
  /** Daily full pushes (the first is `initial`), at 02:00 UTC on consecutive days up to the end. */
  dailyRuns: number;
  /** Which daily runs fail as a whole (no records, a run_error). */
  failedDailyRuns?: number[];
  /** 15-minute runs after one initial full push: the changes since the last run. */
  deltaRuns?: number;
}

/** What the benchmark builds: about 1.07 million feed records in four integrations of two organisations. */
export const PLANS: IntegrationPlan[] = [
  {
    org: 'org-a',
    name: 'Planday to Flow',
    schedule: '0 2 * * *',
    timeZone: 'Europe/London',
    sourceSystem: 'Planday',
    targetSystem: 'Flow Learning',
    style: 'codes',
    idPrefix: '4512_',
    emailDomain: 'example.com',
    branches: ['London Soho', 'London Covent Garden', 'Manchester Piccadilly', 'Leeds Station', 'Birmingham New Street', 'Bristol Harbourside'],
    population: 100_000,
    active: 96_500,
    dailyRuns: 5,
  },
  {
    org: 'org-a',
    name: 'Mapal OS to Flow',
    schedule: '15m',
    sourceSystem: 'Fourth',
    targetSystem: 'Flow Learning (Mapal OS)',
    style: 'text',
    idPrefix: 'F-',
    emailDomain: 'example.co.uk',
    branches: ['Edinburgh Old Town', 'Glasgow Central', 'Liverpool Docks', 'Cardiff Bay', 'Newcastle Quayside'],
    population: 60_000,
    active: 57_000,
    dailyRuns: 0,
    deltaRuns: 800,
  },
  {
    org: 'org-b',
    name: 'HR feed to Flow',
    schedule: '0 3 * * *',
    timeZone: 'Europe/Dublin',
    sourceSystem: 'HR feed',
    targetSystem: 'Flow Learning',
    style: 'silent',
    idPrefix: 'EMP',
    emailDomain: 'example.ie',
    branches: ['Dublin Temple Bar', 'Dublin Docklands', 'Cork City', 'Galway Quay', 'Limerick', 'Kilkenny'],
    population: 90_000,
    active: 86_000,
    dailyRuns: 4,
  },
  {
    org: 'org-b',
    name: 'Planday Belfast to Flow',
    schedule: '0 2 * * *',
    timeZone: 'Europe/London',
    sourceSystem: 'Planday',
    targetSystem: 'Flow Learning',
    style: 'codes',
    idPrefix: '7781_',
    emailDomain: 'example.org',
    branches: ['Belfast Cathedral Quarter', 'Belfast Titanic Quarter', 'Derry Guildhall'],
    population: 50_000,
    active: 48_000,
    dailyRuns: 3,
    failedDailyRuns: [1],
  },
];

/** The plans shrunk by `scale` (people and 15-minute runs), for trying the benchmark itself quickly. */
export function scaledPlans(scale: number): IntegrationPlan[] {
  if (scale === 1) return PLANS;
  return PLANS.map((plan) => ({
    ...plan,
    population: Math.max(100, Math.round(plan.population * scale)),
    active: Math.max(90, Math.round(plan.active * scale)),
    deltaRuns: plan.deltaRuns === undefined ? undefined : Math.max(20, Math.round(plan.deltaRuns * scale)),
  }));
}

/** The simulator's mulberry32: the same sequence on every machine, so the kept database's data version holds. */
const seeded = (seed: number) => new Random(seed);

const ascii = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ı/g, 'i')
    .replace(/[łŁ]/g, 'l')
    .replace(/[øØ]/g, 'o')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();

interface Person {
  first: string;
  last: string;
  email: string;
  job_title: string;
  department: string;
  branch: string;
  date_of_birth: string;
  start_date: string;
}

/** A problem in the source's data for one person, sent until someone fixes it. */
interface Problem {
  kind: 'mismatch' | 'missing' | 'invalid' | 'email_in_use';
  field: MismatchField | 'email' | 'date_of_birth';
  value: string | null;
}

export interface RunBody {
  run_id: string;
  trigger: 'initial' | 'scheduled' | 'manual';
  started_at: string;
  status: 'completed' | 'completed_with_errors' | 'failed';
  records: Record<string, unknown>[];
  [key: string]: unknown;
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;

/** One integration's source system over time: its people, their problems, and what its engine sends. */
class Estate {
  private readonly random: Random;
  private readonly people: Person[] = [];
  /** In the source system now (joined, not left). */
  private readonly inSource: boolean[] = [];
  /** Created in the target (a create that failed created nothing). */
  private readonly created: boolean[] = [];
  private readonly left: boolean[] = [];
  private readonly problems = new Map<number, Problem>();
  private joined: number;

  constructor(
    readonly plan: IntegrationPlan,
    seed: number,
  ) {
    this.random = seeded(seed);
    for (let n = 0; n < plan.population; n++) {
      this.people.push(this.newPerson(n));
      this.inSource.push(n < plan.active);
      this.created.push(false);
      this.left.push(false);
    }
    this.joined = plan.active;
    // Some data is wrong from the start: the first push shows it.
    for (let n = 0; n < plan.active; n++) if (this.random.chance(0.012)) this.breakData(n);
  }

  externalId(n: number): string {
    return `${this.plan.idPrefix}${100_000 + n}`;
  }

  private newPerson(n: number): Person {
    const r = this.random;
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    const department = r.pick(DEPARTMENTS);
    return {
      first,
      last,
      email: `${ascii(first)}.${ascii(last)}.${n}@${this.plan.emailDomain}`,
      job_title: r.pick(JOB_TITLES),
      department,
      branch: r.pick(this.plan.branches),
      date_of_birth: isoDate(r.int(1960, 2006), r.int(1, 12), r.int(1, 28)),
      start_date: isoDate(r.int(2012, 2026), r.int(1, 12), r.int(1, 28)),
    };
  }

  /** A value as HR types it wrong: mostly trailing spaces and case, then typos, spacing, legacy values, and invisible characters. */
  private wrongValue(field: MismatchField, right: string): string {
    const r = this.random.next();
    if (r < 0.4) return `${right} `;
    if (r < 0.58) return right.toLowerCase();
    if (r < 0.66) return right.includes(' ') ? right.replace(' ', '  ') : ` ${right}`;
    if (r < 0.8 && right.length > 4) {
      const at = this.random.int(1, right.length - 3);
      return right.slice(0, at) + right[at + 1] + right[at] + right.slice(at + 2);
    }
    if (r < 0.83) return right.replace(' ', '\u00a0').replace(/^(.)/, '$1\u200b');
    return this.random.pick(LEGACY_VALUES[field]);
  }

  private breakData(n: number, joining = false): void {
    const person = this.people[n]!;
    const r = this.random.next();
    if (joining && r < 0.12) {
      // A rehire under a new ID while the old one is still active, or a shared mailbox.
      const other = this.random.int(0, this.joined - 1);
      if (other !== n && this.inSource[other] && this.created[other]) {
        this.problems.set(n, { kind: 'email_in_use', field: 'email', value: this.people[other]!.email });
        return;
      }
    }
    if (r < 0.86) {
      const field: MismatchField = r < 0.55 ? 'job_title' : r < 0.75 ? 'department' : 'branch';
      this.problems.set(n, { kind: 'mismatch', field, value: this.wrongValue(field, person[field]) });
    } else if (r < 0.93) {
      this.problems.set(n, { kind: 'missing', field: this.random.pick(['email', 'branch', 'job_title'] as const), value: this.random.chance(0.5) ? null : '' });
    } else {
      this.problems.set(
        n,
        this.random.chance(0.6)
          ? { kind: 'invalid', field: 'date_of_birth', value: `${person.date_of_birth.slice(0, 4)}-02-30` }
          : { kind: 'invalid', field: 'email', value: person.email.replace('@', '@@') },
      );
    }
  }

  private messagesFor(n: number, problem: Problem | undefined, transient: boolean): unknown[] {
    const style = this.plan.style;
    if (style === 'silent') return [];
    const id = this.externalId(n);
    if (transient) {
      return [
        style === 'codes'
          ? { text: `Request to Flow timed out after 30000 ms while saving user ${id}` }
          : { text: `Employee with external Identifier ${id} not processed, An unexpected error occurred (ref ${(n * 2654435761) >>> 0})` },
      ];
    }
    if (!problem) return [];
    const { field, value } = problem;
    if (style === 'codes') {
      const code = {
        mismatch: `${field === 'branch' ? 'BRANCH' : field === 'department' ? 'DEPARTMENT' : 'JOB_TITLE'}_NOT_FOUND`,
        missing: 'REQUIRED_FIELD_MISSING',
        invalid: 'INVALID_VALUE',
        email_in_use: 'EMAIL_IN_USE',
      }[problem.kind];
      const text = {
        mismatch: `${field === 'job_title' ? 'Job title' : field === 'department' ? 'Department' : 'Branch'} '${value}' does not exist`,
        missing: `Required field ${field} is missing`,
        invalid: `Invalid value '${value}' for ${field}`,
        email_in_use: `Email ${value} is already in use`,
      }[problem.kind];
      return [{ code, field, text }];
    }
    const text = {
      mismatch:
        field === 'job_title'
          ? `Employee with external Identifier ${id} not processed, Job Title with name ${value} does not exist`
          : field === 'department'
            ? `Unable to add user to Department, Department with name ${value} does not exist`
            : `Unable to add user to Business Unit, Business Unit with Feed id ${value} does not exist`,
      missing: `Employee with external Identifier ${id} not processed, ${field} is required`,
      invalid: `Employee with external Identifier ${id} not processed, invalid ${field}`,
      email_in_use: `Employee with external Identifier ${id} not processed, a user with email ${value} already exists`,
    }[problem.kind];
    return [{ text }];
  }

  /** The record of person n, with what happens to them in this run. */
  private record(n: number, change: 'none' | 'join' | 'leave' | 'return' | 'transfer', transient: boolean, employeeOverride?: Person): Record<string, unknown> {
    const person = employeeOverride ?? this.people[n]!;
    const problem = employeeOverride ? undefined : this.problems.get(n);
    const employee: Record<string, string | null> = {
      first_name: person.first,
      last_name: person.last,
      email: person.email,
      job_title: person.job_title,
      department: person.department,
      branch: person.branch,
      date_of_birth: person.date_of_birth,
      start_date: person.start_date,
      end_date: change === 'leave' ? '2026-11-20' : null,
    };
    if (problem) employee[problem.field] = problem.value;
    const failed = transient || (problem !== undefined && (problem.kind !== 'mismatch' || !this.random.chance(0.1)));
    const outcome = failed ? 'failed' : problem ? 'warning' : 'succeeded';
    let action: string;
    if (!this.created[n]) action = 'create';
    else if (change === 'leave') action = 'deactivate';
    else if (change === 'return') action = 'reactivate';
    else if (change === 'transfer' || problem || employeeOverride) action = 'update';
    else action = this.random.chance(0.75) ? 'skip' : 'update';
    if (outcome !== 'failed' && !employeeOverride) this.created[n] = true;
    return { external_id: this.externalId(n), action, outcome, employee, messages: this.messagesFor(n, problem, transient) };
  }

  /** What happens to one person in a run; returns the change, or undefined when they are not in it. */
  private evolve(n: number): 'none' | 'join' | 'leave' | 'return' | 'transfer' | undefined {
    const r = this.random;
    if (this.left[n]) {
      if (!r.chance(0.05)) return undefined;
      this.left[n] = false;
      this.inSource[n] = true;
      return 'return';
    }
    if (!this.inSource[n]) return undefined;
    const problem = this.problems.get(n);
    if (problem && r.chance(0.3)) this.problems.delete(n);
    else if (!problem && r.chance(0.006)) this.breakData(n);
    if (this.created[n] && !this.problems.has(n) && r.chance(0.004)) {
      this.left[n] = true;
      this.inSource[n] = false;
      return 'leave';
    }
    if (r.chance(0.008)) {
      const person = this.people[n]!;
      const what = r.next();
      if (what < 0.5) person.job_title = r.pick(JOB_TITLES);
      else if (what < 0.8) person.branch = r.pick(this.plan.branches);
      else if (what < 0.95) person.department = r.pick(DEPARTMENTS);
      else person.email = `${ascii(person.first)}.${ascii(person.last)}.${n}.new@${this.plan.emailDomain}`;
      return 'transfer';
    }
    return 'none';
  }

  private join(count: number): number[] {
    const joiners: number[] = [];
    for (; joiners.length < count && this.joined < this.plan.population; this.joined++) {
      this.inSource[this.joined] = true;
      if (this.random.chance(0.08)) this.breakData(this.joined, true);
      joiners.push(this.joined);
    }
    return joiners;
  }

  /** Everyone in the source, in ID order, with joiners, leavers, and a few IDs sent twice for two people. */
  fullPush(first: boolean): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    const joiners = new Set(first ? [] : this.join(Math.round((this.plan.population - this.plan.active) / Math.max(this.plan.dailyRuns, 4))));
    for (let n = 0; n < this.joined; n++) {
      const change = first ? (this.inSource[n] ? 'none' : undefined) : joiners.has(n) ? 'join' : this.evolve(n);
      if (change === undefined) continue;
      records.push(this.record(n, change, this.random.chance(0.0005)));
      // One ID, two people: the engine sends both, and the target keeps the later.
      if (!first && this.random.chance(0.0003)) records.push(this.record(n, 'none', false, this.newPerson(n + 1_000_000)));
    }
    return records;
  }

  /** The changes since the last 15-minute run: a few people, sometimes many (a manual push). */
  delta(size: number): Record<string, unknown>[] {
    const chosen = new Set<number>();
    for (const n of this.join(this.random.chance(0.3) ? this.random.int(1, 3) : 0)) chosen.add(n);
    const retries = [...this.problems.keys()].filter((n) => this.inSource[n]);
    for (let i = 0; i < Math.min(retries.length, this.random.int(2, 12)); i++) chosen.add(this.random.pick(retries));
    while (chosen.size < size) chosen.add(this.random.int(0, this.joined - 1));
    const records: Record<string, unknown>[] = [];
    for (const n of [...chosen].sort((a, b) => a - b)) {
      let change = this.evolve(n);
      if (change === undefined) continue;
      if (change === 'none' && !this.problems.has(n)) {
        // A delta carries only people who changed.
        const person = this.people[n]!;
        person.job_title = this.random.pick(JOB_TITLES);
        change = 'transfer';
      }
      records.push(this.record(n, change, this.random.chance(0.002)));
    }
    return records;
  }

  catalog() {
    return { job_titles: JOB_TITLES, departments: DEPARTMENTS, branches: this.plan.branches };
  }
}

export interface PlannedRun {
  plan: IntegrationPlan;
  body: RunBody;
}

const RUN_ERRORS = [
  'Source authentication failed: 401 Unauthorized from the Planday API (the token has expired)',
  'Could not reach the Fourth API: 503 Service Unavailable after 3 retries',
  'Target rejected the batch: 429 Too Many Requests from Flow Learning',
];

/**
 * The runs of one integration in the order it sends them, the last ending
 * before `end`: built one at a time, as each body takes tens of megabytes.
 */
export function* runsOf(plan: IntegrationPlan, seed: number, end: Date): Generator<PlannedRun> {
  const estate = new Estate(plan, seed);
  const random = seeded(seed * 31 + 7);
  const header = (runId: string, trigger: RunBody['trigger'], startedAt: Date, records: Record<string, unknown>[], withCatalog: boolean): RunBody => {
    const failed = records.some((record) => record.outcome === 'failed');
    return {
      schema_version: 1,
      run_id: runId,
      source_system: plan.sourceSystem,
      target_system: plan.targetSystem,
      trigger,
      started_at: startedAt.toISOString(),
      finished_at: new Date(startedAt.getTime() + 5_000 + records.length * 6).toISOString(),
      status: failed ? 'completed_with_errors' : 'completed',
      run_error: null,
      ...(withCatalog ? { catalog: estate.catalog() } : {}),
      records,
    };
  };
  const lastTwoAm = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate(), 2));
  if (lastTwoAm >= end) lastTwoAm.setUTCDate(lastTwoAm.getUTCDate() - 1);

  for (let day = 0; day < plan.dailyRuns; day++) {
    const startedAt = new Date(lastTwoAm.getTime() - (plan.dailyRuns - 1 - day) * 86_400_000);
    const runId = `${startedAt.toISOString()}#${plan.idPrefix}`;
    if (plan.failedDailyRuns?.includes(day)) {
      yield { plan, body: { ...header(runId, 'scheduled', startedAt, [], true), status: 'failed', run_error: RUN_ERRORS[0]! } };
      continue;
    }
    yield { plan, body: header(runId, day === 0 ? 'initial' : 'scheduled', startedAt, estate.fullPush(day === 0), true) };
  }

  if (plan.deltaRuns) {
    const slot = 15 * 60_000;
    const lastSlot = Math.floor(end.getTime() / slot) * slot - slot;
    const firstSlot = lastSlot - plan.deltaRuns * slot;
    yield { plan, body: header(`full-${new Date(firstSlot).toISOString()}`, 'initial', new Date(firstSlot - slot), estate.fullPush(true), true) };
    for (let k = 1; k <= plan.deltaRuns; k++) {
      // A scheduled run that never arrived: a gap on the feed log.
      if (random.chance(0.01)) continue;
      const startedAt = new Date(firstSlot + k * slot + random.int(0, 40) * 1000);
      const runId = `mapal-${k}`;
      if (random.chance(0.02)) {
        yield { plan, body: { ...header(runId, 'scheduled', startedAt, [], false), status: 'failed', run_error: random.pick(RUN_ERRORS.slice(1)) } };
        continue;
      }
      const manual = random.chance(0.01);
      const size = manual ? 2_000 : Math.round(10 * 30 ** random.next());
      yield { plan, body: header(runId, manual ? 'manual' : 'scheduled', startedAt, estate.delta(size), k % 96 === 0) };
    }
  }
}
