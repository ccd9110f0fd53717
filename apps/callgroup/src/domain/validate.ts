import type { z } from 'zod';
import { FifeError } from '@fife/api';

/** Dotted path of the first offending field, e.g. `extensions.3.forward.delay`. */
function fieldOf(issue: z.core.$ZodIssue | undefined): string {
  if (!issue || issue.path.length === 0) return '(root)';
  return issue.path.map(String).join('.');
}

/**
 * Parses with a schema or throws FifeError('callgroup.invalid') naming the field, so a bad
 * CouchDB document or scenario file is refused with a readable reason instead of crashing.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = fieldOf(issue);
  throw new FifeError('callgroup.invalid', `invalid ${what}: ${field}: ${issue?.message ?? 'invalid'}`, {
    field,
    issues: result.error.issues.map((i) => ({ field: fieldOf(i), message: i.message })),
  });
}
