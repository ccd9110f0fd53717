import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { allMessages, type MessageDef } from './define.js';

/** Where the generated documents live: docs/api/ at the repository root. */
export const jsonSchemaDir = fileURLToPath(new URL('../../../docs/api/', import.meta.url));

export function jsonSchemaFileName(def: MessageDef<any>): string {
  return `${def.category}.${def.name}.schema.json`;
}

/**
 * One JSON Schema (draft 2020-12) per declared message, describing what Fife *accepts* (zod's input
 * side), so integrators see the lenient forms: "3600" as well as 3600, "true" as well as true.
 * Anything zod cannot express (transforms, refinements) degrades to `{}` instead of failing.
 */
export function messageJsonSchema(def: MessageDef<any>): Record<string, unknown> {
  const body = z.toJSONSchema(def.schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = body;
  return {
    $schema,
    title: `${def.category} / ${def.namePattern ? `<${def.namePattern.source}>` : def.name}`,
    description: def.summary,
    'x-amqp': {
      exchange: def.exchange,
      bindingKeys: def.bindingKeys,
      sender: def.sender,
      ...(def.responder ? { responder: def.responder } : {}),
      ...(def.replies ? { replies: def.replies } : {}),
    },
    ...rest,
    examples: [def.example],
  };
}

/** File name → document, for every registered message, sorted by file name. */
export function generateJsonSchemas(): Map<string, Record<string, unknown>> {
  const entries = allMessages().map((def) => [jsonSchemaFileName(def), messageJsonSchema(def)] as const);
  return new Map([...entries].sort(([a], [b]) => a.localeCompare(b)));
}

/** The exact text written to disk (stable key order, trailing newline). */
export function serialiseJsonSchema(doc: Record<string, unknown>): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
