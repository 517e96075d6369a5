/**
 * A client's event (`{ type, ...fields }`, from the API's JSON or the web app's form) checked
 * against its catalogue entry's fields: unknown types and fields refused, every problem named
 * by its field, in the words the catalogue gives.
 */
import { z } from 'zod';
import { FieldProblem, ValidationFailed } from '../errors';
import { CATALOGUE, CycleEventType } from './cycle.catalogue';

/** An event as a client sends it, validated: its type and fields, without actor or time. */
export type EventInput = { type: CycleEventType } & Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: field ? `${field}.${key}` : key, message: 'is not a field of this request' }));
    }
    return [{ field: field || 'body', message: issue.message }];
  });
}

export function parseEvent(body: unknown): EventInput {
  if (!isObject(body)) throw new ValidationFailed([{ field: 'body', message: 'must be a JSON object with a type' }]);
  const { type, ...fields } = body;
  const entry = typeof type === 'string' ? CATALOGUE.get(type) : undefined;
  if (!entry) throw new ValidationFailed([{ field: 'type', message: `must be one of ${[...CATALOGUE.keys()].join(', ')}` }]);
  const parsed = entry.fields.safeParse(fields);
  if (!parsed.success) throw new ValidationFailed(problemsOf(parsed.error));
  return { type: entry.type as CycleEventType, ...parsed.data };
}

/** Each event's body as an OpenAPI 3.0 schema, `type` included, for the API's documentation. */
export function eventSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    [...CATALOGUE.values()].map((entry) => {
      const {
        $schema: _,
        properties = {},
        required = [],
        ...rest
      } = z.toJSONSchema(entry.fields, { target: 'openapi-3.0', unrepresentable: 'any' }) as {
        $schema?: string;
        properties?: Record<string, unknown>;
        required?: string[];
      };
      return [
        entry.type,
        {
          ...rest,
          description:
            entry.who.kind === 'milestone'
              ? `${entry.label} (sent by milestones: a client gets 403)`
              : entry.who.kind === 'service'
                ? `${entry.label} (recorded by the service: a client gets 403)`
                : entry.label,
          properties: { type: { type: 'string', enum: [entry.type] }, ...properties },
          required: ['type', ...required],
        },
      ];
    }),
  );
}
