// Reading ecallmgr's answers the strict way: an XML parser in strict mode plus the raw checks it skips
// (no `<` and no bare `&` inside attribute values), and a dial-string leg splitter.
import sax from 'sax';

export interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
}

/** Parses a whole document; throws with the parser's message on anything that is not well-formed. */
export function parseStrict(xml: string): Element {
  for (const m of xml.matchAll(/=\s*"([^"]*)"/g)) {
    const raw = m[1]!;
    if (raw.includes('<')) throw new Error(`raw "<" inside an attribute value: ${raw.slice(0, 80)}`);
    const bareAmp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(raw);
    if (bareAmp) throw new Error(`bare "&" inside an attribute value: ${raw.slice(0, 80)}`);
  }
  const parser = sax.parser(true, { trim: true });
  const root: Element = { name: '#root', attrs: {}, children: [] };
  const stack: Element[] = [root];
  let error: Error | undefined;
  parser.onerror = (e) => {
    error ??= e;
    (parser as unknown as { error: unknown }).error = null;
  };
  parser.ontext = (t) => {
    if (t.trim() !== '') error ??= new Error(`unexpected text content: ${t.slice(0, 80)}`);
  };
  parser.onopentag = (tag) => {
    const el: Element = { name: tag.name, attrs: { ...(tag.attributes as Record<string, string>) }, children: [] };
    stack[stack.length - 1]!.children.push(el);
    stack.push(el);
  };
  parser.onclosetag = () => void stack.pop();
  parser.write(xml).close();
  if (error) throw error;
  if (root.children.length !== 1 || root.children[0]!.name !== 'document') throw new Error('not one <document> root');
  return root.children[0]!;
}

export function all(el: Element, name: string): Element[] {
  const out: Element[] = [];
  const walk = (e: Element) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

/** Every decoded attribute value of the document. */
export function attributeValues(el: Element): string[] {
  return [...Object.values(el.attrs), ...el.children.flatMap(attributeValues)];
}

/**
 * The legs of a bridge dial string: split at `,` `|` and `:_:` outside `{}` `[]` `<>` blocks and single
 * quotes, with each leg's leading variable blocks removed.
 */
export function dialLegs(dial: string): string[] {
  const legs: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < dial.length; i++) {
    const ch = dial[i]!;
    if (ch === "'" && depth > 0) quoted = !quoted;
    if (!quoted && (ch === '{' || ch === '[' || ch === '<')) depth++;
    if (!quoted && (ch === '}' || ch === ']' || ch === '>')) depth = Math.max(0, depth - 1);
    const sep = depth === 0 && !quoted && (ch === ',' || ch === '|' || dial.startsWith(':_:', i));
    if (sep) {
      legs.push(current);
      current = '';
      if (ch === ':') i += 2;
      continue;
    }
    current += ch;
  }
  legs.push(current);
  return legs.map((l) => l.replace(/^(\s*(\{[^}]*\}|\[[^\]]*\]|<[^>]*>))+/, '').trim()).filter((l) => l !== '');
}
