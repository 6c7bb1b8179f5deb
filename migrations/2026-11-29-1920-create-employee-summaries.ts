import type { Knex } from 'knex';

// One row per employee (external ID) and integration, for the employee search,
// the employee page and the mapped-employees list: the latest values sent, the
// keys of their newest record, newest applied record and first record, whether
// the target holds them active, since when they fail, how many open errors
// they have, and the normalised search and sort keys. Ingest keeps it in the
// run's transaction (src/employees/employee-summaries.queries.ts); this
// migration fills it from the records stored so far.
//
// Records are ordered by (started_at, sync_run_id, index): a run that arrives
// late never overwrites what a newer one wrote. The state is derived in the
// database from the other columns, so it can be filtered through an index.
//
// Every run rewrites the row of everyone it sends (last seen, last record).
// fillfactor 50 leaves room on each page for a new version of every row on
// it, so such an update that changes no indexed column (names, email, state
// unchanged: nearly all of them) is a HOT update, which writes no index entry:
// above all none of the ~60 trigram entries per row of the search index. With
// the default of 100 (or 80) most of a second 100,000-record run's updates
// found no room on their page and rewrote every index entry; measured on
// PostgreSQL 15, 100k upserts took 16.4 s at 80 (25% HOT) and 3.9 s at 50
// (100% HOT). The table is twice the size, which an employee table can afford.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE employee_summaries (
      org_id bigint NOT NULL,
      integration_id bigint NOT NULL,
      external_id text NOT NULL CHECK (external_id <> ''),
      external_key text GENERATED ALWAYS AS (md5(external_id)) STORED,
      id bigint GENERATED ALWAYS AS IDENTITY,
      first_name text,
      last_name text,
      email text,
      job_title text,
      department text,
      branch text,
      last_started_at timestamptz NOT NULL,
      last_sync_run_id bigint NOT NULL,
      last_index integer NOT NULL,
      last_action text NOT NULL,
      last_outcome text NOT NULL,
      first_seen_started_at timestamptz NOT NULL,
      first_seen_sync_run_id bigint NOT NULL,
      applied_started_at timestamptz,
      applied_sync_run_id bigint,
      applied_index integer,
      active boolean,
      active_started_at timestamptz,
      active_sync_run_id bigint,
      failing_since timestamptz,
      open_errors integer NOT NULL DEFAULT 0,
      state text GENERATED ALWAYS AS (
        CASE
          WHEN applied_started_at IS NULL THEN 'never_applied'
          WHEN last_outcome = 'failed' OR open_errors > 0 THEN 'blocked'
          WHEN active IS FALSE THEN 'inactive'
          ELSE 'synced'
        END) STORED,
      search_key text NOT NULL,
      sort_key text NOT NULL,
      FOREIGN KEY (org_id, integration_id) REFERENCES integrations (org_id, id) ON DELETE CASCADE
    ) WITH (fillfactor = 50)`);
  // The lists' order: name, then id. Not external_key, which the primary key
  // holds: an index ending in it can serve a look-up by external ID too, and
  // on a table without statistics PostgreSQL 15 rated such a scan of a whole
  // integration as cheap as the primary key, and took it.
  await knex.raw('CREATE INDEX employee_summaries_list ON employee_summaries (org_id, integration_id, sort_key, id)');
  await knex.raw('CREATE INDEX employee_summaries_by_state ON employee_summaries (org_id, integration_id, state, sort_key, id)');
  // Created last on purpose. On a table without statistics (right after a
  // first large run), PostgreSQL 15 estimates one row for any equality on
  // (org_id, integration_id), so all three indexes cost the same for a
  // look-up by external ID; on such a tie the planner keeps the index it
  // considered first, which is the one created last. Once analyzed, the
  // primary key is the cheapest by far anyway.
  await knex.raw('ALTER TABLE employee_summaries ADD PRIMARY KEY (org_id, integration_id, external_key)');
  await backfill(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE employee_summaries');
}

/** Every employee of the records stored so far, computed as ingest computes them run by run (a test compares the two). */
export async function backfill(knex: Knex): Promise<void> {
  await knex.raw(`
    INSERT INTO employee_summaries (org_id, integration_id, external_id, first_name, last_name, email, job_title, department, branch,
      last_started_at, last_sync_run_id, last_index, last_action, last_outcome, first_seen_started_at, first_seen_sync_run_id,
      applied_started_at, applied_sync_run_id, applied_index, active, active_started_at, active_sync_run_id, failing_since, open_errors,
      search_key, sort_key)
    WITH records AS MATERIALIZED (
      SELECT org_id, integration_id, external_id, started_at, sync_run_id, index, action, outcome,
        first_name, last_name, email, job_title, department, branch, outcome IN ('succeeded', 'warning') AS applied
      FROM feed_records WHERE external_id IS NOT NULL AND external_id <> ''
    ),
    newest AS (
      SELECT DISTINCT ON (org_id, integration_id, external_id) * FROM records
      ORDER BY org_id, integration_id, external_id, started_at DESC, sync_run_id DESC, index DESC
    ),
    oldest AS (
      SELECT DISTINCT ON (org_id, integration_id, external_id) org_id, integration_id, external_id, started_at, sync_run_id FROM records
      ORDER BY org_id, integration_id, external_id, started_at, sync_run_id, index
    ),
    applied AS (
      SELECT DISTINCT ON (org_id, integration_id, external_id) org_id, integration_id, external_id, started_at, sync_run_id, index FROM records
      WHERE applied ORDER BY org_id, integration_id, external_id, started_at DESC, sync_run_id DESC, index DESC
    ),
    setter AS (
      SELECT DISTINCT ON (org_id, integration_id, external_id) org_id, integration_id, external_id, started_at, sync_run_id, action FROM records
      WHERE applied AND action <> 'skip' ORDER BY org_id, integration_id, external_id, started_at DESC, sync_run_id DESC, index DESC
    ),
    failing AS (
      SELECT r.org_id, r.integration_id, r.external_id, min(r.started_at) AS since
      FROM records r LEFT JOIN applied a USING (org_id, integration_id, external_id)
      WHERE a.started_at IS NULL OR (r.started_at, r.sync_run_id, r.index) > (a.started_at, a.sync_run_id, a.index)
      GROUP BY r.org_id, r.integration_id, r.external_id
    ),
    open_errors AS (
      SELECT m.org_id, m.integration_id, m.external_id, count(*)::int AS count
      FROM error_group_members m JOIN error_groups g ON g.org_id = m.org_id AND g.id = m.group_id
      WHERE m.open AND g.severity = 'error'
      GROUP BY m.org_id, m.integration_id, m.external_id
    )
    SELECT n.org_id, n.integration_id, n.external_id, n.first_name, n.last_name, n.email, n.job_title, n.department, n.branch,
      n.started_at, n.sync_run_id, n.index, n.action, n.outcome, o.started_at, o.sync_run_id,
      a.started_at, a.sync_run_id, a.index,
      CASE WHEN s.action IS NOT NULL THEN s.action <> 'deactivate' WHEN a.started_at IS NOT NULL THEN true END,
      s.started_at, s.sync_run_id, f.since, coalesce(e.count, 0), '', ''
    FROM newest n
    JOIN oldest o USING (org_id, integration_id, external_id)
    LEFT JOIN applied a USING (org_id, integration_id, external_id)
    LEFT JOIN setter s USING (org_id, integration_id, external_id)
    LEFT JOIN failing f USING (org_id, integration_id, external_id)
    LEFT JOIN open_errors e USING (org_id, integration_id, external_id)`);

  // The search and sort keys are normalised in Node, as ingest does (a copy of
  // src/employees/employee-summary.ts as it was: a migration is history).
  const BATCH = 5_000;
  let after: [number, number, string] | undefined;
  for (;;) {
    const query = knex('employee_summaries')
      .select('org_id', 'integration_id', 'external_key', 'external_id', 'first_name', 'last_name', 'email')
      .orderBy(['org_id', 'integration_id', 'external_key'])
      .limit(BATCH);
    if (after) query.whereRaw('(org_id, integration_id, external_key) > (?, ?, ?)', after);
    const rows: {
      org_id: number;
      integration_id: number;
      external_key: string;
      external_id: string;
      first_name: string | null;
      last_name: string | null;
      email: string | null;
    }[] = await query;
    if (rows.length === 0) return;
    const keys = rows.map((row) => ({
      org_id: row.org_id,
      integration_id: row.integration_id,
      external_key: row.external_key,
      search_key: searchKeyOf(row),
      sort_key: sortKeyOf(row),
    }));
    await knex.raw(
      `UPDATE employee_summaries AS s SET search_key = x.search_key, sort_key = x.sort_key
       FROM jsonb_to_recordset(?::jsonb) AS x(org_id bigint, integration_id bigint, external_key text, search_key text, sort_key text)
       WHERE s.org_id = x.org_id AND s.integration_id = x.integration_id AND s.external_key = x.external_key`,
      [JSON.stringify(keys)],
    );
    const last = rows[rows.length - 1]!;
    after = [last.org_id, last.integration_id, last.external_key];
  }
}

const SEARCH_PART = 200;
const SORT_KEY = 60;

function normalised(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\p{White_Space}+/gu, ' ')
    .trim();
}

const cut = (text: string, max: number) => (text.length <= max ? text : [...text].slice(0, max).join(''));

function searchKeyOf(row: { external_id: string; first_name: string | null; last_name: string | null; email: string | null }): string {
  const name = `${row.first_name ?? ''} ${row.last_name ?? ''}`;
  return [name, row.email ?? '', row.external_id].map((part) => cut(normalised(part), SEARCH_PART)).join('\n');
}

function sortKeyOf(row: { first_name: string | null; last_name: string | null }): string {
  return cut(normalised(`${row.last_name ?? ''} ${row.first_name ?? ''}`).replace(/[^\p{L}\p{N} ]/gu, ''), SORT_KEY).trim();
}
