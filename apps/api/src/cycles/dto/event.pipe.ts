import { Injectable, PipeTransform } from '@nestjs/common';
import { EventInput } from '@app/cycles';
import { validateEvent } from '@app/http';

/** Validates `{ type, ...fields }` against the fields of that event type (unknown fields refused). */
@Injectable()
export class EventPipe implements PipeTransform<unknown, Promise<EventInput>> {
  transform(body: unknown): Promise<EventInput> {
    return validateEvent(body);
  }
}
