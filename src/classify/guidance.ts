/**
 * Fix-it guidance for every error code, in one place, for the admin who must act: what
 * happened with the actual values, why it matters, and the steps (in order; the views
 * number them). Values are quoted with their hidden characters shown ("<U+FEFF>Bar"), so
 * a difference that looks like nothing on screen can be seen. Plain strings: the HTML
 * views escape them.
 */
import type { ErrorCode } from './error-enums.js';
import type { ClassifiedError } from './types.js';
import { collapseWhitespace, hasInvisible, makeVisible, removeWhitespace, trimWhitespace } from './normalise.js';
import { isRealDate } from './record-checks.js';

export interface Guidance {
  title: string;
  what: string;
  why: string;
  steps: string[];
}

export interface GuidanceContext {
  sourceSystem: string;
  targetSystem: string;
}

const FIELD_LABELS: Readonly<Record<string, string>> = {
  external_id: 'external ID',
  first_name: 'first name',
  last_name: 'last name',
  email: 'email',
  job_title: 'job title',
  department: 'department',
  branch: 'branch',
  date_of_birth: 'date of birth',
  start_date: 'start date',
  end_date: 'end date',
};

const MISMATCH_FIELDS = {
  job_title_mismatch: { field: 'job_title', plural: 'job titles', configuration: 'OS Configuration > Job titles' },
  department_mismatch: { field: 'department', plural: 'departments', configuration: 'OS Configuration > Departments' },
  branch_mismatch: { field: 'branch', plural: 'branches', configuration: 'OS Configuration > Business units' },
} as const;

/**
 * Variants where the sent value may be a value of its own that the target lacks; a value
 * that differs only by stray spaces or hidden characters is never worth creating.
 */
const MAY_BE_NEW_VALUE = new Set(['case', 'case_and_spacing', 'typo']);

const INVISIBLE_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['\u00AD', 'a soft hyphen (U+00AD)'],
  ['\u200B', 'a zero-width space (U+200B)'],
  ['\u200C', 'a zero-width non-joiner (U+200C)'],
  ['\u200D', 'a zero-width joiner (U+200D)'],
  ['\u2060', 'a word joiner (U+2060)'],
  ['\uFEFF', 'a byte order mark (U+FEFF)'],
];

/** A value quoted for the admin, hidden characters made visible. */
export function quote(value: string): string {
  return `'${makeVisible(value)}'`;
}

function labelOf(field: string | null): string {
  if (field === null) return 'value';
  return FIELD_LABELS[field] ?? field.replace(/_/gu, ' ');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const PUSH_AGAIN = (source: string): string => `Push employees again from ${source}, or wait for the next sync`;

function spacingDetail(value: string, expected: string): string {
  const details: string[] = [];
  if (trimWhitespace(value) !== value) details.push('a space at the start or end');
  if (/\p{White_Space}{2,}/u.test(value)) details.push('doubled spaces');
  if (/[^\P{White_Space} ]/u.test(value)) details.push('a space character other than a plain space (shown as <U+...>)');
  if (removeWhitespace(value) === value && collapseWhitespace(expected).includes(' ')) details.push('no spaces where there should be');
  return details.length > 0 ? ` (${details.join(', ')})` : '';
}

function unicodeDetail(value: string): string {
  const found = INVISIBLE_NAMES.filter(([char]) => value.includes(char)).map(([, name]) => name);
  if (hasInvisible(value) && found.length === 0) found.push('invisible characters');
  if (value.normalize('NFC') !== value) found.push('accents stored as separate marks (not Unicode NFC)');
  return found.length > 0 ? ` It contains ${found.join(' and ')}.` : '';
}

function mismatchGuidance(error: ClassifiedError, code: keyof typeof MISMATCH_FIELDS, ctx: GuidanceContext): Guidance {
  const { sourceSystem: source, targetSystem: target } = ctx;
  const { field, plural, configuration } = MISMATCH_FIELDS[code];
  const label = labelOf(field);
  const value = error.value;
  const strict = `${target} matches ${plural} letter for letter, capitals and spaces included, so the employee is not synced.`;

  if (error.expected === null || value === null) {
    const sent = value === null ? `a ${label} that ${target} does not have` : `the ${label} ${quote(value)}, which ${target} does not have`;
    const toCreate = value === null ? `the ${label}` : quote(value);
    return {
      title: `${capitalise(label)} not found in ${target}`,
      what: `${source} sends ${sent}.`,
      why: `${target} has no ${label} of that name. ${strict}`,
      steps: [
        `Create ${toCreate} in ${target}: ${configuration} (a batch process exists to create many at once)`,
        `Or change the ${label} in ${source} to one that ${target} has`,
        PUSH_AGAIN(source),
      ],
    };
  }

  const expected = error.expected;
  const reasons: Record<string, string> = {
    spacing: `The two differ only in spacing${spacingDetail(value, expected)}.`,
    case: 'The two differ only in capital letters.',
    case_and_spacing: `The two differ in capital letters and in spacing${spacingDetail(value, expected)}.`,
    unicode: `The two look the same on screen but are different characters.${unicodeDetail(value)}`,
    typo: 'The two differ by a letter or two: most likely a typing error.',
  };
  const retype = error.variant === 'unicode' ? ' (type it in rather than pasting it, so no hidden character comes along)' : '';
  const steps = [`Change it in ${source} to exactly ${quote(expected)}${retype}`];
  if (MAY_BE_NEW_VALUE.has(error.variant ?? '')) {
    steps.push(
      `Or, if ${quote(value)} is meant to be a ${label} of its own, create ${quote(value)} in ${target}: ${configuration} (a batch process exists to create many at once)`,
    );
  }
  steps.push(PUSH_AGAIN(source));
  return {
    title: `${capitalise(label)} does not match ${target} exactly`,
    what: `${source} sends ${quote(value)}; ${target} has ${quote(expected)}.`,
    why: `${reasons[error.variant ?? ''] ?? ''} ${strict}`.trim(),
    steps,
  };
}

function duplicateGuidance(error: ClassifiedError, ctx: GuidanceContext): Guidance {
  const { sourceSystem: source, targetSystem: target } = ctx;
  const id = error.value === null ? 'one external ID' : `the external ID ${quote(error.value)}`;
  const what =
    error.variant === 'within_run'
      ? `${source} sent different people under ${id} in one run; ${target} kept only the last of them.`
      : error.variant === 'across_runs'
        ? `${source} sent a different person under ${id} than the employee ${target} already holds under it; that employee was overwritten.`
        : `${target} reports that ${id} is already taken by another employee.`;
  return {
    title: `Two employees share ${id}`,
    what,
    why: 'External IDs must be unique per employee. When two employees arrive under one ID, the target keeps one record and the first is overwritten by the second.',
    steps: [`Give each employee their own identifier in ${source}`, `Restore or re-create the overwritten employee in ${target}`, PUSH_AGAIN(source)],
  };
}

function archivedGuidance(error: ClassifiedError, ctx: GuidanceContext): Guidance {
  const { sourceSystem: source, targetSystem: target } = ctx;
  const label = labelOf(error.field);
  const name = error.value === null ? `the ${label} field` : quote(error.value);
  const unarchive = /planday/iu.test(source)
    ? `In ${source}, go to Settings > People > Employee form set-up > Archived fields and choose Unarchive field on ${name}`
    : `In ${source}, unarchive ${name} in the employee form set-up`;
  return {
    title: `Mandatory field ${name} is archived in ${source}`,
    what: `The mandatory employee-form field ${name} is archived in ${source}, so no employee can carry a ${label}.`,
    why: `${target} requires the ${label}, and an archived field sends nothing, so every employee fails until it is back.`,
    steps: [unarchive, PUSH_AGAIN(source)],
  };
}

function invalidWhat(error: ClassifiedError, ctx: GuidanceContext): { what: string; why: string } {
  const { sourceSystem: source, targetSystem: target } = ctx;
  const label = labelOf(error.field);
  const sent = error.value === null ? `a ${label}` : `the ${label} ${quote(error.value)}`;
  if (error.field === 'email') {
    return { what: `${source} sends ${sent}, which is not a valid email address.`, why: 'An email must read local@domain.tld, with no spaces inside.' };
  }
  const isDate = error.field === 'date_of_birth' || error.field === 'start_date' || error.field === 'end_date';
  if (isDate && (error.value === null || !isRealDate(error.value))) {
    return {
      what: `${source} sends ${sent}, which is not a real date written YYYY-MM-DD.`,
      why: 'Dates must be real calendar dates in the form YYYY-MM-DD (2024-02-30 does not exist).',
    };
  }
  if (error.field === 'end_date') {
    return { what: `${source} sends ${sent}, which is before the employee's start date.`, why: 'An employment cannot end before it starts.' };
  }
  if (error.field === 'date_of_birth') {
    return { what: `${source} sends ${sent}, which is after the day of the sync.`, why: 'A date of birth cannot be in the future.' };
  }
  return { what: `${source} sends ${sent}, which ${target} rejects as invalid.`, why: `${target} checks the ${label} and refused this one.` };
}

function unclassifiedGuidance(error: ClassifiedError, ctx: GuidanceContext): Guidance {
  const { sourceSystem: source, targetSystem: target } = ctx;
  return {
    title: 'Sync failed for a reason feedlog does not recognise yet',
    what:
      error.value === null
        ? `${target} rejected this employee without any message.`
        : `${target} rejected this employee with the message ${quote(error.value)}.`,
    why: 'The message matches none of the known causes. Failures with the same message pattern are grouped, so one group is one kind of failure.',
    steps: [
      'Read the message: a timeout or a rate limit is usually temporary and the next sync retries it',
      PUSH_AGAIN(source),
      `If it keeps failing, send the message to the support of the sync engine between ${source} and ${target}`,
    ],
  };
}

function runFailedGuidance(error: ClassifiedError, ctx: GuidanceContext): Guidance {
  const { sourceSystem: source, targetSystem: target } = ctx;
  const reason = error.value === null ? 'without saying why' : `with ${quote(error.value)}`;
  const credentials = error.value !== null && /auth|credential|token|password|\b40[13]\b/iu.test(error.value);
  return {
    title: `Sync run from ${source} to ${target} failed`,
    what: `The whole sync run failed ${reason}. No employee was synced in this run.`,
    why: 'A run fails as a whole when the engine cannot reach or log in to one of the systems; every change since the last good run waits.',
    steps: [
      credentials
        ? `Check the credentials the sync engine uses for ${source} and ${target}: they may have expired or been changed`
        : 'Fix the cause named in the error',
      `Start a run by hand (Push employees in ${source}) and check that it completes`,
      'Check that the next scheduled run arrives',
    ],
  };
}

function missedRunGuidance(error: ClassifiedError, ctx: GuidanceContext): Guidance {
  const { sourceSystem: source, targetSystem: target } = ctx;
  const when = error.value === null ? '' : ` (${makeVisible(error.value)})`;
  return {
    title: `No sync run from ${source} arrived`,
    what: `No sync run from ${source} to ${target} arrived within its schedule plus grace${when}.`,
    why: `Until a run arrives, changes made in ${source} do not reach ${target}, and feedlog cannot tell whether the sync works.`,
    steps: [
      `Check that the sync engine between ${source} and ${target} is enabled and scheduled`,
      'Check that the engine still sends its runs to feedlog with a valid ingest token',
      `Start a run by hand (Push employees in ${source}) and check that it arrives here`,
    ],
  };
}

const GUIDES: Readonly<Record<ErrorCode, (error: ClassifiedError, ctx: GuidanceContext) => Guidance>> = {
  duplicate_external_id: duplicateGuidance,
  job_title_mismatch: (error, ctx) => mismatchGuidance(error, 'job_title_mismatch', ctx),
  department_mismatch: (error, ctx) => mismatchGuidance(error, 'department_mismatch', ctx),
  branch_mismatch: (error, ctx) => mismatchGuidance(error, 'branch_mismatch', ctx),
  archived_mandatory_field: archivedGuidance,
  missing_required_field: (error, { sourceSystem: source, targetSystem: target }) => {
    const label = labelOf(error.field);
    return {
      title: `${capitalise(label)} is missing`,
      what: `${source} sends no ${label}${error.field ? ` (${error.field})` : ''} for this employee; ${target} requires it.`,
      why: `An employee without ${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label} cannot be synced to ${target}.`,
      steps: [`Fill in the ${label} on the employee's profile in ${source}`, PUSH_AGAIN(source)],
    };
  },
  email_in_use: (error, { sourceSystem: source, targetSystem: target }) => ({
    title: 'Email already used by another employee',
    what: `${source} sends the email ${error.value === null ? '' : `${quote(error.value)} `}for this employee; another active user in ${target} already has it.`,
    why: `${target} needs a unique email per active user (capitals and surrounding spaces do not count). An email is free again once its holder is deactivated.`,
    steps: [
      `If the other user is this person's old account, deactivate the old user first`,
      `Otherwise give this employee a unique email in ${source}`,
      PUSH_AGAIN(source),
    ],
  }),
  invalid_value: (error, ctx) => {
    const label = labelOf(error.field);
    return {
      title: `Invalid ${label}`,
      ...invalidWhat(error, ctx),
      steps: [`Correct the ${label} on the employee's profile in ${ctx.sourceSystem}`, PUSH_AGAIN(ctx.sourceSystem)],
    };
  },
  recreated_after_delete: (error, { sourceSystem: source, targetSystem: target }) => {
    const who = error.value === null ? 'This employee' : `The employee with external ID ${quote(error.value)}`;
    return {
      title: `Employee re-created in ${target} after being deleted there`,
      what: `${who} was deleted in ${target} while still active in ${source}, and this sync created them again.`,
      why: `${source} is the source of truth: while the employee is active there, every sync brings them back.`,
      steps: [
        `To remove the employee for good, deactivate them in ${source}`,
        `Let the next sync deactivate them in ${target}; deleting in ${target} alone does not last`,
      ],
    };
  },
  unclassified: unclassifiedGuidance,
  run_failed: runFailedGuidance,
  missed_run: missedRunGuidance,
};

export function guidanceFor(error: ClassifiedError, ctx: GuidanceContext): Guidance {
  return GUIDES[error.code](error, ctx);
}

/** Guidance as the JSON API carries it on each error: a title, one summary sentence pair, the steps. */
export interface ApiGuidance {
  title: string;
  summary: string;
  steps: string[];
}

export function apiGuidanceFor(error: ClassifiedError, ctx: GuidanceContext): ApiGuidance {
  const { title, what, why, steps } = guidanceFor(error, ctx);
  return { title, summary: `${what} ${why}`, steps };
}
