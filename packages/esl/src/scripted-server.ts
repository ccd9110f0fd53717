/**
 * Test double for this package's tests (not exported from index.ts): a tiny TCP server on 127.0.0.1,
 * port 0, that reads client commands the way mod_event_socket does and answers from a script, or
 * replays the server side of a recorded transcript.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Transcript } from './test-helpers.js';

export type ClientCommand = { line: string; headers: Record<string, string>; body: Buffer | undefined; raw: Buffer };

/** Splits the client byte stream into commands: header block, blank line, content-length body. */
export class CommandReader {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): ClientCommand[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: ClientCommand[] = [];
    for (;;) {
      let start = 0;
      while (start < this.buffer.length && (this.buffer[start] === 10 || this.buffer[start] === 13)) start++;
      const end = this.buffer.indexOf('\n\n', start);
      if (end === -1) return out;
      const lines = this.buffer.toString('utf8', start, end).split('\n');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 2);
      const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
      const bodyEnd = end + 2 + (length ?? 0);
      if (this.buffer.length < bodyEnd) return out;
      out.push({
        line: lines[0]!,
        headers,
        body: length === undefined ? undefined : this.buffer.subarray(end + 2, bodyEnd),
        raw: this.buffer.subarray(start, bodyEnd),
      });
      this.buffer = this.buffer.subarray(bodyEnd);
    }
  }
}

export type Peer = {
  socket: Socket;
  received: ClientCommand[];
  write: (bytes: Buffer | string) => void;
};

export class ScriptedServer {
  readonly peers: Peer[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `onCommand` answers each command; `onConnect` may greet (auth/request). */
  static async start(handlers: {
    onConnect?: (peer: Peer) => void;
    onCommand: (peer: Peer, command: ClientCommand) => void;
  }): Promise<ScriptedServer> {
    const peers: Peer[] = [];
    const server = createServer((socket) => {
      const reader = new CommandReader();
      const peer: Peer = {
        socket,
        received: [],
        write: (bytes) => {
          if (!socket.destroyed) socket.write(bytes);
        },
      };
      peers.push(peer);
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        for (const command of reader.push(chunk)) {
          peer.received.push(command);
          handlers.onCommand(peer, command);
        }
      });
      handlers.onConnect?.(peer);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const scripted = new ScriptedServer(server, (server.address() as AddressInfo).port);
    (scripted as { peers: Peer[] }).peers = peers;
    return scripted;
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Replays a transcript's server side: the frames recorded before the first client command on connect,
 * then after the n-th command the frames recorded between it and the next one. Closes the socket after
 * the last group when the recording ended with a disconnect notice.
 */
export function transcriptReplay(transcript: Transcript): {
  onConnect: (peer: Peer) => void;
  onCommand: (peer: Peer, command: ClientCommand) => void;
  groups: Buffer[][];
} {
  const groups: Buffer[][] = [[]];
  for (const line of transcript.lines) {
    if (line.dir === 'client') groups.push([]);
    else groups[groups.length - 1]!.push(Buffer.from(line.data, 'utf8'));
  }
  const lastGroup = groups[groups.length - 1]!;
  const endsWithDisconnect = lastGroup.some((f) => f.includes('text/disconnect-notice'));
  return {
    groups,
    onConnect: (peer) => peer.write(Buffer.concat(groups[0]!)),
    onCommand: (peer, _command) => {
      const index = peer.received.length;
      const group = groups[index] ?? [];
      peer.write(Buffer.concat(group));
      if (index === groups.length - 1 && endsWithDisconnect) peer.socket.end();
    },
  };
}
