import { SECTION_OF, type AccountKind } from './kinds.js';

/** What is wrong, and where: the file, the document in it, the field, and the line when known. */
export interface ProvisionIssue {
  file: string;
  document: string;
  field: string;
  message: string;
  line?: number;
}

export type IssuePath = ReadonlyArray<PropertyKey>;

const KIND_OF_SECTION = Object.fromEntries(Object.entries(SECTION_OF).map(([kind, section]) => [section, kind])) as Record<string, AccountKind>;

/** The section key (`devices`) of a kind, and the kind of a section key. */
export function kindOfSection(section: string): AccountKind | undefined {
  return KIND_OF_SECTION[section];
}

function labelOf(entry: unknown, fallback: string): string {
  if (entry && typeof entry === 'object') {
    const e = entry as Record<string, unknown>;
    if (typeof e.name === 'string' && e.name !== '') return `"${e.name}"`;
    if (typeof e.ext === 'string' && e.ext !== '') return `"${e.ext}"`;
  }
  return fallback;
}

/**
 * Splits a path into the document and its field: `accounts.0.devices.2.password` is the field
 * `password` of `account "acme" › device "alice-desk"`.
 */
export function describePath(raw: unknown, path: IssuePath): { document: string; field: string } {
  const parts = path.map((p) => (typeof p === 'symbol' ? p.toString() : p));
  if (parts[0] !== 'accounts' || typeof parts[1] !== 'number') return { document: '(file)', field: parts.join('.') || '(file)' };
  const accounts = (raw as { accounts?: unknown[] } | undefined)?.accounts;
  const account = Array.isArray(accounts) ? accounts[parts[1]] : undefined;
  const accountLabel = `account ${labelOf(account, `#${parts[1] + 1}`)}`;
  const section = parts[2];
  const kind = typeof section === 'string' ? kindOfSection(section) : undefined;
  if (kind && typeof parts[3] === 'number') {
    const list = (account as Record<string, unknown> | undefined)?.[section as string];
    const entry = Array.isArray(list) ? list[parts[3]] : undefined;
    return { document: `${accountLabel} › ${kind} ${labelOf(entry, `#${parts[3] + 1}`)}`, field: parts.slice(4).join('.') || '(entry)' };
  }
  return { document: accountLabel, field: parts.slice(2).join('.') || '(entry)' };
}

export function formatIssue(issue: ProvisionIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}` : issue.file;
  return `${where}: ${issue.document}: ${issue.field}: ${issue.message}`;
}
