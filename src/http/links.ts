/** A query parameter's value as links carry it; unset, empty and non-scalar values are left out. */
export type LinkValue = string | number | boolean | null | undefined;

/**
 * A link to `path` that keeps the query parameters that are set, in order;
 * `/runs` alone when none is. The one place pages build their filter, next
 * page and CSV links, so an empty filter never shows up as `?status=`.
 */
export function pageLink(path: string, ...queries: Record<string, unknown>[]): string {
  const params = new URLSearchParams();
  for (const query of queries) {
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') params.delete(name);
      else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params.set(name, String(value));
    }
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
