/**
 * The three kinds of sync engine the simulator imitates, with their own
 * wordings (feed-format.md, error-codes.md "Engine codes and texts", and the
 * example corpus in the spec): what each sends, and how it says a record failed.
 */
import type { Random } from './random.js';

export const ENGINE_KINDS = ['mapal-os', 'planday', 'hr-feed'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export type CatalogField = 'job_title' | 'department' | 'branch';

export interface EngineMessage {
  code?: string;
  field?: string;
  text: string;
}

export interface EngineProfile {
  kind: EngineKind;
  sourceSystem: string;
  targetSystem: string;
  /** The source's account or portal, the first part of its external IDs (Planday: portalid_employeeId). */
  portal: string;
  /** `every-run`: a catalog in each run (Mapal OS); `on-change`: in the first run and when it changes (Planday); `never` (an HR feed). */
  sendsCatalog: 'every-run' | 'on-change' | 'never';
  /** Sends the employee-form fields that feed the sync (Planday). */
  sendsFormFields: boolean;
  mismatch(rng: Random, field: CatalogField, value: string, externalId: string): EngineMessage | null;
  missing(rng: Random, field: string): EngineMessage | null;
  invalid(rng: Random, field: string): EngineMessage | null;
  emailInUse(rng: Random): EngineMessage | null;
}

const NAME_OF: Record<CatalogField, { title: string; lower: string; code: string }> = {
  job_title: { title: 'Job title', lower: 'job title', code: 'JOB_TITLE_NOT_FOUND' },
  department: { title: 'Department', lower: 'department', code: 'DEPARTMENT_NOT_FOUND' },
  branch: { title: 'Branch', lower: 'branch', code: 'BRANCH_NOT_FOUND' },
};

/** Mapal OS feed logs: text only, in its own sentences (error-codes.md quotes them); some failures carry no message at all. */
const mapalOs: EngineProfile = {
  kind: 'mapal-os',
  sourceSystem: 'Mapal OS',
  targetSystem: 'Flow Learning',
  portal: '7781',
  sendsCatalog: 'every-run',
  sendsFormFields: false,
  mismatch(_rng, field, value, externalId) {
    if (field === 'job_title') return { text: `Employee with external Identifier ${externalId} not processed, Job Title with name ${value} does not exist` };
    if (field === 'department') return { text: `Unable to add user to Department, Department with name ${value} does not exist` };
    return { text: `Unable to add user to Business Unit, Business Unit with name ${value} does not exist` };
  },
  missing: (rng, field) => (rng.chance(0.5) ? null : { code: 'REQUIRED_FIELD_MISSING', field, text: `${field} is required` }),
  invalid: (_rng, field) => ({ text: `Validation failed: ${field}` }),
  emailInUse: () => null,
};

/** Planday: engine codes on some messages, "Could not map ..." texts on others; form fields; the catalog only when it changes. */
const planday: EngineProfile = {
  kind: 'planday',
  sourceSystem: 'Planday',
  targetSystem: 'Flow Learning',
  portal: '4512',
  sendsCatalog: 'on-change',
  sendsFormFields: true,
  mismatch(rng, field, value) {
    const name = NAME_OF[field];
    return rng.chance(0.5)
      ? { code: name.code, field, text: `${name.title} '${value}' does not exist` }
      : { text: `Could not map ${name.lower} '${value}': no such value` };
  },
  missing: (_rng, field) => ({ code: 'REQUIRED_FIELD_MISSING', field, text: `${field} is required` }),
  invalid: (_rng, field) => ({ code: 'INVALID_VALUE', field, text: `Invalid value for ${field}` }),
  emailInUse: () => ({ code: 'EMAIL_IN_USE', field: 'email', text: 'Email already in use' }),
};

/** An HR feed that never sends a catalog: only its messages say a value does not exist. */
const hrFeed: EngineProfile = {
  kind: 'hr-feed',
  sourceSystem: 'HR feed',
  targetSystem: 'Flow Learning',
  portal: '9090',
  sendsCatalog: 'never',
  sendsFormFields: false,
  mismatch(rng, field, value) {
    const name = NAME_OF[field];
    if (field === 'branch' && rng.chance(0.4)) return { code: name.code, field, text: `Branch '${value}' does not exist` };
    return rng.chance(0.5) ? { text: `${name.title} "${value}" was not found in Flow` } : { text: `${name.title} '${value}' was not found in Flow` };
  },
  missing: (_rng, field) => ({ code: 'REQUIRED_FIELD_MISSING', field, text: `${field} is required` }),
  invalid: (rng, field) => (rng.chance(0.5) ? { code: 'INVALID_VALUE', field, text: `Invalid value for ${field}` } : { text: `Validation failed: ${field}` }),
  emailInUse: () => ({ code: 'EMAIL_IN_USE', field: 'email', text: 'Email already in use' }),
};

export const ENGINES: Readonly<Record<EngineKind, EngineProfile>> = { 'mapal-os': mapalOs, planday, 'hr-feed': hrFeed };

/** Failures of one record that no code explains: the classifier groups them as `unclassified` by their text. */
export function transientFailure(rng: Random): EngineMessage {
  return rng.chance(0.5)
    ? { text: `Target API timeout after ${rng.int(20_000, 40_000)} ms (request ${rng.hex(8)})` }
    : { code: 'RATE_LIMITED', text: `Rate limit exceeded, retry in ${rng.int(5, 60)} s` };
}

/** Why a whole run failed (`run_error`). */
export function runFailure(rng: Random, kind: EngineKind): string {
  const source = ENGINES[kind].sourceSystem;
  return rng.pick([
    `Authentication to source failed (HTTP 401 from ${source} API)`,
    `Source API unavailable (HTTP 503 from ${source} API) after 3 attempts`,
    'Connection to Flow Learning timed out after 120 s',
  ]);
}

/** The target's catalog (its exact-match values), as in the spec's examples. */
export const BASE_CATALOG = {
  job_titles: [
    'Head Chef',
    'Sous Chef',
    'Chef de Partie',
    'Commis Chef',
    'Kitchen Porter',
    'Bar Staff',
    'Bartender',
    'Barista',
    'Waiter',
    'Restaurant Manager',
    'Assistant Manager',
    'General Manager',
    'Shift Supervisor',
    'Housekeeper',
    'Receptionist',
    'Night Porter',
    'Café Manager',
    'Front of House Manager',
    'Duty Manager',
  ],
  departments: ['Kitchen', 'Front of House', 'Bar', 'Housekeeping', 'Management', 'Reception'],
  branches: ['London Soho', 'Manchester Piccadilly', 'Leeds Station', 'Bristol Harbourside', 'Edinburgh Old Town', 'München Zentrum', 'Dublin Temple Bar'],
};

/** Values the source starts using before the target has them: unknown until a catalog fix adds them. */
export const NEW_VALUES: Readonly<Record<CatalogField, readonly string[]>> = {
  job_title: ['Sommelier', 'Events Coordinator', 'Pot Wash Lead'],
  department: ['Logistics', 'Finance Team'],
  branch: ['Glasgow Merchant City', 'Cardiff Bay'],
};

export const FIRST_NAMES = [
  'Ana',
  'Zoë',
  'Chloé',
  'Fatima',
  'Lars',
  'Nikos',
  'Mei',
  'Jamal',
  'José',
  'Aoife',
  'Priya',
  'Mohammed',
  'Tom',
  'Kwame',
  'Siobhán',
  'Ryan',
  'Emma',
  'Oliver',
  'Sara',
  'Łukasz',
];

export const LAST_NAMES = [
  'Lopez',
  'Murphy',
  'García',
  'Dubois',
  'Müller',
  'Papadopoulos',
  'Chen',
  'Mensah',
  'Khan',
  'Nowak',
  "O'Brien",
  'Rossi',
  'Smith',
  'Kowalski',
  'Haddad',
  'Patel',
  'Walsh',
  'Okafor',
  'Berg',
  'Jones',
];
