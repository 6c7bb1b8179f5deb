/** The embedded PostgreSQL could not be loaded or started; the message says what to do, so no stack trace follows it. */
export class EmbeddedPostgresError extends Error {}
