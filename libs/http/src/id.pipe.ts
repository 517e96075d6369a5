/** A path id that is not a UUID names nothing: answered 404 like any unknown id. */
import { Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { NotFound } from '@app/domain';

/** A path id that is not a UUID names nothing: answer 404, as for any unknown id. */
@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  constructor(private readonly resource: string) {}

  transform(value: string): string {
    if (!isUUID(value)) throw new NotFound(this.resource);
    return value.toLowerCase();
  }
}
