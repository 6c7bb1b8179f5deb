import type { Express } from 'express';
import { type BrowserSession, emailOf, signIn, startWithFixtureUsers } from './accounts.js';
import type { TestDatabase } from './database.js';
import { makeRun } from './fixtures.js';
import { postRun } from './ingest.js';

/** The fixture users, two runs of org-a (so that lists have a second page), org-a's owner's API token and a signed-in owner. */
export async function startWithTwoRuns(): Promise<{ db: TestDatabase; app: Express; apiToken: string; owner: BrowserSession }> {
  const fixtures = await startWithFixtureUsers();
  await postRun(fixtures.app, fixtures.orgA.token, makeRun({ run_id: 'a-1' }));
  await postRun(fixtures.app, fixtures.orgA.token, makeRun({ run_id: 'a-2', started_at: '2026-11-21T11:15:00Z', finished_at: '2026-11-21T11:16:00Z' }));
  return { db: fixtures.db, app: fixtures.app, apiToken: fixtures.apiTokens.owner, owner: await signIn(fixtures.app, emailOf('owner')) };
}
