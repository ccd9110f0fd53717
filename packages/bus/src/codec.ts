import { gunzipSync } from 'node:zlib';
import type { Message } from 'amqplib';
import { FifeError, type Result } from '@fife/api';

/** Bodies above this size are refused before JSON.parse, so a hostile publisher cannot stall a process. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function encodeBody(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** Decodes a delivery into a JSON object. Kazoo may gzip bodies (content_encoding = gzip). */
export function decodeBody(msg: Message): Result<Record<string, unknown>> {
  const size = msg.content.length;
  if (size > MAX_BODY_BYTES) {
    return { ok: false, error: new FifeError('bus.body_too_large', `body of ${size} bytes exceeds ${MAX_BODY_BYTES}`, { size }) };
  }
  try {
    const raw = msg.properties.contentEncoding === 'gzip' ? gunzipSync(msg.content, { maxOutputLength: MAX_BODY_BYTES }) : msg.content;
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, error: new FifeError('bus.not_an_object', 'body is JSON but not an object') };
    }
    return { ok: true, value: parsed as Record<string, unknown> };
  } catch (cause) {
    return { ok: false, error: new FifeError('bus.malformed_body', `body is not JSON: ${(cause as Error).message}`) };
  }
}
