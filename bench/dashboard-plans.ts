/**
 * The PostgreSQL plans of the app's own queries, for the dashboard benchmark:
 * a pool whose connections load auto_explain and send each executed
 * statement's plan (EXPLAIN ANALYZE, BUFFERS, as JSON) back to the client as
 * a NOTICE. An app built on that pool answers one request per route; its
 * notices are the plans of exactly the queries the route ran, with the
 * route's own parameters. Needs a superuser (LOAD), as the benchmarks' servers
 * have; the timings of this pass are not the benchmark's (ANALYZE costs).
 */
import knexFactory, { type Knex } from 'knex';
import type pg from 'pg';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  'Sort Method'?: string;
  'Sort Key'?: string[];
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

export interface CapturedPlan {
  durationMs: number;
  queryText: string;
  plan: PlanNode;
}

/** A knex whose statements send their plans; `capture()` starts collecting them (for one request), `stop()` returns them. */
export function explainingKnex(connectionString: string): { knex: Knex; capture(): CapturedPlan[]; stop(): CapturedPlan[] } {
  let captured: CapturedPlan[] | undefined;
  const onNotice = (notice: { message?: string }) => {
    const text = notice.message ?? '';
    const match = /^duration: ([\d.]+) ms\s+plan:\s*/.exec(text);
    if (!match || !captured) return;
    const parsed = JSON.parse(text.slice(match[0].length)) as { 'Query Text': string; Plan: PlanNode };
    captured.push({ durationMs: Number(match[1]), queryText: parsed['Query Text'], plan: parsed.Plan });
  };
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString },
    pool: {
      min: 0,
      max: 4,
      afterCreate(connection: pg.Client, done: (error: Error | null, connection: pg.Client) => void) {
        connection.on('notice', onNotice);
        connection
          .query(
            `LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;
             SET auto_explain.log_buffers = on; SET auto_explain.log_format = 'json'; SET auto_explain.log_level = 'notice'`,
          )
          .then(
            () => done(null, connection),
            (error: Error) => done(error, connection),
          );
      },
    },
  });
  return {
    knex,
    capture() {
      captured = [];
      return captured;
    },
    stop() {
      const done = captured ?? [];
      captured = undefined;
      return done;
    },
  };
}

const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);
const loopsOf = (node: PlanNode) => node['Actual Loops'] ?? 1;
const rowsOut = (node: PlanNode) => (node['Actual Rows'] ?? 0) * loopsOf(node);

function* walk(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* walk(child);
}

/** The tables a plan reads. */
export function tablesOf(plan: PlanNode): string[] {
  return [...new Set([...walk(plan)].flatMap((node) => (node['Relation Name'] ? [node['Relation Name']] : [])))];
}

/** Rows the scans of a plan looked at: returned plus removed by a filter or a recheck. */
export function rowsRead(plan: PlanNode): number {
  let rows = 0;
  for (const node of walk(plan)) {
    if (SCANS.has(node['Node Type']))
      rows += ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * loopsOf(node);
  }
  return rows;
}

/** Shared buffers the plan touched (hit in PostgreSQL's cache or read): an index scan that walks far shows here, not in its rows. */
export function buffersOf(plan: PlanNode): number {
  return (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
}

/** Sequential scans that read many rows: where a missing index shows. */
export function bigSeqScans(plan: PlanNode, threshold = 10_000): string[] {
  const found: string[] = [];
  for (const node of walk(plan)) {
    if (node['Node Type'] !== 'Seq Scan') continue;
    const rows = ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * loopsOf(node);
    if (rows >= threshold) found.push(`Seq Scan on ${node['Relation Name']} (${Math.round(rows).toLocaleString('en')} rows)`);
  }
  return found;
}

const scanName = (node: PlanNode) =>
  `${node['Node Type']}${node['Scan Direction'] === 'Backward' ? ' Backward' : ''}${node['Index Name'] ? ` ${node['Index Name']}` : ''}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`;

/**
 * For a query with a LIMIT (a page of a list): does it read an index in the
 * list's order and stop early, or sort what it found? Follows the LIMIT's
 * input down its outer side to the scan that decides the order.
 */
export function listOrder(plan: PlanNode): string | undefined {
  let node: PlanNode | undefined = plan;
  while (node && node['Node Type'] !== 'Limit')
    node = node.Plans?.find((child) => child['Parent Relationship'] !== 'SubPlan' && child['Parent Relationship'] !== 'InitPlan');
  if (!node) return undefined;
  node = node.Plans?.find((child) => child['Parent Relationship'] !== 'SubPlan' && child['Parent Relationship'] !== 'InitPlan');
  while (node) {
    const type = node['Node Type'];
    if (type === 'Sort') {
      // A merge of pages read per organisation (or per employee): unnest(...) CROSS JOIN LATERAL (... ORDER BY ... LIMIT n).
      const inner = [...walk(node.Plans![0]!)].find((child) => child['Node Type'] === 'Limit');
      const sorted = `${Math.round(rowsOut(node.Plans![0]!)).toLocaleString('en')} rows (${node['Sort Method'] ?? 'sort'})`;
      if (inner) return `merge (sort of ${sorted}) of ${loopsOf(inner)} pages, each: ${listOrder(inner)}`;
      return `SORTS ${sorted} from ${describeInput(node.Plans![0]!)}`;
    }
    if (type === 'Incremental Sort') return `incremental sort over ${describeInput(node.Plans![0]!)}`;
    if (type === 'Index Scan' || type === 'Index Only Scan') return `index order: ${scanName(node)}`;
    if (type === 'Seq Scan' || type === 'Bitmap Heap Scan') return `unordered ${scanName(node)}`;
    if (type === 'Merge Append') return `merge of ${node.Plans?.length ?? 0} ordered inputs: ${node.Plans?.map(describeInput).join(', ')}`;
    node = node.Plans?.find((child) => child['Parent Relationship'] === 'Outer') ?? node.Plans?.[0];
  }
  return 'no scan found';
}

/** The scans under a node, briefly. */
function describeInput(node: PlanNode): string {
  const scans = [...walk(node)].filter((n) => SCANS.has(n['Node Type']));
  return scans.map(scanName).join(' + ') || node['Node Type'];
}

/** The plan as an indented text tree, with actual rows, loops, time and buffers. */
export function planText(plan: PlanNode, depth = 0): string {
  const facts = [
    // PostgreSQL 18 gives actual rows as an average over loops, with decimals.
    `rows=${plan['Actual Rows']}`,
    `loops=${plan['Actual Loops']}`,
    `time=${plan['Actual Total Time']} ms`,
    plan['Rows Removed by Filter'] ? `removed by filter=${plan['Rows Removed by Filter']}` : '',
    plan['Shared Hit Blocks'] !== undefined ? `buffers hit=${plan['Shared Hit Blocks']} read=${plan['Shared Read Blocks']}` : '',
  ].filter(Boolean);
  const conditions = [
    plan['Index Cond'] ? `${'  '.repeat(depth + 2)}Index Cond: ${plan['Index Cond']}` : '',
    plan.Filter ? `${'  '.repeat(depth + 2)}Filter: ${plan.Filter}` : '',
    plan['Sort Key'] ? `${'  '.repeat(depth + 2)}Sort Key: ${plan['Sort Key'].join(', ')}` : '',
  ].filter(Boolean);
  const line = `${'  '.repeat(depth)}-> ${plan['Subplan Name'] ? `${plan['Subplan Name']}: ` : ''}${scanName(plan)}${plan['Sort Method'] ? ` (${plan['Sort Method']})` : ''}  (${facts.join(' ')})`;
  return [line, ...conditions, ...(plan.Plans ?? []).map((child) => planText(child, depth + 1))].join('\n');
}
