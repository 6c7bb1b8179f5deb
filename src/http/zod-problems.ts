import type { z } from 'zod';
import type { ProblemDetail } from './errors.js';

/** `['records', 17, 'employee', 'email']` -> `records[17].employee.email`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // zod says "Invalid input: expected string, received number"; the path already says where.
  return issue.message.replace(/^Invalid input: /, '');
}

/** Every issue of a failed validation as `{ path, message }`, for a problem document. */
export function problemsOf(error: z.ZodError): ProblemDetail[] {
  return problemsOfIssues(error.issues);
}

/** The same, for issues gathered from several validations. */
export function problemsOfIssues(issues: readonly z.core.$ZodIssue[]): ProblemDetail[] {
  return issues.map((issue) => ({ path: formatPath(issue.path), message: describeIssue(issue) }));
}
