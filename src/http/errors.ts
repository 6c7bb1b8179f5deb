import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/database.js';
import { logger } from '../logger.js';
import { DomainError } from '../shared/errors.js';
import { FORM_FIELD_LIMIT } from './limits.js';

export interface ProblemDetail {
  path: string;
  message: string;
}

/** An error with the HTTP status and the words a caller needs; the one error handler renders it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: ProblemDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what = 'Not found') => new HttpError(404, 'Not Found', what);

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Errors raised by body-parser carry a `type`; each maps to the status feed-format.md asks for. */
function fromBodyParser(error: { type?: string; message?: string; limit?: number }): HttpError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new HttpError(413, TITLES[413]!, `The body is larger than the limit of ${error.limit} bytes (after decompression).`);
    case 'entity.parse.failed':
      return new HttpError(400, TITLES[400]!, `The body is not valid JSON: ${error.message}`, [{ path: '', message: 'invalid JSON' }]);
    case 'encoding.unsupported':
      return new HttpError(415, TITLES[415]!, `${error.message}. Send the body plain or with Content-Encoding: gzip.`);
    case 'charset.unsupported':
      return new HttpError(415, TITLES[415]!, `${error.message}. Send UTF-8 JSON.`);
    case 'request.aborted':
      return new HttpError(400, TITLES[400]!, 'The request was aborted before the body was complete.');
    case 'request.size.invalid':
      return new HttpError(400, TITLES[400]!, 'The body length does not match its Content-Length header.');
    case 'parameters.too.many':
      return new HttpError(413, TITLES[413]!, `The form has more than ${FORM_FIELD_LIMIT} fields; no feedlog form has that many.`);
    default:
      return undefined;
  }
}

/** Each kind of domain error has one status, here and nowhere else. */
const DOMAIN_STATUS: Record<DomainError['kind'], number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409 };

/**
 * A body that its Content-Encoding cannot decompress fails inside zlib: gzip and
 * deflate with a Z_ code, brotli with an ERR__ code. Named by the encoding sent.
 */
function fromDecompression(error: { code?: unknown; errno?: unknown }, req: Request): HttpError | undefined {
  const { code } = error;
  if (typeof code !== 'string' || typeof error.errno !== 'number' || !/^(Z_|ERR__)/.test(code)) return undefined;
  const encoding = req.get('content-encoding') ?? 'a compression';
  return new HttpError(400, TITLES[400]!, `The body could not be decompressed: Content-Encoding says ${encoding} but the body is not valid ${encoding}.`);
}

/**
 * Express marks a path parameter that is not valid percent-encoding (`%ZZ`) as
 * a URIError with status 400; say which part of the path it is.
 */
function fromBadPath(error: unknown, req: Request): HttpError | undefined {
  if (!(error instanceof URIError)) return undefined;
  const bad = /%(?![0-9a-fA-F]{2})[^/]{0,2}/.exec(req.path)?.[0] ?? req.path;
  return new HttpError(400, TITLES[400]!, `The path holds malformed percent-encoding (${bad}): ${req.path}`, [
    { path: req.path, message: `malformed percent-encoding ${bad}` },
  ]);
}

function toHttpError(error: unknown, req: Request): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS[error.kind];
    return new HttpError(status, TITLES[status]!, error.message);
  }
  const bodyError = fromBodyParser(error as { type?: string });
  if (bodyError) return bodyError;
  if (isDatabaseUnavailable(error)) {
    return new HttpError(503, TITLES[503]!, 'The database is unavailable. Retry later; nothing was stored.', undefined, { 'Retry-After': '10' });
  }
  const requestError = fromDecompression(error as { code?: unknown }, req) ?? fromBadPath(error, req);
  if (requestError) return requestError;
  return new HttpError(500, TITLES[500]!, 'Something went wrong on our side. It has been logged; retry later.');
}

function problemBody(error: HttpError, instance: string) {
  return {
    type: 'about:blank',
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    instance,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

/** The one error handler: typed errors become problem+json, anything unexpected is logged in full. */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const httpError = toHttpError(error, req);
  // A 5xx raised on purpose (the ingest gate's 503) is an answer, not a failure: the request log has it.
  if (httpError.status >= 500 && !(error instanceof HttpError)) {
    logger().error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
  }
  if (res.headersSent) return;
  const sendProblem = () =>
    res
      .status(httpError.status)
      .set(httpError.headers)
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(httpError, req.originalUrl)));
  if (!wantsHtml(req)) return sendProblem();
  res.status(httpError.status).set(httpError.headers);
  res.render(
    'errors/error',
    { status: httpError.status, heading: httpError.title, detail: httpError.detail ?? httpError.title, errors: httpError.errors ?? [] },
    (renderError, html) => {
      if (renderError) {
        logger().error({ err: renderError }, 'error page failed to render');
        return sendProblem();
      }
      res.type('html').send(html);
    },
  );
};

/** A person's browser on a page gets an HTML error page; the API and scripts get problem+json. */
function wantsHtml(req: Request): boolean {
  return !req.originalUrl.startsWith('/api/') && req.accepts(['json', 'html']) === 'html';
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'Not Found', `No route for ${req.method} ${req.path}.`));
};
