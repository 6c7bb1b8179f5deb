/**
 * Indexes hold this many leading characters of a free-text value (external ID,
 * email): a btree entry must stay under about 2,700 bytes, and a value of any
 * length must never fail a run. Queries compare the prefix, which the index
 * serves, then the whole value. Fixed by migration 2026-11-29-1610.
 */
export const INDEXED_PREFIX = 200;
