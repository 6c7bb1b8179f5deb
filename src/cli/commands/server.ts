import { out, type Command } from './shared.js';

export const SERVER_COMMANDS: Command[] = [
  {
    name: 'serve',
    usage: 'serve',
    summary: 'Run the web app and API (what npm start runs). Migrates the database first.',
    async run() {
      // Production settings (the view cache) unless NODE_ENV says otherwise; see serveDefaults().
      (await import('../../config.js')).useServeConfig();
      await (await import('../../app/server.js')).serve();
    },
  },
  {
    name: 'migrate',
    usage: 'migrate',
    summary: 'Apply pending database migrations.',
    async run() {
      const [{ openDatabase }, { listMigrations, migrateToLatest }] = await Promise.all([import('../../db/database.js'), import('../../db/migrate.js')]);
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
