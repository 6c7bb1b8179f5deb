import { out, required, UsageError, withDatabase, type Command } from './shared.js';

export const ORG_COMMANDS: Command[] = [
  {
    name: 'org create',
    usage: 'org create <slug> --name <name>',
    summary: 'Create an organisation.',
    options: { name: { type: 'string' } },
    args: ['slug'],
    async run(values, [slug]) {
      const name = required(values, 'name');
      const { createOrganisation } = await import('../../orgs/orgs.service.js');
      const organisation = await withDatabase(({ knex }) => createOrganisation(knex, slug!, name));
      out(`Created organisation '${organisation.slug}' (${organisation.name}).`);
      out(`Next: feedlog integration create --org ${organisation.slug} --name "<name>" --schedule 15m`);
    },
  },
  {
    name: 'org list',
    usage: 'org list',
    summary: 'List organisations.',
    async run() {
      const { listOrganisations } = await import('../../orgs/orgs.queries.js');
      const organisations = await withDatabase(({ knex }) => listOrganisations(knex));
      if (organisations.length === 0) out('No organisations yet. Create one with: feedlog org create <slug> --name <name>');
      for (const organisation of organisations) out(`${organisation.slug}\t${organisation.name}`);
    },
  },
  {
    name: 'org retention',
    usage: 'org retention <slug> <days>',
    summary: "Set how many days an organisation's records and runs are kept (feedlog prune).",
    args: ['slug', 'days'],
    async run(_values, [slug, days]) {
      if (!/^\d{1,5}$/.test(days!)) throw new UsageError(`Invalid number of days '${days}'.`);
      const [{ requireOrganisation }, { setOrganisationRetention }, { CLI }] = await Promise.all([
        import('../../orgs/orgs.service.js'),
        import('../../retention/retention.service.js'),
        import('../../audit/audit.queries.js'),
      ]);
      await withDatabase(async ({ knex }) => {
        const organisation = await requireOrganisation(knex, slug!);
        await setOrganisationRetention(knex, organisation, Number(days), CLI);
      });
      out(`Organisation '${slug}' keeps its records for ${Number(days)} days (feedlog prune deletes older ones).`);
    },
  },
];
