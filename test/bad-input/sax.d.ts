// The few parts of sax (strict XML parser, resolved from the root node_modules) the campaign uses.
declare module 'sax' {
  interface Tag {
    name: string;
    attributes: Record<string, string>;
  }
  interface SAXParser {
    onerror: (e: Error) => void;
    ontext: (t: string) => void;
    onopentag: (tag: Tag) => void;
    onclosetag: (name: string) => void;
    write(s: string): SAXParser;
    close(): SAXParser;
  }
  const sax: { parser(strict: boolean, opts?: { trim?: boolean }): SAXParser };
  export default sax;
}
