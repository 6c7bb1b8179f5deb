/**
 * Query plans for the plan tests: the statements a read sends (through knex's
 * query event) and the plan PostgreSQL makes for one of them in a new session,
 * as text. Assertions are on plan shapes, never on time.
 */
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import pg from 'pg';
import { withoutEmptyPartitionScans } from './partitions.js';

export interface Statement {
  sql: string;
  bindings: unknown[];
}

/** The SQL and bindings of the queries `run` makes. */
export async function statementsOf(knex: Knex, run: () => Promise<unknown>): Promise<Statement[]> {
  const seen: Statement[] = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', listener);
  try {
    await run();
  } finally {
    knex.removeListener('query', listener);
  }
  return seen;
}

/**
 * The plan of `statement` in a new session on `url` (no prepared-statement or session
 * state carried over), without the scans of empty month partitions.
 */
export async function explain(url: string, statement: Statement): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // knex may write ? placeholders; pg wants $n.
    let n = 0;
    const sql = statement.sql.replace(/\?/g, () => `$${++n}`);
    const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, statement.bindings);
    return withoutEmptyPartitionScans(result.rows.map((row) => row['QUERY PLAN']).join('\n'));
  } finally {
    await client.end();
  }
}

/** The one query `run` makes (it must make exactly one) and its plan. */
export async function planOfOneQuery(db: { knex: Knex; url: string }, run: () => Promise<unknown>): Promise<{ statement: Statement; plan: string }> {
  const statements = await statementsOf(db.knex, run);
  assert.equal(statements.length, 1, 'one query');
  const statement = statements[0]!;
  return { statement, plan: await explain(db.url, statement) };
}
