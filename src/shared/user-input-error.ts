/** A mistake of the caller's (a bad argument, a name taken), as opposed to a fault of ours. */
export class UserInputError extends Error {}
