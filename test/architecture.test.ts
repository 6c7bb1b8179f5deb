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
