/** One command as an inbound client sends it: the first line, its headers (names lower-cased) and an optional body. */
export interface ClientCommand {
  line: string;
  headers: Map<string, string>;
  /** Header names as the client spelled them, in order (sendevent keeps them). */
  rawHeaders: Array<[string, string]>;
  body: string | undefined;
}

/**
 * Incremental reader for the client side of ESL. Tolerates \r\n, skips blank lines between commands, and reads
 * `content-length` bytes of body after the header block, as mod_event_socket's read_packet does.
 */
export class CommandParser {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): ClientCommand[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: ClientCommand[] = [];
    for (;;) {
      const cmd = this.next();
      if (!cmd) break;
      out.push(cmd);
    }
    return out;
  }

  private next(): ClientCommand | undefined {
    let start = 0;
    while (start < this.buffer.length && (this.buffer[start] === 0x0a || this.buffer[start] === 0x0d)) start++;
    if (start > 0) this.buffer = this.buffer.subarray(start);
    const end = this.findHeaderEnd();
    if (!end) return undefined;
    const text = this.buffer.subarray(0, end.index).toString('utf8').replace(/\r/g, '');
    const lines = text.split('\n');
    const line = (lines.shift() ?? '').trim();
    const headers = new Map<string, string>();
    const rawHeaders: Array<[string, string]> = [];
    for (const l of lines) {
      const colon = l.indexOf(':');
      if (colon <= 0) continue;
      const name = l.slice(0, colon).trim();
      const value = l.slice(colon + 1).trim();
      headers.set(name.toLowerCase(), value);
      rawHeaders.push([name, value]);
    }
    const length = Number.parseInt(headers.get('content-length') ?? '', 10);
    const bodyStart = end.index + end.length;
    if (Number.isFinite(length) && length > 0) {
      if (this.buffer.length < bodyStart + length) return undefined;
      const body = this.buffer.subarray(bodyStart, bodyStart + length).toString('utf8');
      this.buffer = this.buffer.subarray(bodyStart + length);
      return { line, headers, rawHeaders, body };
    }
    this.buffer = this.buffer.subarray(bodyStart);
    return { line, headers, rawHeaders, body: undefined };
  }

  private findHeaderEnd(): { index: number; length: number } | undefined {
    const lf = this.buffer.indexOf('\n\n');
    const crlf = this.buffer.indexOf('\r\n\r\n');
    if (lf < 0 && crlf < 0) return undefined;
    if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
    return { index: lf, length: 2 };
  }
}
