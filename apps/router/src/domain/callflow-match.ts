import type { NumberForms } from './numbers.js';

/** What the matcher needs of a stored callflow. */
export interface CallflowRef {
  id: string;
  numbers: string[];
  patterns: string[];
}

export interface CallflowMatch<C extends CallflowRef> {
  callflow: C;
  /** The number form that matched and how (exact number or which pattern). */
  matched: string;
  by: 'number' | 'pattern';
  pattern?: string;
  /** Capture groups of the pattern (e.g. the number without an access code), else []. */
  captures: string[];
}

/**
 * How specific a pattern is: the number of characters it pins down literally (`^1\d{3}$` pins "1",
 * `^10\d\d$` pins "10"). Escaped characters count, character classes and quantifiers do not.
 */
export function patternSpecificity(source: string): number {
  let literal = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      // \d, \w, \s and friends are classes; \+ \. \* are literals.
      if (!inClass && !/[dDwWsSbB]/.test(next)) literal++;
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '{') i = Math.max(i, source.indexOf('}', i));
    else if (!'^$.*+?()|'.includes(ch)) literal++;
  }
  return literal;
}

function compile(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

/**
 * Exact numbers first (in the order of the number forms, the dialed form first), then patterns by
 * specificity (more literal characters first; ties by longer pattern, then by callflow id so every
 * router process picks the same one).
 */
export function matchCallflow<C extends CallflowRef>(forms: NumberForms, callflows: readonly C[]): CallflowMatch<C> | undefined {
  for (const candidate of forms.candidates) {
    const exact = callflows.filter((cf) => cf.numbers.includes(candidate)).sort((a, b) => a.id.localeCompare(b.id))[0];
    if (exact) return { callflow: exact, matched: candidate, by: 'number', captures: [] };
  }
  const hits: Array<CallflowMatch<C> & { score: number }> = [];
  for (const callflow of callflows) {
    for (const pattern of callflow.patterns) {
      const re = compile(pattern);
      if (!re) continue;
      for (const candidate of forms.candidates) {
        const m = re.exec(candidate);
        if (!m) continue;
        hits.push({ callflow, matched: candidate, by: 'pattern', pattern, captures: m.slice(1).filter((c): c is string => c !== undefined), score: patternSpecificity(pattern) });
        break;
      }
    }
  }
  hits.sort((a, b) => b.score - a.score || b.pattern!.length - a.pattern!.length || a.callflow.id.localeCompare(b.callflow.id));
  const best = hits[0];
  if (!best) return undefined;
  const { score: _score, ...match } = best;
  return match;
}
