/** Checking request bodies against their classes, for the API's pipe and the web app's forms alike. */
import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { ValidatorOptions, validate } from 'class-validator';
import { FieldProblem, ValidationFailed } from '@app/domain';

/** Flattens class-validator's tree into one entry per failing field, with dotted paths. */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property || 'body';
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(/^property (\S+) should not exist$/, 'is not a field of this request'),
    }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

/** How a request body is checked against its class, by the API's pipe and the web app's forms alike. */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: false,
  validationError: { target: false, value: false },
};

export function validationPipe(): ValidationPipe {
  return new ValidationPipe({ transform: true, ...VALIDATOR_OPTIONS, exceptionFactory: (errors) => new ValidationFailed(fieldProblems(errors)) });
}

/** The pipe's check of a body that did not come through it (a web form put in the request's shape): the value and its problems. */
export async function validateBody<T extends object>(schema: ClassConstructor<T>, body: object): Promise<{ value: T; problems: FieldProblem[] }> {
  const value = plainToInstance(schema, body);
  return { value, problems: fieldProblems(await validate(value, VALIDATOR_OPTIONS)) };
}
