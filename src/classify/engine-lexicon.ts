/**
 * The words of the engine-text grammar (engine-grammar.ts): the nouns that name a subject,
 * the phrases that say something about it, and the words that introduce a value. All are
 * written in the normalised reading of engine-text-normalise.ts: lower case, one space
 * between words, underscores and dashes as spaces ("date_of_birth" reads "date of birth",
 * "e-mail" reads "e mail"), quotes as ' and ".
 *
 * Sources of the wordings, besides error-codes.md and the example corpus: Mapal OS's help
 * on feed logs ("Employee with external Identifier {id} not processed, Job Title with name
 * {title} does not exist", "Unable to add user to Business Unit, Business Unit with Feed id
 * {id} ..."), Planday's API error guide ("Employee with given id doesn't exist", "Employee id
 * is invalid") and its help on archived employee-form fields, and how other HR and
 * learning systems word the same failures in their public help (Zoho People: "Missing
 * mandatory field values", "Value already exists"; Everfi: "Location name cannot be found",
 * "Email has already been taken"; PureSafety: "A first name is required", "Email already
 * exists for employee", "Invalid Birth Date entered"; Flare: "Email already in use").
 */
import type { RecordField } from './feed-enums.js';

/** What a noun phrase names. */
export type SubjectKind =
  /** An employee attribute we check: `field` says which. */
  | 'attribute'
  /** A field of the employee form without saying which ("field", "required field"): its name or a following attribute says. */
  | 'form-field'
  /** The employee or user the record is about ("user", "employee"): context, never the subject of an attribute error. */
  | 'owner'
  /** Something that is not an employee attribute (a course, a learning plan, a permission...). */
  | 'other';

export interface Phrase {
  words: readonly string[];
  kind: SubjectKind;
  field?: RecordField;
  /** "required field", "mandatory field": the field is required, so "not found" means missing. */
  required?: boolean;
  /**
   * A word that names an attribute only when it stands on its own ("Title 'Chef' ...",
   * "Could not find site 'Leeds'"), not when it ends a longer noun ("Course title",
   * "Web site", "Job site").
   */
  weak?: boolean;
}

/** Each attribute's nouns: [field, nouns, weak nouns]. */
const ATTRIBUTE_PHRASES: ReadonlyArray<readonly [RecordField, readonly string[]] | readonly [RecordField, readonly string[], readonly string[]]> = [
  [
    'external_id',
    [
      'external id',
      'external ids',
      'externalid',
      'external identifier',
      'external identifiers',
      'external reference',
      'external key',
      'external user id',
      'employee id',
      'employee ids',
      'employeeid',
      'employee identifier',
      'employee number',
      'employee no',
      'employee code',
      'employee reference',
      'staff id',
      'staff number',
      'payroll id',
      'payroll number',
      'personnel number',
    ],
  ],
  ['first_name', ['first name', 'first names', 'firstname', 'given name', 'given names', 'givenname', 'forename', 'forenames', 'fore name']],
  ['last_name', ['last name', 'last names', 'lastname', 'surname', 'surnames', 'sur name', 'family name', 'family names', 'familyname']],
  [
    'email',
    [
      'email',
      'emails',
      'e mail',
      'e mails',
      'email address',
      'email addresses',
      'e mail address',
      'emailaddress',
      'mail address',
      'work email',
      'work email address',
    ],
  ],
  ['date_of_birth', ['date of birth', 'dateofbirth', 'birth date', 'birthdate', 'birthday', 'dob']],
  [
    'start_date',
    [
      'start date',
      'startdate',
      'hire date',
      'hiredate',
      'date of hire',
      'employment start date',
      'employment start',
      'joining date',
      'join date',
      'date joined',
    ],
  ],
  ['end_date', ['end date', 'enddate', 'termination date', 'leaving date', 'date of leaving', 'employment end date', 'employment end']],
  [
    'job_title',
    ['job title', 'job titles', 'jobtitle', 'job role', 'job roles', 'job position', 'job positions', 'job code', 'occupation'],
    ['position', 'positions', 'role', 'roles', 'title', 'titles'],
  ],
  ['department', ['department', 'departments', 'dept', 'depts', 'primary department', 'home department']],
  [
    'branch',
    [
      'branch',
      'branches',
      'business unit',
      'business units',
      'businessunit',
      'location',
      'locations',
      'work location',
      'home location',
      'primary location',
      'venue',
      'venues',
      'outlet',
      'outlets',
      'home branch',
      'primary branch',
    ],
    ['site', 'sites', 'store', 'stores'],
  ],
];

const FORM_FIELD_WORDS = ['field', 'fields', 'form field', 'form fields', 'attribute', 'attributes', 'property', 'column', 'columns', 'parameter'];
const REQUIRED_FORM_FIELD_WORDS = ['field', 'fields', 'attribute', 'attributes', 'column', 'parameter', 'value', 'values'].flatMap((word) => [
  `required ${word}`,
  `mandatory ${word}`,
]);

const OWNER_WORDS = [
  'user',
  'users',
  "user's",
  'employee',
  'employees',
  "employee's",
  'learner',
  'learners',
  'staff',
  'staff member',
  'person',
  'people',
  'member',
  'worker',
  'account',
  'user account',
  'user profile',
  'profile',
  'employee record',
  'record',
];

/** Things that are not employee attributes; a text about them is no attribute error. */
const OTHER_WORDS = [
  'course',
  'courses',
  'module',
  'modules',
  'learning plan',
  'learning plans',
  'learning path',
  'learning paths',
  'plan',
  'plans',
  'training',
  'trainings',
  'certificate',
  'certificates',
  'certification',
  'certifications',
  'qualification',
  'qualifications',
  'lesson',
  'lessons',
  'quiz',
  'assessment',
  'assessments',
  'exam',
  'programme',
  'program',
  'curriculum',
  'content',
  'permission',
  'permissions',
  'permission profile',
  'user role',
  'user roles',
  'learner role',
  'access role',
  'security role',
  'admin role',
  'manager',
  'managers',
  'reviewer',
  'supervisor',
  'group',
  'groups',
  'employee group',
  'employee groups',
  'team',
  'teams',
  'badge',
  'skill',
  'skills',
  'document',
  'documents',
  'file',
  'template',
  'report',
  'shift',
  'shifts',
  'schedule',
  'token',
  'api key',
  'login',
  'username',
  'user name',
  'password',
  'sso id',
  'operator',
  'company',
  'organisation',
  'organization',
  'tenant',
  'portal',
  'integration',
  'webhook',
  'licence',
  'license',
  'subscription',
  'policy',
  'appraisal',
  'task',
  'checklist',
  'session',
  'wage',
  'salary',
  'contract',
];

function phrasesOf(): Phrase[] {
  const phrases: Phrase[] = [];
  const add = (text: string, phrase: Omit<Phrase, 'words'>) => phrases.push({ words: text.split(' '), ...phrase });
  for (const [field, strong, weak] of ATTRIBUTE_PHRASES) {
    for (const text of strong) add(text, { kind: 'attribute', field });
    for (const text of weak ?? []) add(text, { kind: 'attribute', field, weak: true });
  }
  for (const text of FORM_FIELD_WORDS) add(text, { kind: 'form-field' });
  for (const text of REQUIRED_FORM_FIELD_WORDS) add(text, { kind: 'form-field', required: true });
  for (const text of OWNER_WORDS) add(text, { kind: 'owner' });
  for (const text of OTHER_WORDS) add(text, { kind: 'other' });
  return phrases;
}

/** The phrases by their first word, longest first, so the longest phrase at a position wins. */
export const PHRASES_BY_FIRST_WORD: ReadonlyMap<string, readonly Phrase[]> = (() => {
  const byFirst = new Map<string, Phrase[]>();
  for (const phrase of phrasesOf()) {
    const first = phrase.words[0]!;
    const list = byFirst.get(first) ?? [];
    list.push(phrase);
    byFirst.set(first, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.words.length - a.words.length);
  return byFirst;
})();

/** Words after which a weak noun ("title", "site") still stands on its own. */
export const WEAK_NOUN_MAY_FOLLOW: ReadonlySet<string> = new Set(
  (
    'the a an this that these those its their his her your our no such any matching existing unknown invalid missing required mandatory ' +
    'empty blank duplicate duplicated new given specified provided selected primary home for of to in into at on by with from ' +
    'map find resolve match locate assign add set update create unrecognised unrecognized incorrect wrong bad malformed and or but ' +
    'correct valid not is was are were has have been be named called'
  ).split(' '),
);

/** Prepositions: a noun after one is an object ("... for job title X"), not the sentence's subject. */
export const PREPOSITIONS: ReadonlySet<string> = new Set('for of in into at on by with from to within under against per'.split(' '));

const alternatives = (parts: readonly string[]): string => parts.join('|');

/**
 * The predicates, by what they say. Each is searched in a clause whose values are masked,
 * so a value's own words ("Archived Staff", "Mandatory Training") are never read as one.
 */
export const NOT_EXIST = new RegExp(
  alternatives([
    String.raw`\b(?:does|do|did)(?: not|n't) exists?\b`,
    String.raw`\bnot exists?\b`,
    String.raw`\bnon ?existent\b`,
    String.raw`\bnot (?:be )?found\b`,
    String.raw`\b(?:wasn't|weren't|isn't|aren't|couldn't|can't|cannot|can not|won't)(?: be)? found\b`,
    String.raw`\bunknown\b`,
    String.raw`\bnot (?:in|part of|present in|listed in|available in|among|one of)\b(?! (?:the )?(?:correct|right|expected|valid|required) )`,
    String.raw`\bno such\b`,
    String.raw`\bno match(?:ing|es)?\b`,
    String.raw`\bdoes(?: not|n't) match (?:any|an existing|a known)\b`,
    String.raw`\bnot (?:an? )?(?:recogni[sz]ed|known|defined|configured|set up|existing)\b`,
    String.raw`\bunrecogni[sz]ed\b`,
    String.raw`\b(?:could ?not|couldn't|cannot|can't|can not|unable to|failed to|fails to|failure to)(?: be)? (?:map|find|found|resolve|match|locate|look ?up|identify)`,
    String.raw`\b(?:mapping|lookup|look up) failed\b`,
    String.raw`\b(?:missing|absent) from\b`,
  ]),
);

/** "No department named X exists", "There is no job title with name X": the negation comes first. */
export const NEGATION_FIRST = /^(?:there (?:is|are|was|were) )?no\b(?! value\b)/;
/** What makes a negation-first clause say "does not exist": "there is no X" always does; "no X" with a verb of existence. */
export const NEGATION_FIRST_NOT_EXIST = /^there (?:is|are|was|were) no\b|\b(?:exists?|found|match(?:es|ing)?)\b/;
export const NEGATION_FIRST_MISSING = /\b(?:provided|given|set|specified|supplied|entered|selected|assigned)\b/;

export const ARCHIVED = /\barchived\b/;

export const IN_USE = new RegExp(
  alternatives([
    String.raw`\balready (?:in use|exists?|taken|registered|used|associated|linked|been (?:taken|used|registered))\b`,
    String.raw`\bexists? already\b`,
    String.raw`\bin use\b`,
    String.raw`\b(?:is|has been|was) taken\b`,
    String.raw`\bnot unique\b`,
    String.raw`\bmust be unique\b`,
    String.raw`\bnon ?unique\b`,
    String.raw`\bduplicated?\b`,
    String.raw`\bduplicates\b`,
    String.raw`\b(?:used|taken|held|owned|claimed) by (?:another|a different|an other)\b`,
    String.raw`\bbelongs to (?:another|a different)\b`,
  ]),
);

export const MISSING = new RegExp(
  alternatives([
    String.raw`\brequired\b`,
    String.raw`\bmandatory\b`,
    String.raw`\bmissing\b(?! from\b)`,
    String.raw`\b(?:empty|blank|null)\b`,
    String.raw`(?:\bnot|\bnever|n't)(?: been)? (?:provided|supplied|specified|given|set|entered|filled(?: in)?|populated|included|sent)\b`,
    String.raw`\bnot present\b(?! in\b)`,
    String.raw`\b(?:must|should|needs to|need to|has to|have to) be (?:provided|supplied|specified|given|set|entered|filled(?: in)?|populated|present|included)\b`,
    String.raw`\bplease (?:provide|enter|fill in|specify|supply|set)\b`,
    String.raw`\b(?:no|without a?) value\b`,
  ]),
);

export const INVALID = new RegExp(
  alternatives([
    String.raw`\binvalid\b`,
    String.raw`\bnot (?:a )?valid\b`,
    String.raw`\bisn't (?:a )?valid\b`,
    String.raw`\bmalformed\b`,
    String.raw`\bvalidation (?:failed|error)\b`,
    String.raw`\b(?:failed|fails) validation\b`,
    String.raw`\b(?:bad|wrong|incorrect|invalid|unexpected|unsupported) format\b`,
    String.raw`\bformat(?:ting)? (?:error|is wrong|is incorrect|invalid)\b`,
    String.raw`\bbadly formed\b`,
    String.raw`\b(?:incorrectly|improperly|wrongly) formatted\b`,
    String.raw`\bnot (?:well formed|in the (?:correct|right|expected) format|a real date|a date)\b`,
    String.raw`\bincorrect\b`,
    String.raw`\bunparseable\b`,
    String.raw`\b(?:could not|cannot|can't|unable to|failed to) (?:be )?pars`,
    String.raw`\bin the future\b`,
    String.raw`\b(?:must|should|cannot|can't|may not) be (?:on or )?(?:before|after|earlier|later)\b`,
    String.raw`\b(?:before|earlier than) (?:the )?(?:start|hire) date\b`,
    String.raw`\bout of range\b`,
  ]),
);

/**
 * Words that introduce an unquoted value, as Mapal OS writes them ("Job Title with name
 * Kitchen porter does not exist", "Business Unit with Feed id LDN-SOHO ..."), and their
 * kin. The trailing space is part of the match: the value starts after it.
 */
export const INTRODUCER = new RegExp(
  alternatives([
    String.raw`\bwith (?:the |a |an |this |that |given )?(?:(?:feed|external|employee|user|unit|business unit|location|department|job title|job|branch|site) )?(?:name|title|id|identifier|code|value|key|reference|ref|number) `,
    String.raw`\bwith (?:the |a |an |this |that )?e ?mail(?: address)? `,
    String.raw`\b(?:named|called|titled|entitled|labell?ed) `,
  ]),
  'g',
);

/** Words that cannot start an unquoted value: the value is absent ("A user with this email already exists"). */
export const NOT_A_VALUE_START =
  /^(?:not|no|is|isn't|are|aren't|was|wasn't|were|weren't|does|doesn't|do|don't|did|didn't|has|hasn't|have|haven't|had|hadn't|could|couldn't|can|cannot|can't|must|mustn't|should|shouldn't|will|won't|would|may|might|already|exists?)\b/;

/**
 * Where an unquoted value ends: at the predicate that follows it (a verb, or a word such
 * as "archived" or "unknown" that says something about it), or at a phrase naming the
 * target ("in Flow", "for employee ..."). The leading space is part of the match.
 */
export const VALUE_END = new RegExp(
  alternatives([
    String.raw` (?:not|no|is|isn't|are|aren't|was|wasn't|were|weren't|does|doesn't|do|don't|did|didn't|has|hasn't|have|haven't|had|hadn't|could|couldn't|can|cannot|can't|must|mustn't|should|shouldn't|will|won't|would|may|might|already|exists?)\b`,
    String.raw` (?:found|missing|required|unknown|archived|invalid|taken|in use)\b`,
    String.raw` (?:in|on|for|from|at) (?:the )?(?:flow|flow learning|mapal os|mapal|planday|fourth|target|catalog|catalogue|system|list|configuration|company|organisation|organization|portal|account|employee|user|learner|record|row|line)\b`,
  ]),
  'g',
);

/** A clause ends at a comma, semicolon, ! or ?, or a full stop followed by a space or the end. */
export const CLAUSE_END = /[,;!?]|\.(?= |$)/g;

/** A colon splits a clause in parts ("Validation failed: date_of_birth"), read alone and together. */
export const PART_END = /:/g;

export const EMAIL_ADDRESS = /[^@\s'"]+@[^@\s'"]+\.[^@\s'"]+/;
