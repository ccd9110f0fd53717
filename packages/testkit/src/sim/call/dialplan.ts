import { childrenNamed, type XmlNode } from '../xml-tree.js';

export interface DialplanAction {
  application: string;
  data: string;
}

export type DialplanSelection =
  | { kind: 'actions'; actions: DialplanAction[]; extension: string }
  | { kind: 'no-context' }
  | { kind: 'no-match' };

/** Field lookup for conditions: caller-profile names (destination_number, caller_id_number, ...) and ${var}. */
export type FieldLookup = (field: string) => string | undefined;

function compile(expression: string): RegExp | undefined {
  try {
    return new RegExp(expression);
  } catch {
    return undefined;
  }
}

/** Replaces $1..$9 with the captures of the last matching condition, as mod_dialplan_xml does. */
function substitute(data: string, captures: RegExpExecArray | null): string {
  if (!captures) return data;
  return data.replace(/\$(\d)/g, (_, d: string) => captures[Number(d)] ?? '');
}

function actionsOf(condition: XmlNode, tag: 'action' | 'anti-action', captures: RegExpExecArray | null): DialplanAction[] {
  return childrenNamed(condition, tag).map((a) => ({
    application: a.attrs['application'] ?? '',
    data: substitute(a.attrs['data'] ?? '', captures),
  }));
}

/**
 * mod_dialplan_xml's hunt: extensions in order; within one, conditions in order (a failed condition adds its
 * anti-actions and, with the default break="on-false", ends the extension). The first extension that matched ends
 * the hunt unless it says continue="true". A context that is missing falls back to "global".
 */
export function selectActions(section: XmlNode, context: string, lookup: FieldLookup): DialplanSelection {
  const contexts = childrenNamed(section, 'context');
  const ctx =
    contexts.find((c) => (c.attrs['name'] ?? '').toLowerCase() === context.toLowerCase()) ??
    contexts.find((c) => (c.attrs['name'] ?? '').toLowerCase() === 'global');
  if (!ctx) return { kind: 'no-context' };
  const actions: DialplanAction[] = [];
  let matchedName: string | undefined;
  for (const extension of childrenNamed(ctx, 'extension')) {
    const result = evaluateExtension(extension, lookup);
    actions.push(...result.actions);
    if (result.matched) {
      matchedName ??= extension.attrs['name'] ?? '';
      if (extension.attrs['continue'] !== 'true') break;
    }
  }
  if (matchedName === undefined) return { kind: 'no-match' };
  return { kind: 'actions', actions, extension: matchedName };
}

function evaluateExtension(extension: XmlNode, lookup: FieldLookup): { matched: boolean; actions: DialplanAction[] } {
  const actions: DialplanAction[] = [];
  let allPassed = true;
  for (const condition of childrenNamed(extension, 'condition')) {
    const field = condition.attrs['field'];
    const expression = condition.attrs['expression'];
    let passed = true;
    let captures: RegExpExecArray | null = null;
    if (field !== undefined && expression !== undefined) {
      const value = lookup(field) ?? '';
      const re = compile(expression);
      captures = re ? re.exec(value) : null;
      passed = captures !== null;
    }
    const breakMode = condition.attrs['break'] ?? 'on-false';
    if (passed) {
      actions.push(...actionsOf(condition, 'action', captures));
      if (breakMode === 'on-true') break;
    } else {
      allPassed = false;
      actions.push(...actionsOf(condition, 'anti-action', null));
      if (breakMode === 'on-false' || breakMode === 'always') break;
    }
  }
  // Anti-actions make an extension count as hit too: FreeSWITCH builds the caller extension from them.
  return { matched: allPassed || actions.length > 0, actions };
}
