/**
 * A redaction's request, parsed the same way for every chained history. Kept apart from
 * `seals.ts`: the offline verifier loads the seals and must not load the domain's errors.
 */
import { ValidationFailed } from '@app/domain';

/**
 * A redaction's request, as every chained history takes it: the field (a JSON Pointer, or a
 * top-level name such as `example`) and why; 400 naming each problem.
 */
export function redactionRequest(input: { field?: unknown; reason?: unknown }, example: string): { field: string; pointer: string; reason: string } {
  const field = typeof input.field === 'string' ? input.field.trim() : '';
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  const problems = [
    ...(!field || field.length > 200 ? [{ field: 'field', message: `must name the field of the entry to redact, such as ${example}` }] : []),
    ...(!reason || reason.length > 2000 ? [{ field: 'reason', message: 'must say why, in 1 to 2000 characters' }] : []),
  ];
  if (problems.length) throw new ValidationFailed(problems);
  return { field, pointer: field.startsWith('/') ? field : `/${field}`, reason };
}
