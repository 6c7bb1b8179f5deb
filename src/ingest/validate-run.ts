import type { z } from 'zod';
import type { ProblemDetail } from '../http/errors.js';
import { problemsOf, problemsOfIssues } from '../http/zod-problems.js';
import { type FeedRunInput, feedRunSchema } from './feed.schema.js';

// Records are checked this many at a time: zod copies what it parses, and a
// slice's copy is garbage at once, where the whole run's would double the
// largest thing in memory.
const SLICE = 1_000;

const recordsSchema = feedRunSchema.shape.records;

type Validated = { success: true; run: FeedRunInput } | { success: false; errors: ProblemDetail[] };

/**
 * Validates a parsed body against feedRunSchema and, when it is valid, returns
 * the body itself as the run: every part of the schema passes values through
 * unchanged (loose objects, no transforms, no defaults), so zod's copy equals
 * the original and is dropped. Problems read as one parse of the whole body
 * would report them: the header's first, then the records' in order, and the
 * run-wide refinement (finished_at) only when all else is valid.
 */
export function validateRun(body: unknown): Validated {
  const records = (body as { records?: unknown } | null)?.records;
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(records)) {
    const parsed = feedRunSchema.safeParse(body);
    return parsed.success ? { success: true, run: body as FeedRunInput } : { success: false, errors: problemsOf(parsed.error) };
  }
  const header = feedRunSchema.safeParse({ ...body, records: [] });
  const headerIssues = header.success ? [] : header.error.issues;
  const recordIssues: z.core.$ZodIssue[] = [];
  for (let start = 0; start < records.length; start += SLICE) {
    const slice = recordsSchema.safeParse(records.slice(start, start + SLICE));
    if (slice.success) continue;
    for (const issue of slice.error.issues) recordIssues.push({ ...issue, path: ['records', start + (issue.path[0] as number), ...issue.path.slice(1)] });
  }
  const structural = headerIssues.filter((issue) => issue.code !== 'custom');
  const issues = [...structural, ...recordIssues];
  // zod runs the refinement only on a run whose shape is valid.
  if (issues.length === 0) issues.push(...headerIssues);
  if (issues.length === 0) return { success: true, run: body as FeedRunInput };
  return { success: false, errors: problemsOfIssues(issues) };
}
