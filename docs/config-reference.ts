// Generates docs/configuration.md from the zod configuration schemas every process validates at boot,
// so the reference cannot drift from the code. Run: node --import tsx docs/config-reference.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { baseConfigShape } from '@fife/whapp';
import { registrarConfig } from '@fife/registrar';
import { callgroupConfigShape } from '@fife/callgroup';
import { calendarConfigShape } from '@fife/calendar';
import { routerConfigShape } from '@fife/router';
import { ecallmgrConfig } from '@fife/ecallmgr';

export const target = fileURLToPath(new URL('./configuration.md', import.meta.url));

const sections: Array<[string, string, z.ZodRawShape]> = [
  ['Every process', 'Read by every app through `@fife/whapp`.', baseConfigShape],
  ['ecallmgr', 'The FreeSWITCH adapter.', ecallmgrConfig],
  ['registrar', 'SIP authentication and registrations.', registrarConfig],
  ['router', 'Callflows answering route_req.', routerConfigShape],
  ['callgroup', 'Ring-group plans.', callgroupConfigShape],
  ['calendar', 'Calendars: status and on-call.', calendarConfigShape],
];

function defaultOf(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { default?: unknown };
  if (json.default === undefined) return '';
  return `\`${typeof json.default === 'string' && json.default !== '' ? json.default : JSON.stringify(json.default)}\``;
}

function row(name: string, schema: z.ZodType): string {
  const required = !schema.safeParse(undefined).success;
  const text = (schema.description ?? '').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');
  return `| \`${name}\` | ${required ? 'yes' : ''} | ${defaultOf(schema)} | ${text} |`;
}

export function configurationMarkdown(): string {
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated from the zod schemas by `node --import tsx docs/config-reference.ts`. Do not edit. -->',
    '',
    'Every Fife process reads its settings from environment variables and validates them at start: a',
    'missing or malformed value stops the process with exit code 1 and the variable named.',
    '',
  ];
  for (const [title, about, shape] of sections) {
    out.push(`## ${title}`, '', about, '', '| variable | required | default | meaning |', '|---|---|---|---|');
    for (const [name, schema] of Object.entries(shape)) out.push(row(name, schema as z.ZodType));
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(target, configurationMarkdown());
  console.log(`wrote ${target}`);
}
