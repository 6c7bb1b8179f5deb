import type { Knex } from 'knex';

// Without an SMTP server the mailer writes each email to DATA_DIR/outbox as an
// .eml file; the delivery keeps that file's name (the name only, never a path), so
// that the Outbox page can show an admin the very message it would have sent.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE email_deliveries ADD COLUMN outbox_file text');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE email_deliveries DROP COLUMN outbox_file');
}
