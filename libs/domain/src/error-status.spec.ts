// Unit tests of the error → HTTP status table: every domain error class has a status, and forms answer with it.
import { DomainError } from './errors';
import * as errors from './errors';
import { ERROR_STATUS, errorStatus, formErrorStatus } from './error-status';

/** Every class errors.ts exports that is a domain error (DomainError itself is abstract). */
const classes = Object.entries(errors).filter(([name, value]) => typeof value === 'function' && value.prototype instanceof DomainError && name !== 'DomainError') as [
  string,
  new (...args: unknown[]) => DomainError,
][];

describe('the error → HTTP status table', () => {
  it('finds the error classes (the check itself)', () => {
    expect(classes.map(([name]) => name)).toEqual(expect.arrayContaining(['ValidationFailed', 'NotFound', 'Conflict', 'TransitionRefused', 'RateLimited']));
  });

  it.each(classes)('gives %s a 4xx status', (_name, kind) => {
    const error = new kind([], 'x');
    expect(ERROR_STATUS[error.code]).toBeGreaterThanOrEqual(400);
    expect(ERROR_STATUS[error.code]).toBeLessThan(500);
    expect(errorStatus(error)).toBe(ERROR_STATUS[error.code]);
  });

  it('has a status for every code and for nothing else', () => {
    const codes = classes.map(([, kind]) => new kind([], 'x').code);
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...new Set(codes)].sort());
  });

  it('answers a subclass as its parent, and anything else not at all', () => {
    class Expired extends errors.Forbidden {}
    expect(errorStatus(new Expired('gone'))).toBe(403);
    expect(errorStatus(new Error('x'))).toBeUndefined();
    expect(errorStatus('x')).toBeUndefined();
  });

  it('gives a form the status of the kinds it shows, 0 for the rest', () => {
    const shown = [errors.ValidationFailed, errors.VersionConflict, errors.TransitionRefused];
    expect(formErrorStatus(new errors.ValidationFailed([]), shown)).toBe(400);
    expect(formErrorStatus(new errors.VersionConflict(3), shown)).toBe(409);
    expect(formErrorStatus(new errors.TransitionRefused('no'), shown)).toBe(422);
    expect(formErrorStatus(new errors.NotFound('cycle'), shown)).toBe(0);
    expect(formErrorStatus(new Error('x'), shown)).toBe(0);
  });
});
