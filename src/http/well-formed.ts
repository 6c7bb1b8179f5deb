import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';
import { formatPath } from './zod-problems.js';

/** At most this many unstorable strings are named in one answer. */
export const MAX_REPORTED = 100;

/** A step of an iterative walk of parsed JSON: the node, and how it was reached (for its path). */
export interface Visit {
  node: unknown;
  key: PropertyKey | undefined;
  parent: Visit | undefined;
}

export function pathOf(visit: Visit, key?: PropertyKey): string {
  const path: PropertyKey[] = key === undefined ? [] : [key];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.unshift(at.key);
  return formatPath(path);
}

/** Why PostgreSQL cannot store this text, if it cannot. */
export function problemWith(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains the NUL character (U+0000)';
  if (!text.isWellFormed()) return 'contains an unpaired surrogate (invalid Unicode)';
  return undefined;
}

/**
 * PostgreSQL text cannot hold U+0000, and a lone UTF-16 surrogate cannot be
 * encoded at all: both are rejected up front with their paths (keys included),
 * rather than failing halfway through the insert. Iterative, so that deeply
 * nested bodies cannot overflow the stack; paths are built only for problems.
 */
export function findMalformedStrings(root: unknown): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const stack: Visit[] = [{ node: root, key: undefined, parent: undefined }];
  while (stack.length > 0 && problems.length < MAX_REPORTED) {
    const visit = stack.pop()!;
    const { node } = visit;
    if (typeof node === 'string') {
      const problem = problemWith(node);
      if (problem) problems.push({ path: pathOf(visit), message: `the value ${problem}` });
    } else if (Array.isArray(node)) {
      for (let index = node.length - 1; index >= 0; index--) stack.push({ node: node[index], key: index, parent: visit });
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        const problem = problemWith(key);
        if (problem) problems.push({ path: pathOf(visit, key), message: `the key ${problem}` });
        stack.push({ node: (node as Record<string, unknown>)[key], key, parent: visit });
      }
    }
  }
  return problems;
}

/** A form field PostgreSQL cannot hold (a NUL, a lone surrogate) is a 400 naming the field, before any page reads it. */
export const requireWellFormedForm: RequestHandler = (req, _res, next) => {
  const problems = req.body && typeof req.body === 'object' ? findMalformedStrings(req.body) : [];
  if (problems.length > 0) throw new HttpError(400, 'Bad Request', 'A form field holds text that cannot be stored.', problems);
  next();
};
