import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError, type ProblemDetail } from '../http/errors.js';
import { MAX_REPORTED, pathOf, problemWith, type Visit } from '../http/well-formed.js';
import { CanonicalWriter, canonicalHash } from './canonical-json.js';

/**
 * How deep a run may nest. The feed itself needs 5 levels (run, records, record,
 * employee, value); 64 leaves engines room for their own keys while every
 * recursive step after this check (the canonical hash, JSON.stringify of the
 * rows, PostgreSQL's jsonb input) stays far from the stack's end.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The longest string (value or key) a run may hold, in UTF-8 bytes. The feed's
 * longest real values are engine messages of a few hundred bytes; 128 KiB keeps
 * one record's pasted document, yet one value can no longer be 50 MB.
 */
export const MAX_STRING_BYTES = 128 * 1024;

interface DepthVisit extends Visit {
  depth: number;
}

// Buffer.byteLength walks the string; a string of at most limit/3 UTF-16 units cannot exceed it.
const bytesOver = (text: string): number | undefined => {
  if (text.length * 3 <= MAX_STRING_BYTES) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > MAX_STRING_BYTES ? bytes : undefined;
};

/**
 * Walks the parsed body once, iteratively (a recursive walk is what a deep body
 * overflows), and throws at the first container nested deeper than
 * MAX_JSON_DEPTH; collects every string or key longer than MAX_STRING_BYTES,
 * and every one PostgreSQL cannot store (a NUL, a lone surrogate).
 */
function scan(root: unknown): { tooLong: ProblemDetail[]; malformed: ProblemDetail[] } {
  const tooLong: ProblemDetail[] = [];
  const malformed: ProblemDetail[] = [];
  const stack: DepthVisit[] = [{ node: root, key: undefined, parent: undefined, depth: 1 }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { node, depth } = visit;
    if (typeof node === 'string') {
      const bytes = bytesOver(node);
      if (bytes !== undefined) tooLong.push({ path: pathOf(visit), message: `longer than ${MAX_STRING_BYTES} bytes (${bytes})` });
      const problem = problemWith(node);
      if (problem) malformed.push({ path: pathOf(visit), message: `the value ${problem}` });
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) {
      throw new HttpError(400, 'Bad Request', `The body is nested more than ${MAX_JSON_DEPTH} levels deep; nothing was stored.`, [
        { path: pathOf(visit), message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
      ]);
    }
    if (Array.isArray(node)) {
      for (let index = node.length - 1; index >= 0; index--) stack.push({ node: node[index], key: index, parent: visit, depth: depth + 1 });
    } else {
      for (const key of Object.keys(node)) {
        const bytes = bytesOver(key);
        if (bytes !== undefined)
          tooLong.push({ path: pathOf(visit, key.slice(0, 40)), message: `the key is longer than ${MAX_STRING_BYTES} bytes (${bytes})` });
        const problem = problemWith(key);
        if (problem) malformed.push({ path: pathOf(visit, key), message: `the key ${problem}` });
        stack.push({ node: (node as Record<string, unknown>)[key], key, parent: visit, depth: depth + 1 });
      }
    }
  }
  return { tooLong, malformed };
}

/**
 * What a parsed run must pass before anything else looks at it: nesting within
 * MAX_JSON_DEPTH (400), every string within MAX_STRING_BYTES (413), and text
 * PostgreSQL can hold (400). Each problem names its path.
 */
export function checkParsedBody(body: unknown): void {
  const { tooLong, malformed } = scan(body);
  if (tooLong.length > 0) {
    throw new HttpError(
      413,
      'Content Too Large',
      `A string in the run is longer than the limit of ${MAX_STRING_BYTES} bytes; nothing was stored. Send long documents elsewhere and a reference here.`,
      tooLong.slice(0, 100),
    );
  }
  if (malformed.length > 0) throw new HttpError(400, 'Bad Request', 'The body holds text that cannot be stored.', malformed.slice(0, MAX_REPORTED));
}

/**
 * checkParsedBody and canonicalHash in one pass over the body: while it writes
 * the canonical JSON into the hash, it looks at every string and key, and
 * stops at the first that could fail a check (or at a container nested too
 * deep). Only then does checkParsedBody walk the body again, to throw the
 * answer naming every problem's path. Returns the body's canonical SHA-256.
 */
export function checkAndHash(body: unknown): string {
  const hash = createHash('sha256');
  const fine = (text: string) => bytesOver(text) === undefined && problemWith(text) === undefined;
  const writer = new CanonicalWriter(hash, fine, MAX_JSON_DEPTH);
  writer.write(body);
  if (writer.stopped) {
    checkParsedBody(body);
    // Unreachable while the two agree on what a problem is; were they ever to differ, the body is checked and hashed apart.
    return canonicalHash(body);
  }
  writer.flush();
  return hash.digest('hex');
}

/** The offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629: no overlongs, no surrogates). */
function firstInvalidByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    const second = bytes[i + 1] ?? 0;
    const [low, high] =
      lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

/**
 * body-parser's `verify`: the (decompressed) bytes must be UTF-8. Decoding
 * replaces a bad byte with U+FFFD silently, so the check runs on the bytes.
 */
export function rejectInvalidUtf8(req: IncomingMessage, _res: unknown, bytes: Buffer, encoding: string | null): void {
  if ((encoding ?? 'utf-8') !== 'utf-8' || isUtf8(bytes)) return;
  const at = firstInvalidByte(bytes);
  const compressed = req.headers['content-encoding'] ? ' (counted after decompression)' : '';
  throw new HttpError(400, 'Bad Request', `The body is not valid UTF-8 at byte ${at}${compressed}: send UTF-8 JSON.`, [
    { path: '', message: `invalid UTF-8 byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at byte ${at}` },
  ]);
}
