import { z } from 'zod';

/**
 * A FreeSWITCH event: its headers in wire order plus an optional body. FreeSWITCH has hundreds of
 * headers (every channel variable is one), so they stay a string map with accessors for the common ones.
 * A header with several values (JSON array, plain `ARRAY::a|:b`, repeated XML element) is a string[].
 * When the event has a body, `Content-Length` is one of its headers, as in FreeSWITCH's own JSON form.
 */
export const eslHeaderValueSchema = z.union([z.string(), z.array(z.string())]);
export const eslEventHeadersSchema = z.record(z.string(), eslHeaderValueSchema);
export const eslEventSchema = z.object({
  headers: eslEventHeadersSchema,
  body: z.string().optional(),
});

export type EslHeaderValue = z.infer<typeof eslHeaderValueSchema>;
export type EslEventHeaders = z.infer<typeof eslEventHeadersSchema>;
export type EslEvent = z.infer<typeof eslEventSchema>;

export const eventFormats = ['json', 'plain', 'xml'] as const;
export const eventFormatSchema = z.enum(eventFormats);
export type EventFormat = z.infer<typeof eventFormatSchema>;

/** First value of a header (arrays give their first element). */
export function header(event: EslEvent, name: string): string | undefined {
  const value = event.headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

export function headerValues(event: EslEvent, name: string): string[] {
  const value = event.headers[name];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/** Channel variable `name`, carried as the `variable_<name>` header. */
export function channelVariable(event: EslEvent, name: string): string | undefined {
  return header(event, `variable_${name}`);
}

export const eventName = (event: EslEvent): string | undefined => header(event, 'Event-Name');
export const eventSubclass = (event: EslEvent): string | undefined => header(event, 'Event-Subclass');
export const uniqueId = (event: EslEvent): string | undefined => header(event, 'Unique-ID');
export const coreUuid = (event: EslEvent): string | undefined => header(event, 'Core-UUID');
export const jobUuid = (event: EslEvent): string | undefined => header(event, 'Job-UUID');
export const applicationUuid = (event: EslEvent): string | undefined => header(event, 'Application-UUID');
export const callerDestinationNumber = (event: EslEvent): string | undefined => header(event, 'Caller-Destination-Number');
export const hangupCause = (event: EslEvent): string | undefined => header(event, 'Hangup-Cause');
export const channelName = (event: EslEvent): string | undefined => header(event, 'Channel-Name');

export function eventSequence(event: EslEvent): number | undefined {
  return toInteger(header(event, 'Event-Sequence'));
}

/** `Event-Date-Timestamp` is microseconds since the epoch; this returns milliseconds. */
export function eventTimestampMs(event: EslEvent): number | undefined {
  const micros = toInteger(header(event, 'Event-Date-Timestamp'));
  return micros === undefined ? undefined : Math.floor(micros / 1000);
}

/** `CUSTOM sofia::register` for custom events, the plain name otherwise: the key used to subscribe. */
export function eventKey(event: EslEvent): string | undefined {
  const name = eventName(event);
  const subclass = eventSubclass(event);
  return name === 'CUSTOM' && subclass ? `CUSTOM ${subclass}` : name;
}

function toInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
