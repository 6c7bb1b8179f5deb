/**
 * The layering rules of the README's "How the code is laid out", checked on
 * the sources themselves so that a new file cannot quietly break them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT_DIR } from '../src/config.js';

const SRC = path.join(ROOT_DIR, 'src');

function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const files = sourceFiles().map((file) => ({ file: path.relative(SRC, file), text: fs.readFileSync(file, 'utf8') }));

/** The `src/`-relative paths (without extension) that a file imports. */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(/from '(\.[^']+)\.js'/g)].map((match) => path.normalize(path.join(path.dirname(file), match[1]!)));
}

const featureOf = (file: string) => (file.includes(path.sep) ? file.split(path.sep)[0]! : undefined);

test('features never import each other in a circle', () => {
  const edges = new Map<string, Set<string>>();
  for (const { file, text } of files) {
    const from = featureOf(file);
    for (const target of importsOf(file, text)) {
      const to = featureOf(target);
      if (from && to && from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  const cycles: string[] = [];
  const visit = (feature: string, trail: string[]) => {
    if (trail.includes(feature)) {
      if (feature === trail[0]) cycles.push([...trail, feature].join(' -> '));
      return;
    }
    for (const next of edges.get(feature) ?? []) visit(next, [...trail, feature]);
  };
  for (const feature of edges.keys()) visit(feature, []);
  assert.deepEqual(cycles, []);
});

test('SQL is built only in *.queries.ts modules (and the database plumbing of src/db)', () => {
  const building = files.filter(
    ({ file, text }) => !file.endsWith('.queries.ts') && !file.startsWith(`db${path.sep}`) && /\b(knex|trx)(\(|\.raw\(|\.fn\.)/.test(text),
  );
  assert.deepEqual(
    building.map(({ file }) => file),
    [],
  );
});

test('route and page modules are mounted by the app, never imported as libraries', () => {
  const misuse = files.flatMap(({ file, text }) =>
    importsOf(file, text)
      .filter((target) => /\.(routes|pages)$/.test(target) && file !== path.join('app', 'app.ts'))
      .map((target) => `${file} imports ${target}`),
  );
  assert.deepEqual(misuse, []);
});

/** The end of the block that opens at `open` (a `{`), skipping strings, template literals and comments. */
function blockEnd(text: string, open: number): number {
  let depth = 0;
  for (let at = open; at < text.length; at++) {
    const c = text[at]!;
    if (c === "'" || c === '"') {
      for (at++; text[at] !== c; at++) if (text[at] === '\\') at++;
    } else if (c === '`') {
      for (at++; text[at] !== '`'; at++) {
        if (text[at] === '\\') at++;
        else if (text[at] === '$' && text[at + 1] === '{') at = blockEnd(text, at + 1);
      }
    } else if (text.startsWith('//', at)) at = text.indexOf('\n', at);
    else if (text.startsWith('/*', at)) at = text.indexOf('*/', at) + 1;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return at;
  }
  throw new Error('unbalanced braces');
}

/** GETs that stay on the primary on purpose: sign-in and one-click unsubscribe (sessions, tokens), readiness (it checks the primary). */
const PRIMARY_GETS = new Set(['/login', '/unsubscribe/:token', '/readyz']);

test('GET handlers read through req.reader (src/db/read-routing.ts), never through the primary pool', () => {
  const offenders = files
    .filter(({ file }) => /\.(routes|pages)\.ts$/.test(file))
    .flatMap(({ file, text }) =>
      [...text.matchAll(/router\.get\(\s*'([^']+)'/g)].flatMap((route) => {
        if (PRIMARY_GETS.has(route[1]!)) return [];
        const handler = /(?:async\s*)?\((\w+)[^()]*\)\s*=>\s*\{/g;
        handler.lastIndex = route.index! + route[0].length;
        const found = handler.exec(text);
        assert.ok(found, `${file}: GET ${route[1]} has a handler`);
        const body = text.slice(found.index + found[0].length - 1, blockEnd(text, found.index + found[0].length - 1));
        return /(?<![\w.])knex\b/.test(body) ? [`${file}: GET ${route[1]} uses knex; read through ${found[1]}.reader`] : [];
      }),
    );
  assert.deepEqual(offenders, []);
});
