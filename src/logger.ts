import { pino, type Logger } from 'pino';
import { config } from './config.js';

let instance: Logger | undefined;
let destinationFd = 1;

/**
 * Command-line commands log to stderr so that stdout carries only their result
 * (a token on the last line must be machine-readable); the server logs to stdout.
 */
export function logToStderr(): void {
  destinationFd = 2;
  instance = undefined;
}

/** Structured JSON logs, one line per event. */
export function logger(): Logger {
  instance ??= pino(
    {
      level: config().logLevel,
      base: { service: 'feedlog' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    pino.destination({ fd: destinationFd, sync: true }),
  );
  return instance;
}
