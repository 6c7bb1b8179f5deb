import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createApiToken, createUser } from '../../src/accounts/accounts.service.js';
import { createApp } from '../../src/app/app.js';
import { createTestDatabase } from './database.js';
import type { EmailSetup } from '../../src/email/mail-setup.js';
import { outboxEmailSetup } from './email.js';
import { createOrgWithIntegration } from './fixtures.js';

export const FIXTURE_PASSWORD = 'correct horse battery';

/** The fixture people: owner (admin) and teammate (ops) of org-a, outsider (admin) of org-b, and support. */
export const FIXTURE_USERS = [
  { name: 'owner', role: 'admin', org: 'org-a' },
  { name: 'teammate', role: 'ops', org: 'org-a' },
  { name: 'outsider', role: 'admin', org: 'org-b' },
  { name: 'support', role: 'support', org: undefined },
] as const;

export type FixtureUser = (typeof FIXTURE_USERS)[number]['name'];

export const emailOf = (who: FixtureUser) => `${who}@example.com`;

/**
 * Two organisations with an integration each (`org-a` with "A flow", `org-b`
 * with "B flow"), the fixture users, and an API token for each user.
 */
export async function createFixtureUsers(knex: Knex) {
  const orgA = await createOrgWithIntegration(knex, { slug: 'org-a', integration: 'A flow' });
  const orgB = await createOrgWithIntegration(knex, { slug: 'org-b', integration: 'B flow' });
  const apiTokens = {} as Record<FixtureUser, string>;
  for (const { name, role, org } of FIXTURE_USERS) {
    await createUser(knex, { email: emailOf(name), role, orgSlug: org, password: FIXTURE_PASSWORD });
    apiTokens[name] = await createApiToken(knex, emailOf(name));
  }
  return { orgA, orgB, apiTokens };
}

/** The CSRF token of the first form on a page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, 'the page has a form with a CSRF token');
  return match[1]!;
}

export interface BrowserSession {
  /** A supertest agent that keeps the session cookie, as a browser would. */
  agent: ReturnType<typeof request.agent>;
  /** The session cookie (`feedlog_session=...`), to replay it from elsewhere. */
  cookie: string;
  /** A fresh CSRF token for the session, read from a page as a browser would. */
  csrf(): Promise<string>;
}

/** Signs in through the login form, as a person would. */
export async function signIn(app: Express, email: string, password = FIXTURE_PASSWORD): Promise<BrowserSession> {
  const agent = request.agent(app);
  const loginPage = await agent.get('/login');
  const response = await agent
    .post('/login')
    .type('form')
    .send({ email, password, _csrf: csrfFrom(loginPage.text) });
  assert.equal(response.status, 303, `signing in as ${email}: ${response.text.slice(0, 300)}`);
  const cookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((c) => c.startsWith('feedlog_session='));
  assert.ok(cookie, 'signing in sets the session cookie');
  return {
    agent,
    cookie: cookie.split(';')[0]!,
    async csrf() {
      return csrfFrom((await agent.get('/settings/tokens')).text);
    },
  };
}

/** A fresh database (drop it after the file), the app on it, and the fixture users of createFixtureUsers. */
export async function startWithFixtureUsers(options: { email?: EmailSetup } = {}) {
  const db = await createTestDatabase();
  const email = options.email ?? outboxEmailSetup();
  const app = createApp({ knex: db.knex, email });
  return { db, app, email, ...(await createFixtureUsers(db.knex)) };
}
