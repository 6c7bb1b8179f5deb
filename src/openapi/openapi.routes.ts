import path from 'node:path';
import ejs from 'ejs';
import { Router } from 'express';
import { ROOT_DIR } from '../config.js';
import { buildOpenApiDocument, DOCS_PATH, OPENAPI_PATH } from './openapi-document.js';
import { inlineCode, referenceView } from './reference-model.js';

const REFERENCE_VIEW = path.join(ROOT_DIR, 'views', 'openapi', 'reference.ejs');

/**
 * `GET /api/v1/openapi.json` and the HTML reference at `GET /api/docs`. Both are
 * public (they hold no data) and both are built once: the document never changes
 * while the process runs. The page is rendered with ejs directly, so the router
 * works in any app, whatever its view settings.
 */
export function openapiRoutes(): Router {
  const router = Router();
  let page: Promise<string> | undefined;

  router.get(OPENAPI_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(buildOpenApiDocument());
  });

  router.get(DOCS_PATH, async (_req, res) => {
    page ??= ejs.renderFile(REFERENCE_VIEW, { ...referenceView(buildOpenApiDocument()), md: inlineCode }, { async: false });
    let html: string;
    try {
      html = await page;
    } catch (error) {
      page = undefined; // do not cache a failure
      throw error;
    }
    res.set('Cache-Control', 'public, max-age=300').type('html').send(html);
  });
  return router;
}
