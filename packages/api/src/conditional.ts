import { z } from 'zod';

/**
 * Fields required only for some values of another field — e.g. `Media-Name` only when
 * `Application-Name` is `play` (kazoo-wire §5.2). Kazoo checks this per application; zod has no
 * declarative form for it, so the rule is enforced by a refinement and mirrored into the JSON Schema
 * as `if`/`then` so integrators see the same contract.
 */
export interface RequiredWhen {
  /** The discriminating field, e.g. `Application-Name`. */
  field: string;
  /** For each value of `field`, the fields that must then be present and not empty. */
  required: Readonly<Record<string, readonly string[]>>;
}

/** Kazoo's "present and not empty": undefined, null, "" and [] all count as missing. */
export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

export function missingFields(body: Record<string, unknown>, rule: RequiredWhen): string[] {
  const selector = body[rule.field];
  if (typeof selector !== 'string') return [];
  const required = Object.prototype.hasOwnProperty.call(rule.required, selector) ? rule.required[selector] : undefined;
  return (required ?? []).filter((name) => isMissing(body[name]));
}

function jsonSchemaConditions(rule: RequiredWhen): Record<string, unknown>[] {
  return Object.entries(rule.required)
    .filter(([, fields]) => fields.length > 0)
    .map(([value, fields]) => ({
      if: { properties: { [rule.field]: { const: value } }, required: [rule.field] },
      then: { required: [...fields] },
    }));
}

/** Adds the conditional requirement to an object schema, keeping its type. */
export function requireWhen<S extends z.ZodObject>(schema: S, rule: RequiredWhen): S {
  return schema
    .superRefine((value, ctx) => {
      for (const name of missingFields(value as Record<string, unknown>, rule)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `is required when ${rule.field} is "${String((value as Record<string, unknown>)[rule.field])}"`,
        });
      }
    })
    .meta({ allOf: jsonSchemaConditions(rule) }) as S;
}
