/** What can go wrong in a simulated feed, and how often: `--errors`. */
export const ERROR_KINDS = [
  'mismatch',
  'missing',
  'invalid',
  'email-in-use',
  'duplicate-id',
  'recreated',
  'archived-field',
  'transient',
  'failed-run',
  'silence',
  'volume-drop',
  'catalog-fix',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ErrorMix {
  kinds: ReadonlySet<ErrorKind>;
  /** Multiplies how often record-level problems start: light 0.4, normal 1, heavy 2.5. */
  rate: number;
}

const RATES = { none: 0, light: 0.4, normal: 1, heavy: 2.5 } as const;

export const ERROR_MIX_HELP =
  'none | light | normal | heavy (every kind, at that rate), or a comma list of kinds, optionally ending with a rate (mismatch,missing,heavy). ' +
  `Kinds: ${ERROR_KINDS.join(', ')}.`;

/** Parses `--errors`; throws an Error naming the bad part. */
export function parseErrorMix(text: string): ErrorMix {
  const parts = text
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 0) throw new Error(`--errors is empty: use ${ERROR_MIX_HELP}`);
  let rate: number | undefined;
  const kinds = new Set<ErrorKind>();
  for (const part of parts) {
    if (part in RATES) {
      if (rate !== undefined) throw new Error(`--errors names two rates ('${part}'): use one of none, light, normal, heavy.`);
      rate = RATES[part as keyof typeof RATES];
    } else if ((ERROR_KINDS as readonly string[]).includes(part)) {
      kinds.add(part as ErrorKind);
    } else {
      throw new Error(`--errors: unknown kind '${part}'. Use ${ERROR_MIX_HELP}`);
    }
  }
  if (kinds.size === 0 && rate !== 0) for (const kind of ERROR_KINDS) kinds.add(kind);
  return { kinds, rate: rate ?? 1 };
}

export const NO_ERRORS: ErrorMix = { kinds: new Set(), rate: 0 };
