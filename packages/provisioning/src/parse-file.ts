import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { Result } from '@fife/api';
import { provisioningFileSchema, type ProvisioningFile } from './file-schema.js';
import { describePath, type IssuePath, type ProvisionIssue } from './issues.js';
import { checkReferences } from './references.js';

/** A validated provisioning file, with what it takes to point back at its lines. */
export interface ParsedFile {
  /** How the file is named in messages (its path as given). */
  file: string;
  data: ProvisioningFile;
  /** The document and field of a path, with the line of the nearest node that exists. */
  issueAt(path: IssuePath, message: string): ProvisionIssue;
}

function lineLocator(doc: Document, lines: LineCounter): (path: IssuePath) => number | undefined {
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

function issueMaker(file: string, raw: unknown, locate: (path: IssuePath) => number | undefined) {
  return (path: IssuePath, message: string): ProvisionIssue => {
    const line = locate(path);
    return { file, ...describePath(raw, path), message, ...(line !== undefined ? { line } : {}) };
  };
}

/** `ics_file` entries are read (relative to the file) and become inline `ics`. */
function inlineIcsFiles(data: ProvisioningFile, baseDir: string, issueAt: ParsedFile['issueAt']): ProvisionIssue[] {
  const issues: ProvisionIssue[] = [];
  data.accounts.forEach((account, a) =>
    account.calendars.forEach((cal, c) => {
      if (cal.ics_file === undefined) return;
      try {
        cal.ics = readFileSync(resolve(baseDir, cal.ics_file), 'utf8');
        delete cal.ics_file;
      } catch (err) {
        issues.push(issueAt(['accounts', a, 'calendars', c, 'ics_file'], `cannot read ${cal.ics_file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`));
      }
    }),
  );
  return issues;
}

/**
 * Parses and validates provisioning YAML: syntax, the file schema, then references between documents.
 * Every problem is reported (not only the first), each naming the file, the document and the field.
 */
export function parseProvisioningText(text: string, file: string, options: { baseDir?: string } = {}): Result<ParsedFile, ProvisionIssue[]> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      error: doc.errors.map((e) => ({
        file,
        document: '(file)',
        field: '(yaml)',
        message: e.message.split('\n')[0] ?? e.message,
        line: lines.linePos(e.pos[0]).line,
      })),
    };
  }
  const raw: unknown = doc.toJS();
  const issueAt = issueMaker(file, raw, lineLocator(doc, lines));
  const parsed = provisioningFileSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues.flatMap((i) => fileSchemaIssues(i).map(([path, message]) => issueAt(path, message))) };
  }
  const problems = [
    ...checkReferences(parsed.data).map((r) => issueAt(r.path, r.message)),
    ...(options.baseDir !== undefined ? inlineIcsFiles(parsed.data, options.baseDir, issueAt) : []),
  ];
  if (problems.length > 0) return { ok: false, error: problems };
  return { ok: true, value: { file, data: parsed.data, issueAt } };
}

/** An unknown key is reported at the key itself, so the line points at the typo. */
function fileSchemaIssues(issue: { code: string; message: string; path: PropertyKey[]; keys?: string[]; input?: unknown }): Array<[IssuePath, string]> {
  if (issue.code === 'unrecognized_keys' && issue.keys) return issue.keys.map((key) => [[...issue.path, key], 'unknown field (a typo?)']);
  if (issue.code === 'invalid_type' && issue.input === undefined) return [[issue.path, 'is required']];
  return [[issue.path, issue.message]];
}

/** Reads and parses a provisioning file; `ics_file` paths are relative to it. */
export async function loadProvisioningFile(path: string): Promise<Result<ParsedFile, ProvisionIssue[]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, error: [{ file: path, document: '(file)', field: '(file)', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }] };
  }
  return parseProvisioningText(text, path || basename(path), { baseDir: dirname(resolve(path)) });
}
