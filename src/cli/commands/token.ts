import { InvalidInputError } from '../../shared/errors.js';
import { out, required, withDatabase, type Command } from './shared.js';

const accounts = () => import('../../accounts/accounts.service.js');

export const TOKEN_COMMANDS: Command[] = [
  {
    name: 'token create',
    usage: 'token create --user <email> [--name <label>]',
    summary: 'Create an API token for a user (it reads what the user may read); prints it alone on the last line.',
    options: { user: { type: 'string' }, name: { type: 'string' } },
    async run(values) {
      const email = required(values, 'user');
      const { createApiToken } = await accounts();
      const token = await withDatabase(({ knex }) => createApiToken(knex, email, (values.name as string | undefined) ?? 'api'));
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
      const email = required(values, 'user');
      const { apiTokensOf } = await accounts();
      const tokens = await withDatabase(({ knex }) => apiTokensOf(knex, email));
      if (tokens.length === 0) out(`${values.user} has no API tokens. Create one with: feedlog token create --user ${values.user}`);
      const when = (date: Date | null) => date?.toISOString() ?? '-';
      for (const t of tokens) {
        out(
          `${t.id}\t${t.name}\t${t.token_hint}\tcreated ${when(t.created_at)}\tlast used ${when(t.last_used_at)}\t${t.revoked_at ? `revoked ${when(t.revoked_at)}` : 'live'}`,
        );
      }
    },
  },
  {
    name: 'token revoke',
    usage: 'token revoke --user <email> --id <token id>',
    summary: "Revoke one of a user's API tokens at once (ids from: feedlog token list).",
    options: { user: { type: 'string' }, id: { type: 'string' } },
    async run(values) {
      const email = required(values, 'user');
      const id = Number(required(values, 'id'));
      if (!Number.isSafeInteger(id) || id <= 0) throw new InvalidInputError(`--id takes a token id (a number from feedlog token list), not '${values.id}'.`);
      const { revokeApiTokenOf } = await accounts();
      const token = await withDatabase(({ knex }) => revokeApiTokenOf(knex, email, id));
      out(`Revoked API token ${token.id} (${token.name}, ${token.token_hint}) of ${values.user}.`);
    },
  },
];
