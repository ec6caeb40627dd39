/** GET /openapi.json and GET /docs, both public; the document is built once per app. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { buildOpenApiDocument } from '../openapi.js';
import { renderDocsPage } from '../views/docs-page.js';

export function docsRouter(deps: Pick<AppDeps, 'config'>): Router {
  const doc = buildOpenApiDocument(deps.config.PUBLIC_BASE_URL);
  const json = JSON.stringify(doc);
  const htmlPage = renderDocsPage(doc);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').set('Cache-Control', 'public, max-age=300').send(json);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').set('Cache-Control', 'public, max-age=300').send(htmlPage);
  });
  return router;
}
