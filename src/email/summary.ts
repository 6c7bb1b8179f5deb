/**
 * What a summary email says, from figures the caller has read (pure: no I/O). It lists
 * only what needs action: per integration, runs and success rate against the period
 * before; new, regressed and resolved error groups; the largest open groups with the
 * employees they block and the first step of their guidance, with the actual values;
 * the employees blocked longest; missed runs. Every figure links to the page behind it.
 */
import { guidanceFor } from '../classify/guidance.js';
import type { ClassifiedError } from '../classify/types.js';
import { pageLink } from '../http/links.js';

export interface SummaryIntegration {
  id: number;
  name: string;
  sourceSystem: string;
  targetSystem: string;
  runs: number;
  failedRuns: number;
  previousRuns: number;
  previousFailedRuns: number;
  /** Scheduled runs that did not arrive in the period (missed-run gaps). */
  missedSlots: number;
}

export interface SummaryGroup extends ClassifiedError {
  id: number;
  integrationId: number;
  status: 'open' | 'regressed';
  employeesBlocked: number;
}

export interface SummaryData {
  organisation: { name: string };
  period: { start: Date; end: Date };
  integrations: SummaryIntegration[];
  groups: { new: number; regressed: number; resolved: number; previousNew: number; previousResolved: number };
  largestGroups: SummaryGroup[];
  blockedLongest: Array<{ integrationId: number; externalId: string; name: string; failingSince: Date }>;
}

export interface SummaryText {
  subject: string;
  /** Plain-text body; the HTML body is rendered from the same sections. */
  text: string;
  /** Whether anything needs action; an empty summary sends one line or nothing, as the person chose. */
  needsAction: boolean;
}

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((100 * part) / whole));
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function successLine(integration: SummaryIntegration): string {
  const now = percent(integration.runs - integration.failedRuns, integration.runs);
  const before = percent(integration.previousRuns - integration.previousFailedRuns, integration.previousRuns);
  const rate = now === null ? 'no runs' : `${plural(integration.runs, 'run')}, ${now}% succeeded`;
  const trend = before === null || now === null ? '' : ` (${before}% the period before)`;
  const missed = integration.missedSlots > 0 ? `; ${plural(integration.missedSlots, 'scheduled run')} did not arrive` : '';
  return `${integration.name}: ${rate}${trend}${missed}`;
}

export function buildSummary(data: SummaryData, options: { publicUrl: string; day: (at: Date) => string }): SummaryText {
  const link = (path: string, query: Record<string, unknown> = {}) => `${options.publicUrl}${pageLink(path, query)}`;
  const byId = new Map(data.integrations.map((integration) => [integration.id, integration]));
  const { groups } = data;
  const failing = data.integrations.filter((i) => i.failedRuns > 0 || i.missedSlots > 0 || i.runs === 0);
  const needsAction = failing.length > 0 || groups.new > 0 || groups.regressed > 0 || data.largestGroups.length > 0;

  const lines: string[] = [`${data.organisation.name}, ${options.day(data.period.start)} to ${options.day(data.period.end)}`, ''];
  lines.push('Runs');
  for (const integration of data.integrations) {
    lines.push(`- ${successLine(integration)}`, `  ${link('/runs', { integration: integration.id })}`);
  }
  lines.push(
    '',
    `Error groups: ${groups.new} new (${groups.previousNew} the period before), ${groups.regressed} regressed, ${groups.resolved} resolved (${groups.previousResolved} the period before)`,
    `  ${link('/error-groups', { status: 'open' })}`,
  );
  if (data.largestGroups.length > 0) {
    lines.push('', 'Largest open groups');
    for (const group of data.largestGroups) {
      const integration = byId.get(group.integrationId);
      const guidance = guidanceFor(group, { sourceSystem: integration?.sourceSystem ?? 'the source', targetSystem: integration?.targetSystem ?? 'the target' });
      lines.push(
        `- ${guidance.title}: ${plural(group.employeesBlocked, 'employee')} blocked${group.status === 'regressed' ? ' (regressed)' : ''}.`,
        `  ${guidance.what}${guidance.steps[0] ? ` ${guidance.steps[0]}.` : ''}`,
        `  ${link(`/error-groups/${group.id}`)}`,
      );
    }
  }
  if (data.blockedLongest.length > 0) {
    lines.push('', 'Blocked longest');
    for (const employee of data.blockedLongest) {
      lines.push(
        `- ${employee.name} (${employee.externalId}), failing since ${options.day(employee.failingSince)}`,
        `  ${link('/employees', { integration: employee.integrationId, q: employee.externalId })}`,
      );
    }
  }
  const headline = needsAction
    ? [groups.new > 0 ? `${groups.new} new error groups` : null, failing.length > 0 ? `${plural(failing.length, 'integration')} need attention` : null]
        .filter(Boolean)
        .join(', ') || `${plural(data.largestGroups.length, 'open error group')}`
    : 'nothing needs action';
  return { subject: `feedlog summary for ${data.organisation.name}: ${headline}`, text: `${lines.join('\n')}\n`, needsAction };
}
