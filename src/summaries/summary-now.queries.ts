import type { Knex } from 'knex';

/** A person by email (any case), with the organisations they belong to, by slug. */
export async function personByEmail(
  knex: Knex,
  email: string,
): Promise<
  { id: number; email: string; time_zone: string; disabled_at: Date | null; organisations: Array<{ id: number; slug: string; role: string }> } | undefined
> {
  const user = await knex('users').whereRaw('lower(email) = lower(?)', [email]).first('id', 'email', 'time_zone', 'disabled_at');
  if (!user) return undefined;
  const organisations = await knex('memberships as m')
    .join('organisations as o', 'o.id', 'm.org_id')
    .where('m.user_id', user.id)
    .orderBy('o.slug')
    .select('o.id', 'o.slug', 'm.role');
  return { ...user, id: Number(user.id), organisations: organisations.map((row) => ({ ...row, id: Number(row.id) })) };
}
