/**
 * The employee page's plain-text explanation, for a support agent to paste
 * into a reply to a customer: who, in which integration, the state now, what
 * is wrong with the actual values, and what must change where. Pure: the page
 * hands it what it shows, and how to write a time.
 */
import type { EmployeeView, IntegrationSection } from './employees.read.js';
import { fullName } from './employees.read.js';

const STATE_WORDS = {
  synced: 'synced',
  blocked: 'blocked',
  inactive: 'inactive (deactivated)',
  never_applied: 'never applied',
} as const;

const quoted = (value: string | null | undefined) => (value === null || value === undefined || value === '' ? '(empty)' : `'${value}'`);

function inTarget(section: IntegrationSection, when: (at: Date) => string): string {
  const { summary, context } = section;
  const target = context.targetSystem;
  if (!section.inTarget) return `In ${target}: no. No record of theirs has been applied to ${target} yet.`;
  const since = summary.applied_started_at
    ? ` (as last synced in run ${summary.applied_run_id ?? summary.applied_sync_run_id} on ${when(summary.applied_started_at)})`
    : '';
  const status = summary.active === false ? 'yes, deactivated' : 'yes, active';
  const values = section.fields.map((line) => `${line.label.toLowerCase()} ${quoted(line.target)}`).join(', ');
  return `In ${target}: ${status}, with ${values}${since}.`;
}

function stateLine(section: IntegrationSection, when: (at: Date) => string): string {
  const { summary } = section;
  const run = summary.last_run_id ?? String(summary.last_sync_run_id);
  const last = `The last record, in run ${run} on ${when(summary.last_started_at)}`;
  const outcome = summary.last_outcome === 'failed' ? 'failed' : 'was applied';
  const since = section.blockedSince ? ` since ${when(section.blockedSince)}` : '';
  return `State: ${STATE_WORDS[summary.state]}${summary.state === 'blocked' ? since : ''}. ${last} (${summary.last_action}), ${outcome}.`;
}

function problems(section: IntegrationSection, view: EmployeeView, when: (at: Date) => string): string[] {
  if (section.openErrors.length > 0) {
    const lines = [`What is wrong (${section.openErrors.length} open error${section.openErrors.length === 1 ? '' : 's'}):`];
    section.openErrors.forEach(({ error, guidance }, i) => {
      lines.push(`${i + 1}. ${guidance.title} (seen in run ${error.run_id} on ${when(error.started_at)})`);
      lines.push(`   ${guidance.what} ${guidance.why}`);
      lines.push('   What to change:');
      for (const step of guidance.steps) lines.push(`   - ${step}`);
    });
    return lines;
  }
  if (section.summary.last_outcome === 'failed') {
    return [`What is wrong: ${section.context.targetSystem} rejected the last record, and no error is open for it. Read the engine's message on that record.`];
  }
  // Nothing open: the newest failure on the page, if any, tells what was wrong before.
  const earlier = view.timeline.find((entry) => entry.record.integration_id === section.summary.integration_id && entry.record.outcome === 'failed');
  if (!earlier) return ['Nothing needs to change.'];
  const what = earlier.errors.map(({ guidance }) => guidance.what).join(' ');
  return [
    'Nothing needs to change now.',
    `Earlier, run ${earlier.record.run_id} on ${when(earlier.record.started_at)} failed for them${what ? `: ${what}` : '.'} A later record was applied, so this is fixed.`,
  ];
}

export function explanationText(view: EmployeeView, when: (at: Date) => string): string {
  const blocks = view.sections.map((section) => {
    const { summary, context } = section;
    const header = `${summary.integration_name} (${context.sourceSystem} to ${context.targetSystem}), organisation ${summary.org_name}`;
    const sent = section.fields.map((line) => `${line.label.toLowerCase()} ${quoted(line.sent)}`).join(', ');
    return [header, stateLine(section, when), inTarget(section, when), `Last sent by ${context.sourceSystem}: ${sent}.`, ...problems(section, view, when)].join(
      '\n',
    );
  });
  const name = view.sections.map((s) => fullName(s.summary)).find(Boolean);
  const who = name ? `${name} (external ID ${view.externalId})` : `External ID ${view.externalId}`;
  return [`Employee: ${who}`, ...blocks].join('\n\n');
}
