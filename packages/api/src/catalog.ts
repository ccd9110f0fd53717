import { allMessages, type MessageDef } from './define.js';
import { exchangeOptions, exchanges } from './exchanges.js';
import { headerNames } from './headers.js';
import { jsonSchemaFileName, messageJsonSchema } from './json-schema.js';

type JsonSchema = Record<string, any>;

/** A short, human type for a JSON Schema node: `string`, `integer | string`, `"a" | "b"`, `array of object`. */
export function describeType(node: JsonSchema | undefined): string {
  if (!node || Object.keys(node).length === 0) return 'any';
  if ('const' in node) return JSON.stringify(node.const);
  if (Array.isArray(node.enum)) return node.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  const union = node.anyOf ?? node.oneOf;
  if (Array.isArray(union)) return [...new Set(union.map((n: JsonSchema) => describeType(n)))].join(' | ');
  if (node.type === 'array') return `array of ${describeType(node.items)}`;
  if (Array.isArray(node.type)) return node.type.join(' | ');
  if (node.type === 'string' && node.format) return `string (${node.format})`;
  if (node.type === 'string' && node.pattern) return 'string (pattern)';
  return String(node.type ?? 'any');
}

function cell(text: unknown): string {
  return String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function title(def: MessageDef<any>): string {
  return `${def.category} / ${def.namePattern ? `<${def.namePattern.source}>` : def.name}`;
}

function anchor(def: MessageDef<any>): string {
  return `${def.category}-${def.name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

function fieldRows(schema: JsonSchema): string[] {
  const required = new Set<string>(schema.required ?? []);
  const defaults = new Set(headerNames);
  return Object.entries<JsonSchema>(schema.properties ?? {})
    .filter(([name]) => !defaults.has(name) || name === 'Call-ID' || name === 'Account-ID')
    .map(([name, node]) => `| \`${name}\` | ${required.has(name) ? 'R' : 'O'} | ${cell(describeType(node))} | ${cell(node.description ?? '')} |`);
}

function section(def: MessageDef<any>): string {
  const schema = messageJsonSchema(def) as JsonSchema;
  const rows = fieldRows(schema);
  const lines = [
    `### ${title(def)}`,
    '',
    def.summary,
    '',
    `- exchange: \`${def.exchange}\`${def.bindingKeys.length ? `; consumers bind \`${def.bindingKeys.join('`, `')}\`` : '; routing key = the target queue (Server-ID / Control-Queue)'}`,
    `- sent by: ${def.sender}${def.responder ? `; answered by: ${def.responder}` : ''}${def.replies?.length ? `; replies: ${def.replies.map((r) => `\`${r}\``).join(', ')}` : ''}`,
    `- JSON Schema: [${jsonSchemaFileName(def)}](${jsonSchemaFileName(def)})`,
    '',
  ];
  if (rows.length) lines.push('| field | R/O | type | meaning |', '|---|---|---|---|', ...rows, '');
  lines.push('Example:', '', '```json', JSON.stringify({ 'Event-Category': def.category, 'Event-Name': def.name, ...def.example }, null, 2), '```', '');
  return lines.join('\n');
}

/** docs/api/README.md: every message on one page, generated from the declarations. */
export function generateCatalogMarkdown(): string {
  const defs = [...allMessages()].sort((a, b) => a.id.localeCompare(b.id));
  const families = [...new Set(defs.map((d) => d.category))];
  const out = [
    '# Fife AMQP API catalog',
    '',
    '<!-- Generated from packages/api by `node --import tsx packages/api/scripts/export-json-schema.ts`. Do not edit. -->',
    '',
    "Every message Fife sends or answers, declared once in `packages/api`. The wire format is Kazoo's where Kazoo",
    'has the message: JSON bodies, `content_type: application/json`, addressing in the body (`Server-ID`, `Msg-ID`).',
    'Input is lenient (integers and booleans may arrive as strings; unknown keys are kept); output is exact.',
    '',
    `Default headers on every message: ${headerNames.map((h) => `\`${h}\``).join(', ')} — the first five are required.`,
    'A reply goes to exchange `targeted` with routing key = the request\'s `Server-ID`, and copies its `Msg-ID`.',
    '',
    '## Exchanges',
    '',
    '| exchange | type | flags |',
    '|---|---|---|',
    ...Object.entries(exchanges).map(([name, { type }]) => `| \`${name}\` | ${type} | durable=${exchangeOptions.durable}, auto_delete=${exchangeOptions.autoDelete} |`),
    '',
    '## Messages',
    '',
    '| message | exchange | bindings | sender | responder |',
    '|---|---|---|---|---|',
    ...defs.map((d) => `| [${title(d)}](#${anchor(d)}) | \`${d.exchange}\` | ${d.bindingKeys.map((b) => `\`${b}\``).join(' ') || '—'} | ${cell(d.sender)} | ${cell(d.responder ?? '—')} |`),
    '',
  ];
  for (const family of families) {
    out.push(`## ${family}`, '');
    for (const def of defs.filter((d) => d.category === family)) out.push(`<a id="${anchor(def)}"></a>`, '', section(def));
  }
  return `${out.join('\n').trimEnd()}\n`;
}
