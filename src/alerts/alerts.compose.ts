/**
 * An alert email's content, from the delivery's payload (what detection saw) and the
 * current rows it names: a subject that names the integration and what happened, what to
 * do with the actual values (the run's error, the group's guidance, the record count
 * against the usual), and links straight to the filtered page. Times are in the
 * recipient's zone. The footer (preferences, unsubscribe) is added by src/email/compose.service.ts.
 * An alert the person no longer wants (kind or integration unchosen since), or whose
 * subject is gone (a missed run that was a false alarm), composes to a skip.
 */
import type { Knex } from 'knex';
import { guidanceFor } from '../classify/guidance.js';
import type { ClassifiedError } from '../classify/types.js';
import { pageLink } from '../http/links.js';
import { duration, exactTime, zonedFormat } from '../shared/time-format.js';
import { dayOf } from '../shared/day-range.js';
import { ALERT_KINDS, type AlertKind, type AlertRecipient, wantsAlert } from './alert-rules.js';
import { type AlertRun, alertGroup, alertIntegration, alertMissedRun, alertRun, deliveryPayload, deliveryStatus, lastRunBefore } from './alerts.queries.js';
import type { DeliveryRow } from '../email/deliveries.queries.js';
import type { EmailContent, EmailItem } from '../email/email-content.js';
import { plural } from '../shared/plural.js';

export type AlertContent = Omit<EmailContent, 'footer'> | { skip: string };

type Recipient = Omit<AlertRecipient, 'org_id' | 'user_id'>;

/** "14:05" on the day of `now` in the zone, else "29 Nov 14:05". */
export function shortTime(at: Date, timeZone: string, now: Date): string {
  const time = zonedFormat(timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  if (dayOf(at, timeZone) === dayOf(now, timeZone)) return time;
  return `${zonedFormat(timeZone, { day: 'numeric', month: 'short' }).format(at)} ${time}`;
}

const runError = (value: string | null): ClassifiedError => ({ code: 'run_failed', severity: 'error', field: null, value, expected: null, variant: null });

function stepsOf(steps: string[]): EmailItem[] {
  return steps.map((step, index) => ({ text: `${index + 1}. ${step}` }));
}

/** The email of a run that opened many groups: each listed with its guidance's title and a link, and the list of open groups. */
async function newGroupsOfRun(
  knex: Knex,
  delivery: DeliveryRow,
  person: AlertRecipient,
  run: AlertRun,
  payload: Record<string, unknown>,
  about: { name: string; context: { sourceSystem: string; targetSystem: string }; link: (path: string, query?: Record<string, unknown>) => string },
): Promise<AlertContent> {
  const items: EmailItem[] = [];
  for (const id of payload.groupIds as number[]) {
    const group = await alertGroup(knex, delivery.org_id, Number(id));
    if (!group || !wantsAlert(person, 'new_group', group.integration_id, group.severity)) continue;
    const guidance = guidanceFor(group as ClassifiedError, about.context);
    items.push({
      text: `${guidance.title}: ${plural(group.occurrences, 'occurrence')}`,
      detail: guidance.what,
      link: { url: about.link(`/error-groups/${group.id}`), label: 'The error group' },
    });
  }
  const count = Number(payload.groupCount);
  const more = count - items.length;
  return {
    subject: `${about.name}: ${count} new error groups in the run of ${exactTime(run.started_at, person.time_zone)}`,
    title: `${about.name}: ${count} new error groups in one run`,
    intro: `Run ${run.run_id} opened ${count} error groups at once, so they come in one email${more > 0 ? `; ${more} more are on the open groups page` : ''}.`,
    sections: [
      { heading: 'New error groups', items },
      {
        heading: 'Where to look',
        items: [
          {
            text: `Open error groups of ${about.name}`,
            link: { url: about.link('/error-groups', { integration: Number(payload.integrationId), status: 'open' }), label: 'Open groups' },
          },
          { text: `Run ${run.run_id}`, link: { url: about.link(`/runs/${run.id}`), label: `Run ${run.run_id}` } },
        ],
      },
    ],
  };
}

export async function composeAlert(knex: Knex, delivery: DeliveryRow, recipient: Recipient, options: { publicUrl: string; now: Date }): Promise<AlertContent> {
  const payload = await deliveryPayload(knex, delivery.org_id, delivery.id);
  const kind = payload?.kind as AlertKind | undefined;
  if (!payload || !kind || !ALERT_KINDS.includes(kind)) return { skip: 'an alert without a payload' };
  const integration = await alertIntegration(knex, delivery.org_id, Number(payload.integrationId));
  if (!integration) return { skip: 'the integration is gone' };
  const person = { ...recipient, org_id: delivery.org_id, user_id: delivery.user_id };
  // The group's severity is checked with the group below; 'error' passes either minimum.
  if (!wantsAlert(person, kind, integration.id, 'error')) return { skip: `${kind} alerts about this integration are no longer wanted` };
  const zone = recipient.time_zone;
  const link = (path: string, query: Record<string, unknown> = {}) => `${options.publicUrl}${pageLink(path, query)}`;
  const context = { sourceSystem: integration.source_system ?? 'the source system', targetSystem: integration.target_system ?? 'the target system' };
  const name = integration.name;
  const feedLogs = { url: link('/runs', { integration: integration.id }), label: `Feed logs of ${name}` };
  const run = payload.syncRunId === undefined ? undefined : await alertRun(knex, delivery.org_id, Number(payload.syncRunId));
  if (payload.syncRunId !== undefined && !run) return { skip: 'the run is gone' };

  switch (kind) {
    case 'missed_run': {
      const gap = await alertMissedRun(knex, delivery.org_id, Number(payload.eventId));
      if (!gap) return { skip: 'the missed run was a false alarm (its run arrived late)' };
      const last = await lastRunBefore(knex, delivery.org_id, integration.id, gap.due_at);
      const slots = Number(gap.missed_slots ?? 1);
      const missed = plural(slots, 'run');
      const what = last ? `no run since ${shortTime(last, zone, options.now)}` : `no run at ${shortTime(gap.due_at, zone, options.now)}`;
      const guidance = guidanceFor({ ...runError(null), code: 'missed_run', value: (gap.details as { expected?: string } | null)?.expected ?? null }, context);
      const since = gap.resolved_at ? ` A run arrived since, at ${exactTime(gap.resolved_at, zone)}.` : '';
      return {
        subject: `${name}: ${what} (${missed} missed)`,
        title: `${name}: ${what}`,
        intro: `${guidance.what} ${slots === 1 ? `The run due at ${exactTime(gap.due_at, zone)} did not arrive.` : `The first missed run was due at ${exactTime(gap.due_at, zone)}; ${missed} due up to ${exactTime(gap.last_due_at ?? gap.due_at, zone)} did not arrive.`}${since}`,
        sections: [
          { heading: 'What to do', items: stepsOf(guidance.steps) },
          { heading: 'Where to look', items: [{ text: `Feed logs of ${name}, with the gap`, link: feedLogs }] },
        ],
      };
    }
    case 'run_failed': {
      const failed = run!;
      const inARow = Number(payload.failedInARow ?? 1);
      const guidance = guidanceFor(runError(failed.run_error), context);
      const row = inARow > 1 ? ` (${inARow} failed runs in a row)` : '';
      return {
        subject: `${name}: run failed at ${shortTime(failed.started_at, zone, options.now)}${row}`,
        title: `${name}: the run of ${exactTime(failed.started_at, zone)} failed${row}`,
        intro: `${guidance.what} ${guidance.why}`,
        sections: [
          {
            heading: 'The run',
            items: [
              {
                text: `Run ${failed.run_id}: ${failed.run_error === null ? 'no error text was sent' : `error '${failed.run_error}'`}`,
                link: { url: link(`/runs/${failed.id}`), label: `Run ${failed.run_id}` },
              },
              { text: `Failed runs of ${name}`, link: { url: link('/runs', { integration: integration.id, status: 'failed' }), label: 'Failed runs' } },
            ],
          },
          { heading: 'What to do', items: stepsOf(guidance.steps) },
        ],
      };
    }
    case 'new_group': {
      if (Array.isArray(payload.groupIds)) return newGroupsOfRun(knex, delivery, person, run!, payload, { name, context, link });
      const group = await alertGroup(knex, delivery.org_id, Number(payload.groupId));
      if (!group) return { skip: 'the error group is gone' };
      if (!wantsAlert(person, 'new_group', integration.id, group.severity)) return { skip: 'below the chosen severity' };
      const guidance = guidanceFor(group as ClassifiedError, context);
      const regressed = payload.regressed === true;
      return {
        subject: `${name}: ${regressed ? 'error group back' : 'new error group'}: ${guidance.title}`,
        title: `${name}: ${regressed ? 'a resolved error group is back' : 'a new error group'} in the run of ${exactTime(run!.started_at, zone)}`,
        intro: `${guidance.what} ${guidance.why}`,
        sections: [
          {
            heading: guidance.title,
            items: [
              {
                text: `${plural(group.occurrences, 'occurrence')} so far (${group.severity}, ${group.status})`,
                link: { url: link(`/error-groups/${group.id}`), label: 'The error group' },
              },
              { text: `Run ${run!.run_id}`, link: { url: link(`/runs/${run!.id}`), label: `Run ${run!.run_id}` } },
            ],
          },
          { heading: 'What to do', items: stepsOf(guidance.steps) },
        ],
      };
    }
    case 'records_drop': {
      const count = Number(payload.recordCount);
      const usual = Number(payload.median);
      return {
        subject: `${name}: ${plural(count, 'record')} in the run at ${shortTime(run!.started_at, zone, options.now)}, usually ${usual}`,
        title: `${name}: far fewer records than usual`,
        intro: `The run of ${exactTime(run!.started_at, zone)} sent ${plural(count, 'record')}; the median of the previous ${payload.baselineRuns} successful runs is ${usual}. A sync that sends far fewer employees than usual may have lost a filter, a location or its access to ${context.sourceSystem}.`,
        sections: [
          {
            heading: 'What to do',
            items: [
              {
                text: `1. Check in ${context.sourceSystem} that the employees missing from this run are still meant to sync (filters, locations, permissions)`,
              },
              { text: `2. Compare this run with the previous ones in the feed logs`, link: feedLogs },
              { text: '3. If the run was cut short, start a run by hand and check that its record count is back to usual' },
            ],
          },
          {
            heading: 'The run',
            items: [{ text: `Run ${run!.run_id}: ${plural(count, 'record')}`, link: { url: link(`/runs/${run!.id}`), label: `Run ${run!.run_id}` } }],
          },
        ],
      };
    }
    case 'recovery': {
      const status = await deliveryStatus(knex, delivery.org_id, Number(payload.outageDeliveryId));
      if (status === null || status === 'skipped' || status === 'failed') return { skip: 'the outage alert was never sent' };
      const outageStart = new Date(String(payload.outageStartedAt));
      const good = run!;
      return {
        subject: `${name}: runs are arriving again`,
        title: `${name}: runs are arriving again`,
        intro: `The run of ${exactTime(good.started_at, zone)} ${good.status === 'completed' ? 'completed' : 'completed with errors'}, ${duration(good.started_at.getTime() - outageStart.getTime())} after the outage began (${exactTime(outageStart, zone)}).`,
        sections: [
          {
            heading: 'Where to look',
            items: [
              { text: `Run ${good.run_id}: ${plural(good.record_count, 'record')}`, link: { url: link(`/runs/${good.id}`), label: `Run ${good.run_id}` } },
              { text: `Feed logs of ${name}`, link: feedLogs },
            ],
          },
        ],
      };
    }
  }
}
