/** The events' bodies for the OpenAPI document and their validation, both from the catalogue's schemas. */
import { EventInput, eventSchemas, parseEvent } from '@app/domain';

/** The name under which each event's body schema is registered in the OpenAPI document. */
export const eventSchemaName = (type: string) =>
  `${type
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}Event`; // REVISE_PROBLEM → ReviseProblemEvent

/**
 * The OpenAPI components of the events' bodies, from the catalogue's zod schemas (the same ones
 * that validate them): added to the document, referred to by `POST /v1/cycles/:id/events`.
 */
export function eventSchemaComponents(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(eventSchemas()).map(([type, schema]) => [eventSchemaName(type), schema]));
}

/** The catalogue's validation of `{ type, ...fields }`, for the API's pipe and the web app's forms alike. */
export async function validateEvent(body: unknown): Promise<EventInput> {
  return parseEvent(body);
}
