import { out, required, withDatabase, type Command } from './shared.js';

const services = () => import('../../integrations/integrations.service.js');

export const INTEGRATION_COMMANDS: Command[] = [
  {
    name: 'integration create',
    usage:
      'integration create --org <slug> --name <name> --schedule <15m | "0 2 * * *"> [--tz Europe/London] [--grace 10m] [--source Planday] [--target "Flow Learning"] [--required external_id,first_name,...]',
    summary: 'Create an integration; prints its ingest token alone on the last line.',
    options: {
      org: { type: 'string' },
      name: { type: 'string' },
      schedule: { type: 'string' },
      tz: { type: 'string' },
      grace: { type: 'string' },
      source: { type: 'string' },
      target: { type: 'string' },
      required: { type: 'string' },
    },
    async run(values) {
      const orgSlug = required(values, 'org');
      const name = required(values, 'name');
      const schedule = required(values, 'schedule');
      const [{ createIntegration, scheduleOf }, { describeSchedule, formatDuration }] = await Promise.all([
        services(),
        import('../../integrations/schedule.js'),
      ]);
      const { integration, token } = await withDatabase(({ knex }) =>
        createIntegration(knex, {
          orgSlug,
          name,
          schedule,
          timeZone: values.tz as string | undefined,
          grace: values.grace as string | undefined,
          sourceSystem: values.source as string | undefined,
          targetSystem: values.target as string | undefined,
          requiredFields:
            typeof values.required === 'string'
              ? values.required
                  .split(',')
                  .map((f) => f.trim())
                  .filter(Boolean)
              : undefined,
        }),
      );
      out(
        `Created integration '${integration.name}' (id ${integration.id}), ${describeSchedule(scheduleOf(integration))}, grace ${formatDuration(integration.grace_seconds)}.`,
      );
      out('Its ingest token follows; it is shown only now, so store it in the sync engine:');
      out(token);
    },
  },
  {
    name: 'integration list',
    usage: 'integration list --org <slug>',
    summary: "List an organisation's integrations.",
    options: { org: { type: 'string' } },
    async run(values) {
      const slug = required(values, 'org');
      const [{ listIntegrations }, { scheduleOf }, { requireOrganisation }, { describeSchedule, formatDuration }] = await Promise.all([
        import('../../integrations/integrations.queries.js'),
        services(),
        import('../../orgs/orgs.service.js'),
        import('../../integrations/schedule.js'),
      ]);
      const rows = await withDatabase(async ({ knex }) => {
        const organisation = await requireOrganisation(knex, slug);
        return listIntegrations(knex, organisation.id);
      });
      if (rows.length === 0) out('No integrations yet.');
      for (const row of rows) {
        out(
          `${row.id}\t${row.name}\t${describeSchedule(scheduleOf(row))}\tgrace ${formatDuration(row.grace_seconds)}\trequired: ${row.required_fields.join(',')}`,
        );
      }
    },
  },
  {
    name: 'integration rotate-token',
    usage: 'integration rotate-token --org <slug> --name <integration name>',
    summary: "Revoke the integration's ingest tokens and print a new one alone on the last line.",
    options: { org: { type: 'string' }, name: { type: 'string' } },
    async run(values) {
      const slug = required(values, 'org');
      const name = required(values, 'name');
      const { rotateIngestToken } = await services();
      const { integration, token, revoked } = await withDatabase(({ knex }) => rotateIngestToken(knex, slug, name));
      out(`Revoked ${revoked} token(s) of '${integration.name}'. The new ingest token follows; it is shown only now:`);
      out(token);
    },
  },
];
