import { z } from 'zod';
import { nanoid } from 'nanoid';
import { defaultHeaders } from './headers.js';
import type { ExchangeName } from './exchanges.js';
import { FifeError, type Result } from './errors.js';
import { requireWhen, type RequiredWhen } from './conditional.js';

/**
 * One AMQP message, declared once: where it travels, how it is keyed, what it must contain.
 * Everything else (builders, validators, bus bindings, JSON Schema, the API catalog) derives from it.
 */
export interface MessageSpec<Shape extends z.ZodRawShape> {
  category: string;
  /**
   * The Event-Name. With `namePattern` set it only labels the declaration (ids, file names) and the
   * message's Event-Name is any name matching the pattern (call events: `CHANNEL_ANSWER`, `DTMF`, ...).
   */
  name: string;
  namePattern?: RegExp;
  exchange: ExchangeName;
  /**
   * Routing key a publisher uses for a given message. Point-to-point messages (exchange `targeted`,
   * or `callctl` commands) take the key from the request they answer: pass it as `target`
   * (the request's Server-ID, or the call's Control-Queue).
   */
  // Method syntax on purpose: it keeps MessageDef<Specific> assignable to MessageDef<any>.
  routingKey(msg: z.infer<z.ZodObject<Shape>> & Record<string, unknown>, target?: string): string;
  /** Binding keys a consumer of every such message uses (wildcards allowed); empty for targeted replies. */
  bindingKeys: string[];
  /** Message-specific fields; the default headers are added automatically. */
  fields: Shape;
  /** Fields required only for some values of another field (per Application-Name, ...). */
  requiredWhen?: RequiredWhen;
  summary: string;
  sender: string;
  responder?: string;
  /** The name of the reply message(s), for the catalog. */
  replies?: string[];
  /** A valid message without Event-Category (and without Event-Name unless `namePattern` is set). */
  example: Record<string, unknown>;
}

function eventNameSchema(spec: { name: string; namePattern?: RegExp }): z.ZodType<string> {
  return spec.namePattern ? z.string().regex(spec.namePattern) : z.literal(spec.name);
}

/**
 * The declared fields replace default headers of the same name (a message may require `Call-ID`).
 * Spelled out because a spread of a generic shape would type as an intersection, turning such a
 * field into `optional & required`.
 */
type MessageShape<Shape extends z.ZodRawShape> = Omit<typeof defaultHeaders, keyof Shape | 'Event-Category' | 'Event-Name'> &
  Shape & { 'Event-Category': z.ZodLiteral<string>; 'Event-Name': z.ZodType<string> };

function messageSchema<Shape extends z.ZodRawShape>(spec: MessageSpec<Shape>) {
  const shape = {
    ...defaultHeaders,
    ...spec.fields,
    'Event-Category': z.literal(spec.category),
    'Event-Name': eventNameSchema(spec),
  } as unknown as MessageShape<Shape>;
  const schema = z.looseObject(shape);
  return spec.requiredWhen ? requireWhen(schema, spec.requiredWhen) : schema;
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
  if (registry.has(id)) throw new FifeError('api.duplicate', `message ${id} is declared twice`, { message: id });
  // The declared example is completed into a whole wire message, so catalogs and tests use it as is.
  const example = { 'Event-Category': spec.category, 'Event-Name': spec.name, ...spec.example };
  const def = { ...spec, id, example, schema: messageSchema(spec) };
  registry.set(id, def as unknown as MessageDef<any>);
  return def;
}

export function allMessages(): MessageDef<any>[] {
  return [...registry.values()];
}

/**
 * The declaration for an incoming message's Event-Category/Event-Name: an exact declaration first,
 * else one whose name pattern matches (the generic call event, the generic error reply).
 */
export function findMessage(category: unknown, name: unknown): MessageDef<any> | undefined {
  const exact = registry.get(`${String(category)}/${String(name)}`);
  if (exact || typeof name !== 'string') return exact;
  for (const def of registry.values()) {
    if (def.category === category && def.namePattern?.test(name)) return def;
  }
  return undefined;
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

type HeaderFilled = 'App-Name' | 'App-Version' | 'Msg-ID' | 'Event-Name';

/**
 * What a caller passes to `build`: the message's fields; the default headers may be given to override
 * the sender's (a reply copies the request's Msg-ID). Event-Name is needed only for declarations with a
 * `namePattern`, where it is part of the message (the call event's `CHANNEL_ANSWER`, ...).
 */
export type BuildFields<D extends MessageDef<any>> = OmitKnown<MessageInput<D>, 'Event-Category' | HeaderFilled> &
  Partial<Pick<MessageInput<D>, HeaderFilled>>;

/**
 * `Omit` for message types: they carry an index signature (unknown keys are allowed), on which the
 * built-in `Omit` collapses every named field into `unknown`; key remapping keeps them typed.
 */
type OmitKnown<T, K extends PropertyKey> = { [P in keyof T as P extends K ? never : P]: T[P] };

/** Builds a wire-ready message: default headers filled in, validated, empties dropped. */
export function build<D extends MessageDef<any>>(def: D, fields: BuildFields<D>, sender: SenderIdentity): MessageOf<D> {
  const given = fields as Record<string, unknown>;
  const draft = dropEmpty({
    'App-Name': sender.appName,
    'App-Version': sender.appVersion,
    Node: sender.node,
    'Msg-ID': nanoid(),
    ...(sender.serverId ? { 'Server-ID': sender.serverId } : {}),
    ...given,
    'Event-Category': def.category,
    'Event-Name': def.namePattern ? given['Event-Name'] : def.name,
  });
  const result = validate(def, draft);
  if (!result.ok) throw result.error;
  return result.value;
}

function describeIssue(issue: z.core.$ZodIssue): { field: string; text: string } {
  const field = issue.path.map(String).join('.') || '(body)';
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  return { field, text: `${field}: ${missing ? 'is required' : issue.message}` };
}

/** Validates an incoming body against a declaration; unknown keys are kept, as Kazoo peers expect. */
export function validate<D extends MessageDef<any>>(def: D, body: unknown): Result<MessageOf<D>> {
  const parsed = def.schema.safeParse(body, { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data as MessageOf<D> };
  const described = parsed.error.issues.map(describeIssue);
  const issues = described.map((d) => d.text);
  return {
    ok: false,
    error: new FifeError('api.invalid', `invalid ${def.id}: ${issues.join('; ')}`, {
      message: def.id,
      fields: [...new Set(described.map((d) => d.field))],
      issues,
    }),
  };
}
