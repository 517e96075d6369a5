/**
 * Errors the libraries raise. Each carries a code; its HTTP status is in one table (error-status.ts),
 * which the API's problem filter and the web app's pages answer with. Libraries never throw HTTP exceptions.
 */
export type DomainErrorCode = 'ValidationFailed' | 'Unauthenticated' | 'Forbidden' | 'NotFound' | 'Conflict' | 'VersionConflict' | 'TransitionRefused' | 'RateLimited' | 'TooLarge' | 'UnsupportedType';

export interface FieldProblem {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailed extends DomainError {
  readonly code = 'ValidationFailed';
  constructor(
    readonly errors: FieldProblem[],
    message = 'The request has invalid fields.',
  ) {
    super(message);
  }
}

export class Unauthenticated extends DomainError {
  readonly code = 'Unauthenticated';
}

export class Forbidden extends DomainError {
  readonly code = 'Forbidden';
}

export class NotFound extends DomainError {
  readonly code = 'NotFound';
  constructor(readonly resource: string) {
    super(`No ${resource} with that id exists, or you may not see it.`);
  }
}

/** A uniqueness or state clash that is not about versions (an email already in use). */
export class Conflict extends DomainError {
  readonly code = 'Conflict';
}

export class VersionConflict extends DomainError {
  readonly code = 'VersionConflict';
  constructor(
    readonly currentVersion: number | undefined,
    message?: string,
  ) {
    super(message ?? (currentVersion === undefined ? 'Someone else changed this first. Reload and try again.' : `The version you sent is stale: the current version is ${currentVersion}.`));
  }
}

export class TransitionRefused extends DomainError {
  readonly code = 'TransitionRefused';
}

export class RateLimited extends DomainError {
  readonly code = 'RateLimited';
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

/** What was sent is larger than its limit allows (a file over ATTACHMENT_MAX_BYTES). */
export class TooLarge extends DomainError {
  readonly code = 'TooLarge';
}

/** What was sent is of a kind that is not accepted (a file whose bytes are of no allowed type). */
export class UnsupportedType extends DomainError {
  readonly code = 'UnsupportedType';
}
