/**
 * The HTTP status of each domain error: the one table the API's problem filter and the web app's
 * pages and forms answer with. Numbers only (nothing of Nest or HTTP libraries), beside the errors.
 */
import { DomainError, DomainErrorCode } from './errors';

export const ERROR_STATUS: Readonly<Record<DomainErrorCode, number>> = {
  ValidationFailed: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  VersionConflict: 409,
  TransitionRefused: 422,
  RateLimited: 429,
  TooLarge: 413,
  UnsupportedType: 415,
};

/** The status of a domain error (by its code, so a subclass answers as its parent); undefined for any other error. */
export function errorStatus(error: unknown): number | undefined {
  return error instanceof DomainError ? ERROR_STATUS[error.code] : undefined;
}

/** A domain error class, abstract or not, whatever its constructor takes. */
export type DomainErrorClass = abstract new (...args: never[]) => DomainError;

/**
 * The status of an error a form shows on itself, when it is one of the kinds the form shows; 0 for
 * any other error (which the form throws on, for the page filter to answer).
 */
export function formErrorStatus(error: unknown, shown: readonly DomainErrorClass[]): number {
  return error instanceof DomainError && shown.some((kind) => error instanceof kind) ? ERROR_STATUS[error.code] : 0;
}
