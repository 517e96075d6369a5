import { QueryFailedError } from 'typeorm';
import { refusedForItsData } from './refused';

/** What node-postgres rejects with when the server answers an error. */
const serverError = (code: string) => Object.assign(new Error('refused'), { code, severity: 'ERROR' });

describe('refusedForItsData', () => {
  it('is a data exception or an integrity constraint PostgreSQL answered, plain or wrapped by TypeORM', () => {
    for (const code of ['22P05', '22P02', '22001', '23505', '23503']) expect(refusedForItsData(serverError(code))).toBe(true);
    expect(refusedForItsData(new QueryFailedError('SELECT 1', [], serverError('22P05')))).toBe(true);
  });

  it('is not an error that leaves unknown whether anything was written, nor another refusal', () => {
    for (const code of ['40001', '40P01', '57014', '57P01', '08006', '42601']) expect(refusedForItsData(serverError(code))).toBe(false);
    // Node's own errors carry a code without the server's severity.
    expect(refusedForItsData(Object.assign(new Error('reset'), { code: 'EPIPE' }))).toBe(false);
    expect(refusedForItsData(Object.assign(new Error('x'), { code: '22P05' }))).toBe(false);
    expect(refusedForItsData(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(refusedForItsData(undefined)).toBe(false);
    expect(refusedForItsData(null)).toBe(false);
  });
});
