import path from 'node:path';
import ejs from 'ejs';
import { Router, type RequestHandler } from 'express';
import { ROOT_DIR } from '../config.js';
import { buildOpenApiDocument, DOCS_PATH, OPENAPI_PATH } from './openapi-document.js';
import { inlineCode, referenceView } from './reference-model.js';

const REFERENCE_VIEW = path.join(ROOT_DIR, 'views', 'openapi', 'reference.ejs');

/**
 * `GET /api/v1/openapi.json` and the HTML reference at `GET /api/docs`. Both are
 * public (they hold no data), and the document never changes while the process
 * runs. The page's header shows a signed-in person their navigation and Sign
 * out: `webSession` loads that person (cookie, session, the CSRF token of the
 * Sign out form). The page is rendered with ejs directly, so the router works in
 * any app, whatever its view settings.
 */
export function openapiRoutes(webSession: RequestHandler[] = []): Router {
  const router = Router();
  let model: ReturnType<typeof referenceView> | undefined;

  router.get(OPENAPI_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(buildOpenApiDocument());
  });

  const render = (locals: { caller?: unknown; csrfToken?: unknown; currentPath?: string }) => {
    model ??= referenceView(buildOpenApiDocument());
    return ejs.renderFile(REFERENCE_VIEW, { ...model, md: inlineCode, ...locals }, { async: false, cache: true });
  };
  // The anonymous page is the same for everyone, and rendering it takes tens of milliseconds.
  let anonymousPage: string | undefined;

  router.get(DOCS_PATH, ...webSession, async (_req, res) => {
    const { caller, csrfToken } = res.locals;
    if (!caller) anonymousPage ??= await render({});
    const html = caller ? await render({ caller, csrfToken, currentPath: DOCS_PATH }) : anonymousPage!;
    // The anonymous page may be revalidated; a signed-in one holds a person's name and CSRF token.
    res
      .set('Cache-Control', caller ? 'private, no-store' : 'private, no-cache')
      .type('html')
      .send(html);
  });
  return router;
}
