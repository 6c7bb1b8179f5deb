import type { Knex } from 'knex';

export interface Organisation {
  id: number;
  slug: string;
  name: string;
  created_at: Date;
}

export async function insertOrganisation(knex: Knex, slug: string, name: string): Promise<Organisation> {
  const [row] = await knex('organisations').insert({ slug, name }).returning(['id', 'slug', 'name', 'created_at']);
  return row as Organisation;
}

export async function findOrganisationBySlug(knex: Knex, slug: string): Promise<Organisation | undefined> {
  return knex('organisations').select('id', 'slug', 'name', 'created_at').where({ slug }).first();
}

export async function listOrganisations(knex: Knex): Promise<Organisation[]> {
  return knex('organisations').select('id', 'slug', 'name', 'created_at').orderBy('slug');
}

export async function listOrganisationsIn(knex: Knex, ids: number[]): Promise<Organisation[]> {
  return knex('organisations').select('id', 'slug', 'name', 'created_at').whereIn('id', ids).orderBy('name');
}

export async function findOrganisationById(knex: Knex, id: number): Promise<Organisation | undefined> {
  return knex('organisations').select('id', 'slug', 'name', 'created_at').where({ id }).first();
}
