import type { Knex } from 'knex';
import { z } from 'zod';
import { ConflictError, InvalidInputError, NotFoundError } from '../shared/errors.js';
import { findOrganisationBySlug, insertOrganisation, type Organisation } from './orgs.queries.js';

const orgSlugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a slug is 1-63 lower-case letters, digits and dashes, starting with a letter or digit');

export async function createOrganisation(knex: Knex, slug: string, name: string): Promise<Organisation> {
  const validSlug = orgSlugSchema.safeParse(slug);
  if (!validSlug.success) throw new InvalidInputError(`Invalid organisation slug '${slug}': ${validSlug.error.issues[0]!.message}.`);
  if (!name.trim()) throw new InvalidInputError('An organisation needs a name (--name).');
  if (await findOrganisationBySlug(knex, slug)) throw new ConflictError(`An organisation with slug '${slug}' exists already.`);
  return insertOrganisation(knex, slug, name.trim());
}

export async function requireOrganisation(knex: Knex, slug: string): Promise<Organisation> {
  const organisation = await findOrganisationBySlug(knex, slug);
  if (!organisation) throw new NotFoundError(`No organisation with slug '${slug}'. Create it with: feedlog org create ${slug} --name "..."`);
  return organisation;
}
