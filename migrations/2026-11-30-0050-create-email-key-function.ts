import type { Knex } from 'knex';

// feedlog_email_key(email): an email as the classifier compares it (emailKey in
// src/classify/normalise.ts): trimmed of Unicode White_Space, which btrim's
// default (a space) is not, lower-cased, NULL when empty. Indexes use it, so
// that " Ana@Example.com" is found as ana@example.com. An SQL function, so
// PostgreSQL inlines it into the queries and indexes that use it.
const WHITE_SPACE = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006]
  .concat([0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000])
  .map((code) => `chr(${code})`)
  .join(' || ');

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION feedlog_email_key(email text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nullif(lower(btrim(email, ${WHITE_SPACE})), '') $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION feedlog_email_key(text)');
}
