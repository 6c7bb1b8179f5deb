import { openDatabase } from '../../db/database.js';
import { listMigrations, migrateToLatest } from '../../db/migrate.js';
import { serve } from '../../http/server.js';
import { out, type Command } from './shared.js';

export const SERVER_COMMANDS: Command[] = [
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
];
