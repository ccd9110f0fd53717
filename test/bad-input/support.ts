// Shared by the bad-input campaign: a private broker vhost, a tap on the dead-letter exchange, a raw
// AMQP sender (bytes and properties exactly as given), CouchDB snapshots and the printed figures.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { nanoid } from 'nanoid';
import { DEAD_LETTER_EXCHANGE } from '@fife/bus';

/** Marks every message a case publishes; dead-lettering keeps the original headers, so it comes back. */
export const CASE_HEADER = 'x-bad-input-case';

export interface DeadLetter {
  caseId: string;
  code: string;
  reason: string;
  queue: string;
}

function headerText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** An exclusive queue on the dead-letter fanout: counts what the whapps dead-letter, per case. */
export class DeadLetterTap {
  readonly letters: DeadLetter[] = [];
  private constructor(private readonly connection: ChannelModel) {}

  static async open(url: string): Promise<DeadLetterTap> {
    const connection = await amqp.connect(url);
    const tap = new DeadLetterTap(connection);
    const ch = await connection.createChannel();
    await ch.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', { durable: true });
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, DEAD_LETTER_EXCHANGE, '');
    await ch.consume(
      queue,
      (m) => {
        if (!m) return;
        const h = m.properties.headers ?? {};
        tap.letters.push({
          caseId: headerText(h[CASE_HEADER]),
          code: headerText(h['x-fife-code']),
          reason: headerText(h['x-fife-reason']),
          queue: headerText(h['x-fife-queue']),
        });
      },
      { noAck: true },
    );
    return tap;
  }

  of(caseId: string): DeadLetter[] {
    return this.letters.filter((l) => l.caseId === caseId);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}

/** A peer speaking raw AMQP: publishes exact bytes with exact properties, and hears replies on its own queue. */
export class RawPeer {
  readonly replies: Array<Record<string, unknown>> = [];
  private constructor(
    private readonly connection: ChannelModel,
    private readonly publisher: ConfirmChannel,
    readonly replyQueue: string,
  ) {}

  static async open(url: string): Promise<RawPeer> {
    const connection = await amqp.connect(url);
    const listener: Channel = await connection.createChannel();
    const replyQueue = `bad-input-peer-${nanoid(8)}`;
    await listener.assertQueue(replyQueue, { exclusive: true, autoDelete: true });
    await listener.bindQueue(replyQueue, 'targeted', replyQueue);
    const peer = new RawPeer(connection, await connection.createConfirmChannel(), replyQueue);
    await listener.consume(
      replyQueue,
      (m) => {
        if (!m) return;
        try {
          peer.replies.push(JSON.parse(m.content.toString('utf8')) as Record<string, unknown>);
        } catch {
          peer.replies.push({ unparsable: m.content.toString('utf8').slice(0, 200) });
        }
      },
      { noAck: true },
    );
    return peer;
  }

  /** Resolves once the broker confirmed the message. */
  send(exchange: string, routingKey: string, content: Buffer, props: Options.Publish = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.publisher.publish(exchange, routingKey, content, { contentType: 'application/json', ...props }, (err) => (err ? reject(err) : resolve()));
    });
  }

  repliesTo(msgId: string): Array<Record<string, unknown>> {
    return this.replies.filter((r) => r['Msg-ID'] === msgId);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}

/** Every document of every database, as `db/id → rev`: equal snapshots mean nothing was written. */
export async function couchSnapshot(couchUrl: string): Promise<Map<string, string>> {
  const base = couchUrl.replace(/\/$/, '');
  const dbs = (await (await fetch(`${base}/_all_dbs`)).json()) as string[];
  const out = new Map<string, string>();
  for (const db of dbs.filter((d) => !d.startsWith('_'))) {
    const res = (await (await fetch(`${base}/${encodeURIComponent(db)}/_all_docs`)).json()) as { rows: Array<{ id: string; value: { rev: string } }> };
    for (const row of res.rows) out.set(`${db}/${row.id}`, row.value.rev);
  }
  return out;
}

/** Documents added, removed or changed between two snapshots. */
export function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [key, rev] of after) if (before.get(key) !== rev) changed.push(`${key}: ${before.get(key) ?? '(new)'} → ${rev}`);
  for (const key of before.keys()) if (!after.has(key)) changed.push(`${key}: deleted`);
  return changed;
}

export async function tempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `fife-bad-input-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The figures, as a fixed-width table on stdout (the runner shows it with the test output). */
export function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.slice(1).map(line).join('\n')}\n`);
}
