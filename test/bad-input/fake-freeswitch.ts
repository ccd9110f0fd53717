// A FreeSWITCH event socket that behaves until told to misbehave: it authenticates, acknowledges
// subscriptions and api commands like mod_event_socket, and can write arbitrary bytes on the latest
// connection (broken frames) or close it mid-frame.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface FakeFreeswitch {
  port: number;
  /** Connections accepted so far (a reconnect adds one). */
  readonly connections: number;
  /** Every password the clients sent with `auth`. */
  readonly passwords: string[];
  /** Commands received on all connections, first line only. */
  readonly commands: string[];
  /** True once the latest connection authenticated and subscribed. */
  readonly ready: boolean;
  write(bytes: Buffer | string): void;
  /** Writes and then closes the latest connection from the server side. */
  writeAndClose(bytes: Buffer | string): void;
  close(): Promise<void>;
}

export function eventJson(headers: Record<string, string>): string {
  const body = JSON.stringify(headers);
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`;
}

export function registerEvent(probe: string, realm: string, host = 'fake-fs'): string {
  return eventJson({
    'Event-Name': 'CUSTOM',
    'Event-Subclass': 'sofia::register',
    'Core-UUID': '9a1d6b4c-0000-4000-8000-fake0fs00001',
    'FreeSWITCH-Hostname': host,
    'Event-Date-Timestamp': String(Date.now() * 1000),
    'profile-name': 'internal',
    username: '1001',
    realm,
    contact: `"1001" <sip:1001@192.0.2.10:5060;probe=${probe}>`,
    expires: '300',
    'call-id': `probe-${probe}`,
  });
}

export async function startFakeFreeswitch(password: string): Promise<FakeFreeswitch> {
  const sockets: Socket[] = [];
  const passwords: string[] = [];
  const commands: string[] = [];
  let ready = false;
  const reply = (socket: Socket, text: string) => socket.write(`Content-Type: command/reply\nReply-Text: ${text}\n\n`);
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    ready = false;
    socket.on('error', () => undefined);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const command = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const line = command.split('\n')[0]!;
        if (line.startsWith('auth ')) {
          passwords.push(line.slice(5));
          if (line.slice(5) === password) reply(socket, '+OK accepted');
          else {
            reply(socket, '-ERR invalid');
            socket.end();
          }
          continue;
        }
        commands.push(line);
        if (line.startsWith('event ')) {
          reply(socket, `+OK event listener enabled ${line.split(' ')[1]}`);
          if (socket === sockets[sockets.length - 1]) ready = true;
        } else if (line.startsWith('api ')) {
          const body = line.includes('show channels') ? '{"row_count":0}' : '+OK';
          socket.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
        } else if (line.startsWith('bgapi ')) {
          reply(socket, '+OK Job-UUID: 00000000-0000-4000-8000-000000000000');
        } else if (line === 'exit') {
          reply(socket, '+OK bye');
          socket.end();
        } else {
          reply(socket, '+OK');
        }
      }
    });
    socket.write('Content-Type: auth/request\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const latest = () => sockets[sockets.length - 1];
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return sockets.length;
    },
    passwords,
    commands,
    get ready() {
      return ready && latest()?.destroyed === false;
    },
    write(bytes) {
      latest()?.write(bytes);
    },
    writeAndClose(bytes) {
      const socket = latest();
      socket?.end(bytes);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
