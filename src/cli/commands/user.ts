import { out, readPasswordFromStdin, required, withDatabase, type Command } from './shared.js';

export const USER_COMMANDS: Command[] = [
  {
    name: 'user create',
    usage: 'user create --email <email> --role <admin|support|ops> [--org <slug>] [--password-stdin]',
    summary: 'Create a user (admin and ops need --org; support reads every organisation). Without --password-stdin a password is generated and printed once.',
    options: { email: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    async run(values) {
      const email = required(values, 'email');
      const role = required(values, 'role');
      const password = values['password-stdin'] ? await readPasswordFromStdin() : undefined;
      const { createUser } = await import('../../accounts/accounts.service.js');
      const result = await withDatabase(({ knex }) => createUser(knex, { email, role, orgSlug: values.org as string | undefined, password }));
      const where = values.org ? ` in '${values.org}'` : '';
      out(
        result.created
          ? `Created user ${result.user.email} (${values.role}${where}).`
          : `${result.user.email} exists already: gave them the ${values.role} role${where}.`,
      );
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
      const email = required(values, 'email');
      const password = values['password-stdin'] ? await readPasswordFromStdin() : undefined;
      const { resetPassword } = await import('../../accounts/accounts.service.js');
      const { generatedPassword } = await withDatabase(({ knex }) => resetPassword(knex, email, password));
      out(`Password of ${values.email} changed.`);
      if (generatedPassword) {
        out('The new password follows; it is shown only now:');
        out(generatedPassword);
      }
    },
  },
];
