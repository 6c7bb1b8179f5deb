import { createHash } from 'node:crypto';

/**
 * A SHA-256 of the JSON with object keys sorted at every level: two bodies that
 * are deep-equal JSON hash alike whatever their key order or whitespace.
 */
export function canonicalHash(value: unknown): string {
  const hash = createHash('sha256');
  const write = (node: unknown): void => {
    if (Array.isArray(node)) {
      hash.update('[');
      node.forEach((item, index) => {
        if (index > 0) hash.update(',');
        write(item);
      });
      hash.update(']');
    } else if (node !== null && typeof node === 'object') {
      hash.update('{');
      Object.keys(node)
        .sort()
        .forEach((key, index) => {
          if (index > 0) hash.update(',');
          hash.update(JSON.stringify(key));
          hash.update(':');
          write((node as Record<string, unknown>)[key]);
        });
      hash.update('}');
    } else {
      hash.update(JSON.stringify(node) ?? 'null');
    }
  };
  write(value);
  return hash.digest('hex');
}
