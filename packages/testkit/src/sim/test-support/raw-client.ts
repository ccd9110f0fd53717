import { connect, type Socket } from 'node:net';

/** A server frame as read off the wire: headers in order, and the body if there was a Content-Length. */
export interface ServerFrame {
  headers: Array<[string, string]>;
  body: string;
  raw: string;
}

export const header = (f: ServerFrame, name: string): string | undefined =>
  f.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

/** Splits a server->client byte stream into frames (header block, blank line, Content-Length bytes). */
export class FrameSplitter {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): ServerFrame[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames: ServerFrame[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) break;
      const head = this.buffer.subarray(0, end).toString('utf8');
      const headers = head.split('\n').map((l) => {
        const i = l.indexOf(': ');
        return (i < 0 ? [l.replace(/:$/, ''), ''] : [l.slice(0, i), l.slice(i + 2)]) as [string, string];
      });
      const length = Number(headers.find(([k]) => k === 'Content-Length')?.[1] ?? 0);
      if (this.buffer.length < end + 2 + length) break;
      const body = this.buffer.subarray(end + 2, end + 2 + length).toString('utf8');
      const raw = this.buffer.subarray(0, end + 2 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 2 + length);
      frames.push({ headers, body, raw });
    }
    return frames;
  }
}

/** Minimal inbound ESL client for tests of the server itself (independent of packages/esl). */
export class RawEslClient {
  readonly frames: ServerFrame[] = [];
  private readonly splitter = new FrameSplitter();
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.frames.push(...this.splitter.push(chunk));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(port: number): Promise<RawEslClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawEslClient(socket);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Waits until a frame after index `from` satisfies the predicate; returns it. */
  async waitFor(predicate: (f: ServerFrame) => boolean, from = 0, timeoutMs = 3000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(predicate);
      if (found) return found;
      if (this.closed) throw new Error('connection closed while waiting for a frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a frame; have ${this.frames.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends a command and resolves with the next command/reply or api/response frame. */
  async command(text: string): Promise<ServerFrame> {
    const from = this.frames.length;
    this.send(text.endsWith('\n\n') ? text : `${text}\n\n`);
    return this.waitFor((f) => {
      const t = header(f, 'Content-Type');
      return t === 'command/reply' || t === 'api/response';
    }, from);
  }

  events(name?: string): Array<Record<string, string>> {
    return this.frames
      .filter((f) => header(f, 'Content-Type') === 'text/event-json')
      .map((f) => JSON.parse(f.body) as Record<string, string>)
      .filter((e) => !name || e['Event-Name'] === name);
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
