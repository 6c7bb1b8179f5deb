/**
 * The statuses of an error group, each list written once. The types, the zod
 * schemas of the API and the page (`z.enum(LIST)`), hence the OpenAPI enums, the
 * page's select options and buttons, and the SQL that means "open" (through
 * bindings) are all derived from here; the database's CHECK constraint is in a
 * migration, which is history and stays as written.
 */

export const GROUP_STATUSES = ['open', 'resolved', 'ignored', 'regressed'] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/** Still needs someone: counted as open on the overview, and what a newer run can resolve. */
export const OPEN_GROUP_STATUSES = ['open', 'regressed'] as const satisfies readonly GroupStatus[];

/** What a person may set; `regressed` is only ever set by a run. */
export const PERSON_SET_STATUSES = ['open', 'resolved', 'ignored'] as const satisfies readonly GroupStatus[];
export type PersonSetStatus = (typeof PERSON_SET_STATUSES)[number];

/** The page's status filter lists the groups that need someone first. */
export const GROUP_STATUS_FILTER_OPTIONS: readonly GroupStatus[] = [
  ...OPEN_GROUP_STATUSES,
  ...GROUP_STATUSES.filter((status) => !(OPEN_GROUP_STATUSES as readonly GroupStatus[]).includes(status)),
];

/** The page's buttons, in this order, each setting its status (the group's own status is left out). */
export const PERSON_SET_STATUS_ACTIONS: Readonly<Record<PersonSetStatus, string>> = {
  resolved: 'Mark resolved',
  ignored: 'Ignore',
  open: 'Reopen',
};
