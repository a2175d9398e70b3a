import type { PipeTransform } from '@nestjs/common';
import { z } from 'zod/v4';

import { type FieldIssue, validationError } from './domain-error';

/** Zod's per-parse error map: a missing field reads "is required" rather than "expected string, received undefined". */
const errorMap: z.core.$ZodErrorMap = (issue) => (issue.input === undefined ? 'is required' : undefined);

/** Flattens zod issues into `{ field, message }`, `field` being a dotted path ("" for the body itself). */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.map((part) => (typeof part === 'symbol' ? part.toString() : String(part))).join('.'),
    message: issue.message,
  }));
}

/**
 * Validates and transforms a request part with a zod (v4) schema, answering 400 with every bad field named:
 * `Invalid request body: password: must be at least 8 characters`. Use it per parameter:
 * `@Body(new ZodValidationPipe(registerSchema)) body: RegisterInput`.
 */
export class ZodValidationPipe<Schema extends z.ZodType> implements PipeTransform<unknown, z.output<Schema>> {
  constructor(
    private readonly schema: Schema,
    private readonly what = 'request body',
  ) {}

  transform(value: unknown): z.output<Schema> {
    // Express leaves the body undefined when the request had none or was not sent as JSON.
    if (value === undefined) throw validationError(`Invalid ${this.what}: expected a JSON object`, []);
    const result = this.schema.safeParse(value, { error: errorMap });
    if (result.success) return result.data;
    const issues = fieldIssues(result.error);
    const summary = issues.map((issue) => (issue.field ? `${issue.field}: ${issue.message}` : issue.message));
    throw validationError(`Invalid ${this.what}: ${summary.join('; ')}`, issues);
  }
}
