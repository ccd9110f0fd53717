import { readFile } from 'node:fs/promises';
import { FifeError } from '@fife/api';
import { parse as parseYaml } from 'yaml';
import { type SimFile, SimFileSchema } from './config.js';

/** Validates a simulator config (already parsed from YAML or JSON); errors name the offending path. */
export function parseSimFile(data: unknown, source = 'config'): SimFile {
  const result = SimFileSchema.safeParse(data);
  if (!result.success) {
    const details = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new FifeError('testkit.config_invalid', `${source}: ${details}`, { source, issues: result.error.issues });
  }
  return result.data;
}

/** Reads a .yaml/.yml/.json simulator config file. */
export async function loadSimFile(path: string): Promise<SimFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FifeError('testkit.config_unreadable', `cannot read ${path}: ${(err as Error).message}`, { path });
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new FifeError('testkit.config_syntax', `${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`, { path });
  }
  return parseSimFile(data, path);
}
