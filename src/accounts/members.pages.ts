import { Router, type Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { requireLogin } from '../auth/web-auth.js';
import { pathId } from '../http/query.js';
import { listOrganisationsIn } from '../orgs/orgs.queries.js';
import { ConflictError, InvalidInputError } from '../shared/errors.js';
import { listMembers } from './accounts.queries.js';
import type { Caller } from '../auth/caller.js';
import { addMember, changeMemberRole, MEMBER_ROLES, removeMember } from './members.service.js';
import { adminOrgIds } from '../auth/roles.js';

const addForm = z.object({
  email: z.string().trim().min(1, 'Enter the email of the person to add.').max(320),
  role: z.enum(MEMBER_ROLES, 'Choose admin or ops.'),
});
const roleForm = z.object({ role: z.enum(MEMBER_ROLES, 'Choose admin or ops.') });

interface MembersView {
  error?: string;
  notice?: string;
  created?: { email: string; password: string };
}

async function renderMembers(knex: Knex, res: Response, caller: Caller, status: number, view: MembersView = {}) {
  const [organisations, members] = await Promise.all([listOrganisationsIn(knex, caller.orgIds), listMembers(knex, caller.orgIds)]);
  const admin = adminOrgIds(caller);
  const byOrg = organisations.map((org) => ({ ...org, canChange: admin.has(org.id), members: members.filter((m) => m.org_id === org.id) }));
  res.status(status).render('members/index', {
    title: 'People · feedlog',
    organisations: byOrg,
    roles: MEMBER_ROLES,
    error: undefined,
    notice: undefined,
    created: undefined,
    ...view,
  });
}

/** What the page says after a change, by the code in `?done=` (never free text from the URL). */
const DONE = {
  added: (who: string) => `${who} is a member now.`,
  made_admin: (who: string) => `${who} is an admin now.`,
  made_ops: (who: string) => `${who} has the ops role now.`,
  removed: (who: string) => `${who} is no longer a member.`,
} as const;
const doneQuery = z.object({ done: z.enum(Object.keys(DONE) as [keyof typeof DONE]), who: z.email() });
const doneUrl = (done: keyof typeof DONE, who: string) => `/members?${new URLSearchParams({ done, who })}`;

/** A mistake in a form (or the last admin) is shown on the page itself, with what to do. */
async function orShowMistake(knex: Knex, res: Response, caller: Caller, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof InvalidInputError) return renderMembers(knex, res, caller, 400, { error: error.message });
    if (error instanceof ConflictError) return renderMembers(knex, res, caller, 409, { error: error.message });
    throw error;
  }
}

/** The people of the caller's organisations and their roles; admins add, change and remove them. */
export function memberPages(knex: Knex): Router {
  const router = Router();

  router.get('/members', requireLogin, async (req, res) => {
    const done = doneQuery.safeParse(req.query);
    await renderMembers(req.reader, res, req.caller!, 200, { notice: done.success ? DONE[done.data.done](done.data.who) : undefined });
  });

  router.post('/orgs/:orgId/members', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const orgId = pathId(req.params.orgId, 'organisation');
    const form = addForm.safeParse(req.body ?? {});
    if (!form.success) return renderMembers(knex, res, caller, 400, { error: form.error.issues[0]!.message });
    await orShowMistake(knex, res, caller, async () => {
      const result = await addMember(knex, caller, orgId, form.data.email, form.data.role);
      if (!result.generatedPassword) return res.redirect(303, doneUrl('added', result.user.email));
      res.set('Cache-Control', 'no-store');
      await renderMembers(knex, res, caller, 201, { created: { email: result.user.email, password: result.generatedPassword } });
    });
  });

  router.post('/orgs/:orgId/members/:userId/role', requireLogin, async (req, res) => {
    const [orgId, userId] = [pathId(req.params.orgId, 'organisation'), pathId(req.params.userId, 'member')];
    const form = roleForm.safeParse(req.body ?? {});
    if (!form.success) return renderMembers(knex, res, req.caller!, 400, { error: form.error.issues[0]!.message });
    await orShowMistake(knex, res, req.caller!, async () => {
      const email = await changeMemberRole(knex, req.caller!, orgId, userId, form.data.role);
      res.redirect(303, doneUrl(form.data.role === 'admin' ? 'made_admin' : 'made_ops', email));
    });
  });

  router.post('/orgs/:orgId/members/:userId/remove', requireLogin, async (req, res) => {
    const [orgId, userId] = [pathId(req.params.orgId, 'organisation'), pathId(req.params.userId, 'member')];
    await orShowMistake(knex, res, req.caller!, async () => {
      const email = await removeMember(knex, req.caller!, orgId, userId);
      res.redirect(303, doneUrl('removed', email));
    });
  });

  return router;
}
