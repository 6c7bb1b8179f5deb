import { Router } from 'express';
import { requireLogin } from '../auth/web-auth.js';
import { pageLink } from '../http/links.js';
import { parsePageQuery } from '../http/query.js';
import type { Clock } from '../shared/clock.js';
import { RANGES } from './buckets.js';
import { chartsOf } from './trends.charts.js';
import { planOf, readTrends, resolveScope, sendChartCsv } from './trends.read.js';
import { trendsPageSchema } from './trends.schemas.js';
import { zonedFormat } from '../shared/time-format.js';

const RANGE_LABELS: Readonly<Record<(typeof RANGES)[number], string>> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom',
};

const link = (query: Record<string, string | number | undefined>) => pageLink('/trends', query);

/**
 * Trends: an organisation's or one integration's runs and errors over a range,
 * as charts drawn by chart.js from the numbers in each canvas's data attribute
 * (public/trends.js), each with the table of the same numbers (what a reader
 * without JavaScript, or a screen reader, gets) and its CSV export.
 */
export function trendsPages(clock: Clock): Router {
  const router = Router();
  router.get('/trends', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const { format, chart, ...query } = parsePageQuery(trendsPageSchema, req);
    const now = clock.now();
    const scope = await resolveScope(req.reader, caller, query, { orgWins: true });
    const plan = planOf(query, caller.timeZone, now);
    const report = await readTrends(req.reader, scope, plan, now);
    if (format === 'csv') {
      await sendChartCsv(res, report, chart);
      return;
    }
    const base = {
      org: scope.integration ? undefined : query.org,
      integration: scope.integration?.id,
      range: plan.range === 'custom' ? 'custom' : query.range,
      from: plan.range === 'custom' ? query.from : undefined,
      to: plan.range === 'custom' ? query.to : undefined,
    };
    const at = zonedFormat(caller.timeZone, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const dayIn = zonedFormat(caller.timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }, 'en-CA');
    res.render('trends/index', {
      title: 'Trends · feedlog',
      scope,
      report,
      charts: chartsOf(report),
      ranges: RANGES.filter((r) => r !== 'custom').map((r) => ({
        name: r,
        label: RANGE_LABELS[r],
        href: link({ ...base, range: r, from: undefined, to: undefined }),
        current: plan.range === r,
      })),
      rangeLabel: RANGE_LABELS[plan.range],
      rangeText: `${at.format(plan.from)} to ${at.format(plan.to)}`,
      customFrom: query.from ?? dayIn.format(plan.from),
      customTo: query.to ?? dayIn.format(new Date(plan.to.getTime() - 1)),
      csvHref: (name: string) => link({ ...base, chart: name, format: 'csv' }),
      timeZone: caller.timeZone,
    });
  });
  return router;
}
