/** Reading a posted form's fields: as typed, trimmed, or as lists (a field sent twice reads as left out). */
import type { ClassConstructor } from 'class-transformer';
import { validateBody } from '@app/http';
import type { FormError } from '../views/filters';

/** A posted form as the body parser gives it: each field a string, or a list when sent more than once. */
export type Form = Record<string, unknown>;

/** A field as sent, empty or not; undefined when left out or sent twice. */
export function field(form: Form, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
}

/** What was typed into a field, as typed (passwords are not trimmed); undefined when empty. */
export const typed = (form: Form, name: string): string | undefined => field(form, name) || undefined;

/** What was typed into a field, trimmed; undefined when nothing was. */
export const text = (form: Form, name: string): string | undefined => typed(form, name)?.trim() || undefined;

/** A textarea's lines, trimmed, without the empty ones. */
export const lines = (form: Form, name: string): string[] =>
  (typed(form, name) ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** The values of a field's ticked checkboxes (one value, or a list). */
export function ticked(form: Form | undefined, name: string): string[] {
  const value = form?.[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' && value ? [value] : [];
}

/** A number typed into a field; what was typed when it does not match `pattern` (the schema then refuses it). */
export function number(form: Form, name: string, pattern = /^-?\d+(\.\d+)?$/): number | string | undefined {
  const value = text(form, name);
  return value !== undefined && pattern.test(value) ? Number(value) : value;
}

/** Two radios as true and false; what was sent when it is neither (the schema then refuses it). */
export function choice(form: Form, name: string, yes: string, no: string): boolean | string | undefined {
  const value = text(form, name);
  return value === yes ? true : value === no ? false : value;
}

/** The page's words for a field of the request that failed: one error, one made from the schema's message, or null when another field's words say it. */
export type FormWords = Record<string, FormError | ((message: string) => FormError) | null>;

const under = (problem: string, field: string) => problem === field || problem.startsWith(`${field}.`);

/**
 * Validates a form put in the shape of the API's request with the API's own class (the same rules
 * and options as its pipe). Each field that fails shows the page's words for it, in the page's order.
 */
export async function checkForm<T extends object>(schema: ClassConstructor<T>, shape: Record<string, unknown>, words: FormWords): Promise<{ value: T; errors: FormError[] }> {
  const { value, problems } = await validateBody(schema, Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== undefined)));
  const errors: FormError[] = [];
  for (const [field, word] of Object.entries(words)) {
    const failed = problems.find((p) => under(p.field, field));
    if (failed && word) errors.push(typeof word === 'function' ? word(failed.message) : word);
  }
  // A field the page has no words for: the schema's own.
  for (const p of problems) if (!Object.keys(words).some((field) => under(p.field, field))) errors.push({ field: 'form', text: `${p.field} ${p.message}` });
  return { value, errors };
}
