/**
 * The Outbox, for an organisation's admins (and support): every email feedlog recorded
 * for the organisation, newest first, with how its sending went; and, when there is no
 * SMTP server, the .eml file each one was written to, as it would have been sent.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import type { Caller } from '../auth/caller.js';
import { requireLogin } from '../auth/web-auth.js';
import { notFound } from '../http/errors.js';
import { pageLink } from '../http/links.js';
import { cursorParts, cursorSchema, decodeCursor, encodeCursor, parsePageQuery, pathId } from '../http/query.js';
import { listOrganisationsIn } from '../orgs/orgs.queries.js';
import { ForbiddenError } from '../shared/errors.js';
import type { EmailSetup } from '../email/mail-setup.js';
import { findDeliveryIn, listOutbox } from './notifications.queries.js';
import { outboxPageSchema } from './notifications.schemas.js';

const idCursor = cursorSchema(cursorParts.id);
/** The largest .eml file the page shows (emails are a few tens of KB). */
const MAX_EML_BYTES = 1_000_000;

/** The organisations whose outbox the caller may read: those they are admin of, or every one for support. */
const outboxOrgIds = (caller: Caller) => (caller.support ? caller.orgIds : caller.orgIds.filter((id) => caller.roles.get(id) === 'admin'));

function requireOutboxReader(caller: Caller, orgId: number): void {
  if (!caller.orgIds.includes(orgId)) throw notFound(`No organisation ${orgId}.`);
  if (!outboxOrgIds(caller).includes(orgId))
    throw new ForbiddenError(`Only an admin of this organisation can read its outbox; your role here is ${caller.roles.get(orgId) ?? 'none'}.`);
}

/** Every unsubscribe token in a message, hidden: the outbox's reader must not unsubscribe its recipient. */
const hideUnsubscribeTokens = (eml: string) => eml.replace(/fl_uns_\d+_(?:[A-Za-z0-9_-]|=\r?\n)+/g, 'fl_uns_(hidden)');

async function emlOf(outboxDir: string, file: string | null): Promise<{ text?: string; missing?: string }> {
  if (!file) return {};
  // Only a bare file name as the mailer writes it: never a path out of the outbox.
  if (!/^[A-Za-z0-9._-]+\.eml$/.test(file) || file !== path.basename(file)) return { missing: 'The recorded file name is not one the mailer writes.' };
  try {
    const content = await readFile(path.join(outboxDir, file));
    const text = content.subarray(0, MAX_EML_BYTES).toString('utf8');
    return { text: hideUnsubscribeTokens(text) + (content.length > MAX_EML_BYTES ? '\n[cut: the file is larger than 1 MB]' : '') };
  } catch {
    return { missing: `The file ${file} is no longer in the outbox (${outboxDir}).` };
  }
}

export function outboxPages(email: EmailSetup): Router {
  const router = Router();

  router.get('/outbox', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const { org, limit, cursor } = parsePageQuery(outboxPageSchema, req);
    const readable = await listOrganisationsIn(req.reader, outboxOrgIds(caller));
    const orgId = org ?? readable[0]?.id;
    if (orgId === undefined) throw new ForbiddenError('Only admins of an organisation (and support) can read its outbox.');
    requireOutboxReader(caller, orgId);
    const after = decodeCursor(cursor, idCursor);
    const rows = await listOutbox(req.reader, orgId, limit, after?.[0]);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    res.render('notifications/outbox', {
      title: 'Outbox · feedlog',
      organisations: readable,
      organisation: readable.find((o) => o.id === orgId),
      deliveries: items,
      via: email.mailer.kind,
      outboxDir: email.outboxDir,
      firstPage: cursor ? pageLink('/outbox', { org: orgId, limit: req.query.limit ? limit : undefined }) : null,
      nextPage:
        rows.length > limit && last ? pageLink('/outbox', { org: orgId, limit: req.query.limit ? limit : undefined, cursor: encodeCursor([last.id]) }) : null,
    });
  });

  router.get('/outbox/:id', requireLogin, async (req, res) => {
    const caller = req.caller!;
    const id = pathId(req.params.id, 'email');
    const delivery = await findDeliveryIn(req.reader, caller.orgIds, id);
    if (!delivery) throw notFound(`No email ${id}.`);
    requireOutboxReader(caller, delivery.org_id);
    const [organisation] = await listOrganisationsIn(req.reader, [delivery.org_id]);
    res.render('notifications/outbox-email', {
      title: `${delivery.subject ?? 'Email'} · Outbox · feedlog`,
      organisation,
      delivery,
      eml: await emlOf(email.outboxDir, delivery.outbox_file),
    });
  });

  return router;
}
