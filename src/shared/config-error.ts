/** A bad environment variable; in its own module so that the command line can recognise it without loading the schema. */
export class ConfigError extends Error {}
