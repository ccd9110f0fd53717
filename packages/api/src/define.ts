import { z } from 'zod';
import { nanoid } from 'nanoid';
import { defaultHeaders } from './headers.js';
import type { ExchangeName } from './exchanges.js';
import { FifeError, type Result } from './errors.js';

/**
 * One AMQP message, declared once: where it travels, how it is keyed, what it must contain.
 * Everything else (builders, validators, bus bindings, JSON Schema, the API catalog) derives from it.
 */
export interface MessageSpec<Shape extends z.ZodRawShape> {
  category: string;
  name: string;
  exchange: ExchangeName;
  /** Routing key a publisher uses for a given message. */
  routingKey: (msg: z.infer<z.ZodObject<Shape>> & Record<string, unknown>) => string;
  /** Binding keys a consumer of every such message uses (wildcards allowed). */
  bindingKeys: string[];
  /** Message-specific fields; the default headers are added automatically. */
  fields: Shape;
  summary: string;
  sender: string;
  responder?: string;
  /** The name of the reply message(s), for the catalog. */
  replies?: string[];
  example: Record<string, unknown>;
}

function messageSchema<Shape extends z.ZodRawShape>(spec: MessageSpec<Shape>) {
  return z.looseObject({
    ...defaultHeaders,
    ...spec.fields,
    'Event-Category': z.literal(spec.category),
    'Event-Name': z.literal(spec.name),
  });
}

export type MessageDef<Shape extends z.ZodRawShape = z.ZodRawShape> = MessageSpec<Shape> & {
  schema: ReturnType<typeof messageSchema<Shape>>;
  /** `category/name`, unique across the registry. */
  id: string;
};

export type MessageOf<D extends MessageDef<any>> = z.infer<D['schema']>;
export type MessageInput<D extends MessageDef<any>> = z.input<D['schema']>;

const registry = new Map<string, MessageDef<any>>();

export function defineMessage<Shape extends z.ZodRawShape>(spec: MessageSpec<Shape>): MessageDef<Shape> {
  const id = `${spec.category}/${spec.name}`;
  const def = { ...spec, id, schema: messageSchema(spec) };
  registry.set(id, def as unknown as MessageDef<any>);
  return def;
}

export function allMessages(): MessageDef<any>[] {
  return [...registry.values()];
}

export function findMessage(category: unknown, name: unknown): MessageDef<any> | undefined {
  return registry.get(`${String(category)}/${String(name)}`);
}

/** Who is building: filled into App-Name, App-Version, Node and (for requests) Server-ID. */
export interface SenderIdentity {
  appName: string;
  appVersion: string;
  node: string;
  serverId?: string;
}

/** Kazoo builders drop null and empty-string values; Server-ID and Msg-ID are always kept. */
function dropEmpty(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    if (v === '' && k !== 'Server-ID' && k !== 'Msg-ID') continue;
    out[k] = v;
  }
  return out;
}

/** Builds a wire-ready message: default headers filled in, validated, empties dropped. */
export function build<D extends MessageDef<any>>(
  def: D,
  fields: Omit<MessageInput<D>, 'Event-Category' | 'Event-Name' | 'App-Name' | 'App-Version' | 'Msg-ID'> &
    Partial<Pick<MessageInput<D>, 'App-Name' | 'App-Version' | 'Msg-ID'>>,
  sender: SenderIdentity,
): MessageOf<D> {
  const draft = dropEmpty({
    'App-Name': sender.appName,
    'App-Version': sender.appVersion,
    Node: sender.node,
    'Msg-ID': nanoid(),
    ...(sender.serverId ? { 'Server-ID': sender.serverId } : {}),
    ...(fields as Record<string, unknown>),
    'Event-Category': def.category,
    'Event-Name': def.name,
  });
  const result = validate(def, draft);
  if (!result.ok) throw result.error;
  return result.value;
}

/** Validates an incoming body against a declaration; unknown keys are kept, as Kazoo peers expect. */
export function validate<D extends MessageDef<any>>(def: D, body: unknown): Result<MessageOf<D>> {
  const parsed = def.schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data as MessageOf<D> };
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  return {
    ok: false,
    error: new FifeError('api.invalid', `invalid ${def.id}: ${issues.join('; ')}`, {
      message: def.id,
      issues,
    }),
  };
}
