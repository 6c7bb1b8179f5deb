import type { Knex } from 'knex';

// Token hints were cut at the last '_' of the token, but base64url secrets may
// hold '_' too, so a stored hint could show most of the secret, or all of it.
// Hints keep the prefix and 4 characters of the secret, wherever they are
// stored. There is no way back, and none is wanted: down leaves them short.
const SHORT = "regexp_replace(%s, '^(fl_[a-z]+_[0-9]+_.{0,4}).*$', '\\1…')";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE api_tokens SET token_hint = ${SHORT.replace('%s', 'token_hint')}`);
  await knex.raw(`UPDATE ingest_tokens SET token_hint = ${SHORT.replace('%s', 'token_hint')}`);
  await knex.raw(
    `UPDATE audit_events SET details = jsonb_set(details, '{hint}', to_jsonb(${SHORT.replace('%s', "details->>'hint'")}))
     WHERE details->>'hint' IS NOT NULL`,
  );
}

export async function down(): Promise<void> {
  // The secrets' characters are gone from the hints on purpose.
}
