import type { ParseArgsConfig } from 'node:util';
import { apiTokensOf, createApiToken, createUser, resetPassword, revokeApiTokenOf } from '../accounts/accounts.service.js';
import { openDatabase, type Database } from '../db/database.js';
import { listMigrations, migrateToLatest } from '../db/migrate.js';
import { serve } from '../app/server.js';
import { listIntegrations } from '../integrations/integrations.queries.js';
import { createIntegration, rotateIngestToken, scheduleOf } from '../integrations/integrations.service.js';
import { describeSchedule, formatDuration } from '../integrations/schedule.js';
import { listOrganisations } from '../orgs/orgs.queries.js';
import { createOrganisation, requireOrganisation } from '../orgs/orgs.service.js';
import { InvalidInputError } from '../shared/errors.js';

type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options?: ParseArgsConfig['options'];
  run(values: Values, positionals: string[]): Promise<void>;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidInputError(`Missing --${name}.`);
  return value;
}

/** The password piped on stdin (`--password-stdin`), without its trailing newline. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Opens the database, applies pending migrations (so a first command on a fresh machine just works), runs, closes. */
async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase();
  try {
    await migrateToLatest(database.knex);
    return await work(database);
  } finally {
    await database.close();
  }
}

export const COMMANDS: Command[] = [
  {
    name: 'serve',
    usage: 'serve',
    summary: 'Run the web app and API (what npm start runs). Migrates the database first.',
    run: () => serve(),
  },
  {
    name: 'migrate',
    usage: 'migrate',
    summary: 'Apply pending database migrations.',
    async run() {
      const database = await openDatabase();
      try {
        const applied = await migrateToLatest(database.knex);
        const { done } = await listMigrations(database.knex);
        out(applied.length > 0 ? `Applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}` : 'The database is up to date.');
        out(`${done.length} migration(s) in place.`);
      } finally {
        await database.close();
      }
    },
  },
  {
    name: 'org create',
    usage: 'org create <slug> --name <name>',
    summary: 'Create an organisation.',
    options: { name: { type: 'string' } },
    async run(values, positionals) {
      const slug = positionals[0];
      if (!slug || positionals.length > 1) throw new InvalidInputError('Give exactly one slug: feedlog org create <slug> --name <name>');
      const name = required(values, 'name');
      const organisation = await withDatabase(({ knex }) => createOrganisation(knex, slug, name));
      out(`Created organisation '${organisation.slug}' (${organisation.name}).`);
      out(`Next: feedlog integration create --org ${organisation.slug} --name "<name>" --schedule 15m`);
    },
  },
  {
    name: 'org list',
    usage: 'org list',
    summary: 'List organisations.',
    async run() {
      const organisations = await withDatabase(({ knex }) => listOrganisations(knex));
      if (organisations.length === 0) out('No organisations yet. Create one with: feedlog org create <slug> --name <name>');
      for (const organisation of organisations) out(`${organisation.slug}\t${organisation.name}`);
    },
  },
  {
    name: 'integration create',
    usage: 'integration create --org <slug> --name <name> --schedule <15m | "0 2 * * *"> [--tz Europe/London] [--grace 10m] [--source Planday] [--target "Flow Learning"] [--required external_id,first_name,...]',
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
      const { integration, token } = await withDatabase(({ knex }) =>
        createIntegration(knex, {
          orgSlug: required(values, 'org'),
          name: required(values, 'name'),
          schedule: required(values, 'schedule'),
          timeZone: values.tz as string | undefined,
          grace: values.grace as string | undefined,
          sourceSystem: values.source as string | undefined,
          targetSystem: values.target as string | undefined,
          requiredFields: typeof values.required === 'string' ? values.required.split(',').map((f) => f.trim()).filter(Boolean) : undefined,
        }),
      );
      out(`Created integration '${integration.name}' (id ${integration.id}), ${describeSchedule(scheduleOf(integration))}, grace ${formatDuration(integration.grace_seconds)}.`);
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
      const rows = await withDatabase(async ({ knex }) => {
        const organisation = await requireOrganisation(knex, required(values, 'org'));
        return listIntegrations(knex, organisation.id);
      });
      if (rows.length === 0) out('No integrations yet.');
      for (const row of rows) {
        out(`${row.id}\t${row.name}\t${describeSchedule(scheduleOf(row))}\tgrace ${formatDuration(row.grace_seconds)}\trequired: ${row.required_fields.join(',')}`);
      }
    },
  },
  {
    name: 'integration rotate-token',
    usage: 'integration rotate-token --org <slug> --name <integration name>',
    summary: 'Revoke the integration\'s ingest tokens and print a new one alone on the last line.',
    options: { org: { type: 'string' }, name: { type: 'string' } },
    async run(values) {
      const { integration, token, revoked } = await withDatabase(({ knex }) => rotateIngestToken(knex, required(values, 'org'), required(values, 'name')));
      out(`Revoked ${revoked} token(s) of '${integration.name}'. The new ingest token follows; it is shown only now:`);
      out(token);
    },
  },
  {
    name: 'user create',
    usage: 'user create --email <email> --role <admin|support|ops> [--org <slug>] [--password-stdin]',
    summary: 'Create a user (admin and ops need --org; support reads every organisation). Without --password-stdin a password is generated and printed once.',
    options: { email: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    async run(values) {
      const password = values['password-stdin'] ? await readPasswordFromStdin() : undefined;
      const result = await withDatabase(({ knex }) =>
        createUser(knex, { email: required(values, 'email'), role: required(values, 'role'), orgSlug: values.org as string | undefined, password }),
      );
      const where = values.org ? ` in '${values.org}'` : '';
      out(result.created ? `Created user ${result.user.email} (${values.role}${where}).` : `${result.user.email} exists already: gave them the ${values.role} role${where}.`);
      if (result.generatedPassword) {
        out('Their password follows; it is shown only now:');
        out(result.generatedPassword);
      }
    },
  },
  {
    name: 'user reset-password',
    usage: 'user reset-password --email <email> [--password-stdin]',
    summary: 'Set a new password (generated and printed once unless piped on stdin).',
    options: { email: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    async run(values) {
      const password = values['password-stdin'] ? await readPasswordFromStdin() : undefined;
      const { generatedPassword } = await withDatabase(({ knex }) => resetPassword(knex, required(values, 'email'), password));
      out(`Password of ${values.email} changed.`);
      if (generatedPassword) {
        out('The new password follows; it is shown only now:');
        out(generatedPassword);
      }
    },
  },
  {
    name: 'token create',
    usage: 'token create --user <email> [--name <label>]',
    summary: "Create an API token for a user (it reads what the user may read); prints it alone on the last line.",
    options: { user: { type: 'string' }, name: { type: 'string' } },
    async run(values) {
      const token = await withDatabase(({ knex }) => createApiToken(knex, required(values, 'user'), (values.name as string | undefined) ?? 'api'));
      out(`Created an API token for ${values.user}; it is shown only now:`);
      out(token);
    },
  },
  {
    name: 'token list',
    usage: 'token list --user <email>',
    summary: "List a user's API tokens (id, name, start of the token, created, last used, revoked).",
    options: { user: { type: 'string' } },
    async run(values) {
      const tokens = await withDatabase(({ knex }) => apiTokensOf(knex, required(values, 'user')));
      if (tokens.length === 0) out(`${values.user} has no API tokens. Create one with: feedlog token create --user ${values.user}`);
      const when = (date: Date | null) => date?.toISOString() ?? '-';
      for (const t of tokens) {
        out(`${t.id}\t${t.name}\t${t.token_hint}\tcreated ${when(t.created_at)}\tlast used ${when(t.last_used_at)}\t${t.revoked_at ? `revoked ${when(t.revoked_at)}` : 'live'}`);
      }
    },
  },
  {
    name: 'token revoke',
    usage: 'token revoke --user <email> --id <token id>',
    summary: 'Revoke one of a user\'s API tokens at once (ids from: feedlog token list).',
    options: { user: { type: 'string' }, id: { type: 'string' } },
    async run(values) {
      const id = Number(required(values, 'id'));
      if (!Number.isSafeInteger(id) || id <= 0) throw new InvalidInputError(`--id takes a token id (a number from feedlog token list), not '${values.id}'.`);
      const token = await withDatabase(({ knex }) => revokeApiTokenOf(knex, required(values, 'user'), id));
      out(`Revoked API token ${token.id} (${token.name}, ${token.token_hint}) of ${values.user}.`);
    },
  },
];
