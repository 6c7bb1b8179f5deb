/**
 * What went wrong, in the words of the domain: services throw these with a
 * plain message, and never an HTTP status. The HTTP layer maps each kind to a
 * status once (src/http/errors.ts); pages and the CLI word them for their reader.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: 'invalid' | 'not_found' | 'conflict' | 'forbidden';
}

/** A mistake of the caller's: a bad argument, a value out of range. */
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid';
}

/** The object does not exist, or the caller may not know that it does. */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** The request clashes with the current state: a name taken, a stale form, the last admin. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** The caller sees the object but may not do this to it; the message says why. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}
