/**
 * The key errors are grouped by: the same problem in many records is one group. It is
 * code + field + the value as people read it (NFC, invisible characters removed,
 * whitespace collapsed, lower-cased), so "Kitchen porter", "kitchen  porter" and
 * "\uFEFFKitchen Porter" are one group. Where the value is free engine text (unclassified,
 * and run_failed, whose run_error is the same kind of text) the text's fingerprint takes
 * the value's place, so "timeout after 20091 ms" and "timeout after 36218 ms" are one group.
 *
 * The key is a JSON array, so no value can forge a separator, and it depends on nothing
 * but the error: stable across runs and processes.
 */
import { createHash } from 'node:crypto';
import { fingerprintText } from './fingerprint.js';
import { readableKey } from './normalise.js';
import type { ClassifiedError } from './types.js';

export function groupKeyOf(error: ClassifiedError): string {
  const value =
    error.code === 'unclassified' || error.code === 'run_failed'
      ? fingerprintText(error.value).toLowerCase()
      : error.value === null
        ? ''
        : readableKey(error.value);
  const key = JSON.stringify([error.code, error.field ?? '', value]);
  // The key is indexed (unique per integration), and a btree entry holds about
  // 2,700 bytes: a longer key becomes its code and SHA-256, as stable and as unique.
  return key.length <= MAX_KEY_LENGTH ? key : JSON.stringify([error.code, 'sha256', createHash('sha256').update(key).digest('hex')]);
}

/** Characters (at most 3 bytes each in UTF-8, under the index's limit). */
const MAX_KEY_LENGTH = 600;
