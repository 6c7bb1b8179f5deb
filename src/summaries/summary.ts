/**
 * What a summary email says, from figures the caller has read (pure: no I/O). It lists
 * only what needs action: per integration, runs and success rate against the period
 * before; new, regressed and resolved error groups; the largest open groups with the
 * employees they block and the first step of their guidance, with the actual values;
 * the employees blocked longest; missed runs. Every figure links to the page behind it.
 * It composes an EmailContent (email-content.ts renders the text and the HTML).
 */
import { guidanceFor } from '../classify/guidance.js';
import type { ClassifiedError } from '../classify/types.js';
import { pageLink } from '../http/links.js';
import { shorten } from '../shared/shorten.js';
import type { EmailContent, EmailItem, EmailSection } from '../email/email-content.js';
import { plural } from '../shared/plural.js';

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

/** A summary's email without its footer (src/email/compose.service.ts adds the person's links), and whether anything needs action. */
export interface SummaryEmail extends Omit<EmailContent, 'footer'> {
  /** Whether anything needs action; an empty summary sends one line or nothing, as the person chose. */
  needsAction: boolean;
}

/** Integrations listed one by one; the rest (all well) are counted in one line. */
const MAX_INTEGRATIONS = 15;

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((100 * part) / whole));

function successLine(integration: SummaryIntegration): string {
  const now = percent(integration.runs - integration.failedRuns, integration.runs);
  const before = percent(integration.previousRuns - integration.previousFailedRuns, integration.previousRuns);
  const rate = now === null ? 'no runs' : `${plural(integration.runs, 'run')}, ${now}% succeeded`;
  const trend =
    before === null
      ? now === null
        ? ''
        : ' (no runs the period before)'
      : now === null
        ? ` (${plural(integration.previousRuns, 'run')} the period before)`
        : ` (${before}% the period before)`;
  const missed = integration.missedSlots > 0 ? `; ${plural(integration.missedSlots, 'scheduled run')} did not arrive` : '';
  return `${integration.name}: ${rate}${trend}${missed}`;
}

// No runs alone is not a problem: a nightly integration has none in most hours. A run its
// schedule expected and did not get is a missed slot.
const needsAttention = (i: SummaryIntegration) => i.failedRuns > 0 || i.missedSlots > 0;

/**
 * The summary as an email's content: a title with the organisation and the period, a
 * one-line intro ("12 new, 30 resolved"), then the sections: runs per integration,
 * error groups against the period before, the largest open groups with their guidance,
 * the employees blocked longest. A period where nothing needs action is the one line.
 */
export function buildSummary(data: SummaryData, options: { publicUrl: string; day: (at: Date) => string }): SummaryEmail {
  const link = (path: string, query: Record<string, unknown> = {}) => `${options.publicUrl}${pageLink(path, query)}`;
  const byId = new Map(data.integrations.map((integration) => [integration.id, integration]));
  const only = data.integrations.length === 1 ? data.integrations[0]!.id : undefined;
  const { groups } = data;
  const failing = data.integrations.filter(needsAttention);
  const needsAction = failing.length > 0 || groups.new > 0 || groups.regressed > 0 || data.largestGroups.length > 0;
  const title = `${data.organisation.name}, ${options.day(data.period.start)} to ${options.day(data.period.end)}`;
  const during = { from: data.period.start.toISOString().replace('.000Z', 'Z'), to: data.period.end.toISOString().replace('.000Z', 'Z') };

  const headline = needsAction
    ? [
        groups.new > 0 ? `${plural(groups.new, 'new error group')}` : null,
        failing.length > 0 ? `${plural(failing.length, 'integration')} ${failing.length === 1 ? 'needs' : 'need'} attention` : null,
      ]
        .filter(Boolean)
        .join(', ') || `${plural(data.largestGroups.length, 'open error group')}`
    : 'nothing needs action';
  const subject = `feedlog summary for ${data.organisation.name}: ${headline}`;
  const totalRuns = data.integrations.reduce((sum, i) => sum + i.runs, 0);
  if (!needsAction) {
    const ran = totalRuns === 0 ? 'no runs were due' : `${plural(totalRuns, 'run')} of ${plural(data.integrations.length, 'integration')}, all succeeded`;
    const intro = `Nothing needs action: ${ran}; ${groups.resolved.toLocaleString('en')} error groups resolved.`;
    return { subject, title, intro, sections: [], needsAction };
  }

  const sections: EmailSection[] = [];
  const ordered = [
    ...failing.sort((a, b) => b.failedRuns + b.missedSlots - (a.failedRuns + a.missedSlots)),
    ...data.integrations.filter((i) => !needsAttention(i)),
  ];
  const runs: EmailItem[] = ordered.slice(0, MAX_INTEGRATIONS).map((integration) => ({
    text: successLine(integration),
    link: { url: link('/runs', { integration: integration.id, ...during }), label: `Runs of ${integration.name}` },
  }));
  if (ordered.length > MAX_INTEGRATIONS) {
    const rest = ordered.slice(MAX_INTEGRATIONS);
    runs.push({
      text: `${plural(rest.length, 'more integration')}: ${plural(
        rest.reduce((sum, i) => sum + i.runs, 0),
        'run',
      )}, ${plural(
        rest.reduce((sum, i) => sum + i.failedRuns, 0),
        'failed run',
      )}`,
      link: { url: link('/runs', during), label: 'All runs of the period' },
    });
  }
  sections.push({ heading: 'Runs', items: runs });

  sections.push({
    heading: 'Error groups',
    items: [
      {
        text: `${groups.new.toLocaleString('en')} new (${groups.previousNew.toLocaleString('en')} the period before)`,
        link: { url: link('/error-groups', { integration: only, status: 'open' }), label: 'Open groups' },
      },
      ...(groups.regressed > 0
        ? [
            {
              text: `${groups.regressed.toLocaleString('en')} regressed (came back after being resolved)`,
              link: { url: link('/error-groups', { integration: only, status: 'regressed' }), label: 'Regressed groups' },
            },
          ]
        : []),
      {
        text: `${groups.resolved.toLocaleString('en')} resolved (${groups.previousResolved.toLocaleString('en')} the period before)`,
        link: { url: link('/error-groups', { integration: only, status: 'resolved' }), label: 'Resolved groups' },
      },
    ],
  });

  if (data.largestGroups.length > 0) {
    sections.push({
      heading: 'Largest open groups',
      items: data.largestGroups.map((group) => {
        const integration = byId.get(group.integrationId);
        // Engine values can be huge: the guidance quotes them, so they are cut first.
        const values = { ...group, value: shorten(group.value ?? null), expected: shorten(group.expected ?? null) } as ClassifiedError;
        const guidance = guidanceFor(values, {
          sourceSystem: integration?.sourceSystem ?? 'the source system',
          targetSystem: integration?.targetSystem ?? 'the target system',
        });
        return {
          text: `${guidance.title}: ${plural(group.employeesBlocked, 'employee')} blocked${group.status === 'regressed' ? ' (regressed)' : ''}${integration ? ` in ${integration.name}` : ''}`,
          detail: `${guidance.what}${guidance.steps[0] ? ` ${guidance.steps[0].replace(/\.?$/, '.')}` : ''}`,
          link: { url: link(`/error-groups/${group.id}`), label: 'Open the group' },
        };
      }),
    });
  }

  if (data.blockedLongest.length > 0) {
    sections.push({
      heading: 'Employees blocked longest',
      items: data.blockedLongest.map((employee) => ({
        text: `${employee.name} (${employee.externalId}), blocked since ${options.day(employee.failingSince)}`,
        ...(byId.get(employee.integrationId) ? { detail: `In ${byId.get(employee.integrationId)!.name}` } : {}),
        link: { url: link(`/employees/${encodeURIComponent(employee.externalId)}`, { integration: employee.integrationId }), label: 'Open the employee' },
      })),
    });
  }

  const intro = [
    `${groups.new.toLocaleString('en')} new, ${groups.resolved.toLocaleString('en')} resolved`,
    groups.regressed > 0 ? `${groups.regressed.toLocaleString('en')} regressed` : null,
    failing.length > 0 ? `${plural(failing.length, 'integration')} with failed or missing runs` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return { subject, title, intro: `${intro}.`, sections, needsAction };
}
