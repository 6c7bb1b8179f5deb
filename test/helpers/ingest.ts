import type { Express } from 'express';
import request from 'supertest';

/**
 * POSTs a body to the ingest endpoint as an engine would. A Buffer is sent as
 * it is with `Content-Encoding: gzip` (superagent would otherwise JSON-encode
 * it); anything else is sent as JSON text.
 */
export function postRun(app: Express, token: string, body: unknown, contentType = 'application/json') {
  const req = request(app).post('/api/v1/sync-runs').set('Authorization', `Bearer ${token}`).set('Content-Type', contentType);
  if (Buffer.isBuffer(body)) {
    return req
      .set('Content-Encoding', 'gzip')
      .serialize((bytes: unknown) => bytes as string)
      .send(body);
  }
  return req.send(typeof body === 'string' ? body : JSON.stringify(body));
}
