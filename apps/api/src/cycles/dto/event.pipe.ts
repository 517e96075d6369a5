/** Checking a cycle event's body against its type's fields in the catalogue. */
import { Injectable, PipeTransform } from '@nestjs/common';
import { EventInput, parseEvent } from '@app/domain';

/** Validates `{ type, ...fields }` against that event type's fields in the catalogue (unknown fields refused). */
@Injectable()
export class EventPipe implements PipeTransform<unknown, EventInput> {
  transform(body: unknown): EventInput {
    return parseEvent(body);
  }
}
