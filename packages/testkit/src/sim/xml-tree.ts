import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A plain element tree (order kept), so the directory and dialplan readers do not depend on parser output shapes. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

type Ordered = Record<string, unknown>;

function convert(entry: Ordered): XmlNode | undefined {
  const name = Object.keys(entry).find((k) => k !== ':@');
  if (!name || name === '#text' || name === '?xml' || name.startsWith('#')) return undefined;
  const attrsRaw = (entry[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrsRaw)) attrs[k] = String(v);
  const kids = (entry[name] ?? []) as Ordered[];
  const children = Array.isArray(kids) ? kids.map(convert).filter((n): n is XmlNode => n !== undefined) : [];
  return { name, attrs, children };
}

/** Parses an XML document; throws on malformed input (mod_xml_curl treats that as "no answer"). */
export function parseXml(text: string): XmlNode[] {
  const result = parser.parse(text, true) as Ordered[];
  return result.map(convert).filter((n): n is XmlNode => n !== undefined);
}

/** Why a text is not well-formed XML (line and message), or undefined when it is. */
export function xmlError(text: string): string | undefined {
  const result = XMLValidator.validate(text);
  return result === true ? undefined : `line ${result.err.line}: ${result.err.msg}`;
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  const lower = name.toLowerCase();
  return node.children.filter((c) => c.name.toLowerCase() === lower);
}

export function firstChild(node: XmlNode, name: string): XmlNode | undefined {
  return childrenNamed(node, name)[0];
}

/** Finds the <section name=...> of a freeswitch/xml document (case-insensitive, as switch_xml_locate). */
export function findSection(roots: XmlNode[], section: string): XmlNode | undefined {
  const doc = roots.find((r) => r.name.toLowerCase() === 'document');
  if (!doc) return undefined;
  return childrenNamed(doc, 'section').find((s) => (s.attrs['name'] ?? '').toLowerCase() === section.toLowerCase());
}
