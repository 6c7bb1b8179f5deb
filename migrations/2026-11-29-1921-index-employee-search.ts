import type { Knex } from 'knex';

// Employee search is partial ("aoife", "haddad", "example.com", "10020"):
// `search_key LIKE '%word%'`, which no btree serves. A trigram GIN index
// (pg_trgm) does, for LIKE with a leading wildcard, so a search reads only the
// rows holding the word's trigrams instead of every employee. pg_trgm ships
// with PostgreSQL's contrib (embedded PostgreSQL, Debian's packages) and is
// trusted since PostgreSQL 13, so a database owner without superuser may
// create it. Where it cannot be created (no contrib, no CREATE privilege on
// the database) the savepoint below rolls back just this attempt: the
// migration still succeeds and search scans employee_summaries instead, with
// the same results, only slower on a large table.
export async function up(knex: Knex): Promise<void> {
  try {
    await knex.transaction(async (savepoint) => {
      await savepoint.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      await savepoint.raw('CREATE INDEX employee_summaries_search ON employee_summaries USING gin (search_key gin_trgm_ops)');
    });
  } catch (error) {
    console.warn(`pg_trgm is not available (${(error as Error).message}): employee search will scan instead of using a trigram index.`);
  }
}

// The extension stays: another schema object or the administrator may use it, and an unused one costs nothing.
export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS employee_summaries_search');
}
