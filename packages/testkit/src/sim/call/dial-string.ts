/**
 * Bridge/originate dial strings as switch_ivr_originate reads them:
 *   <enterprise vars> part :_: part       (enterprise: parts race each other)
 *   part  = {global vars} group | group   (failover: next group after the previous one failed)
 *   group = [leg vars]endpoint , ...      (simultaneous)
 * Variable lists use `,` unless they start with `^^<sep>` (e.g. `{^^:a=1:b=2}`); values may be single-quoted.
 */
export type VarMap = Record<string, string>;

export interface DialLeg {
  vars: VarMap;
  target: string;
}

export interface DialPart {
  vars: VarMap;
  groups: DialLeg[][];
}

export interface DialString {
  vars: VarMap;
  parts: DialPart[];
}

const OPEN: Record<string, string> = { '{': '}', '[': ']', '<': '>' };

/** Splits at a separator that is not inside {} [] <> or quotes. */
export function splitTopLevel(input: string, separator: string): string[] {
  const out: string[] = [];
  let depth: string[] = [];
  let quoted = false;
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch === '\\' && i + 1 < input.length) {
      current += ch + input[i + 1];
      i++;
      continue;
    }
    if (ch === "'") quoted = !quoted;
    if (!quoted) {
      if (OPEN[ch]) depth.push(OPEN[ch]);
      else if (depth.length && ch === depth[depth.length - 1]) depth = depth.slice(0, -1);
      else if (depth.length === 0 && input.startsWith(separator, i)) {
        out.push(current);
        current = '';
        i += separator.length - 1;
        continue;
      }
    }
    current += ch;
  }
  out.push(current);
  return out;
}

/** Parses the inside of {...} [...] <...>. */
export function parseVarList(inner: string): VarMap {
  let body = inner;
  let sep = ',';
  if (body.startsWith('^^') && body.length >= 3) {
    sep = body[2]!;
    body = body.slice(3);
  }
  const vars: VarMap = {};
  for (const item of splitTopLevel(body, sep)) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const key = item.slice(0, eq).trim();
    let value = item.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) value = value.slice(1, -1);
    vars[key] = value.replace(/\\,/g, ',');
  }
  return vars;
}

/** Takes leading {..} / [..] / <..> blocks of the given kinds off a string. */
export function takeVarBlocks(input: string, kinds: string): { vars: VarMap; rest: string } {
  let rest = input.trim();
  const vars: VarMap = {};
  for (;;) {
    const open = rest[0];
    if (!open || !kinds.includes(open)) break;
    const close = OPEN[open]!;
    const end = matchingClose(rest, open, close);
    if (end < 0) break;
    Object.assign(vars, parseVarList(rest.slice(1, end)));
    rest = rest.slice(end + 1).trim();
  }
  return { vars, rest };
}

function matchingClose(s: string, open: string, close: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === open) depth++;
    else if (s[i] === close && --depth === 0) return i;
  }
  return -1;
}

export function parseDialString(input: string): DialString {
  const outer = takeVarBlocks(input, '<');
  const parts = splitTopLevel(outer.rest, ':_:')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map(parsePart);
  return { vars: outer.vars, parts };
}

function parsePart(text: string): DialPart {
  const global = takeVarBlocks(text, '{');
  const groups = splitTopLevel(global.rest, '|')
    .map((g) => g.trim())
    .filter((g) => g.length > 0)
    .map((group) =>
      splitTopLevel(group, ',')
        .map((leg) => leg.trim())
        .filter((leg) => leg.length > 0)
        .map((leg) => {
          const own = takeVarBlocks(leg, '[{');
          return { vars: own.vars, target: own.rest };
        }),
    );
  return { vars: global.vars, groups };
}
