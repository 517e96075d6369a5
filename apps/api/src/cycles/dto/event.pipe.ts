import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ValidationFailed } from '@app/domain';
import { EventInput } from '@app/cycles';
import { fieldProblems } from '../../http/validation';
import { EVENT_DTOS } from './events.dto';

/** Validates `{ type, ...fields }` against the fields of that event type (unknown fields refused). */
@Injectable()
export class EventPipe implements PipeTransform<unknown, Promise<EventInput>> {
  async transform(body: unknown): Promise<EventInput> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ValidationFailed([{ field: 'body', message: 'must be a JSON object with a type' }]);
    }
    const type = (body as { type?: unknown }).type;
    const dto = typeof type === 'string' ? EVENT_DTOS[type] : undefined;
    if (!dto) {
      throw new ValidationFailed([
        { field: 'type', message: `must be one of ${Object.keys(EVENT_DTOS).join(', ')}` },
      ]);
    }
    const instance = plainToInstance(dto, body);
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    if (errors.length) throw new ValidationFailed(fieldProblems(errors));
    return { ...(instance as EventInput) };
  }
}
