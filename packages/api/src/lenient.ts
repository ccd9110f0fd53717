import { z } from 'zod';

/**
 * Kazoo peers are loose about scalar types (kazoo-wire "How to read the field tables", §10):
 * integers often arrive as strings, booleans as "true"/"false". These schemas accept every form a
 * peer sends and normalise to one output form, so what Fife re-emits is always the canonical one.
 */

const INTEGER_TEXT = /^\s*-?\d+\s*$/;
const NOT_AN_INTEGER = 'expected an integer or a decimal string';

/** Integer from a JSON number or a decimal string ("3600" → 3600). */
export const int = z
  .union([z.number().int(), z.string().regex(INTEGER_TEXT, NOT_AN_INTEGER)], { error: NOT_AN_INTEGER })
  .transform((v) => (typeof v === 'number' ? v : Number.parseInt(v, 10)));

/** Non-negative integer, same input forms as `int`. */
export const count = int.pipe(z.number().int().nonnegative());

/** Boolean from a JSON boolean or the strings "true"/"false" (Kazoo's is_true accepts both). */
export const bool = z
  .union([z.boolean(), z.enum(['true', 'false'])], { error: 'expected true/false or "true"/"false"' })
  .transform((v) => v === true || v === 'true');

/**
 * A flag that peers read as the *string* "true": Kamailio's scripts compare `Permanent-Error` and
 * `Cache-Only` textually, and Kazoo's registrar writes `Defer-Response: "true"`. Accept both forms,
 * emit the string so the wire stays exactly what the reference shows.
 */
export const flag = z
  .union([z.boolean(), z.enum(['true', 'false'])], { error: 'expected "true"/"false" or true/false' })
  .transform((v): 'true' | 'false' => (v === true || v === 'true' ? 'true' : 'false'));

/** A value that is text on the wire (ports, SIP codes) even when a peer sends a number. */
export const numericText = z
  .union([z.string().min(1), z.number()], { error: 'expected text or a number' })
  .transform((v) => (typeof v === 'number' ? String(v) : v));

/** Kazoo's "present and not empty" rule for a required string. */
export const text = z.string().min(1, 'must not be empty');

/** A JSON object with arbitrary keys (Custom-Channel-Vars, Custom-SIP-Headers, ...). */
export const jsonObject = z.record(z.string(), z.unknown());

/** True for `true` and `"true"` (any case), the way Kazoo's `kz_term:is_true` reads a flag. */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** Seconds between 0000-01-01 (Erlang's Gregorian epoch) and 1970-01-01. */
export const GREGORIAN_OFFSET = 62_167_219_200;

/** Above this a seconds value cannot be a plausible Unix time (year ~3900) but is a Gregorian one. */
const GREGORIAN_THRESHOLD = 62_000_000_000;

/** Kazoo emits Gregorian seconds, Kamailio Unix seconds (kazoo-wire §10.5): tell them apart by size. */
export function toUnixSeconds(seconds: number): number {
  return seconds > GREGORIAN_THRESHOLD ? seconds - GREGORIAN_OFFSET : seconds;
}

/** The unit Kazoo writes in call-event `Timestamp` and reg_query_resp `Event-Timestamp`. */
export function toGregorianSeconds(seconds: number): number {
  return seconds > GREGORIAN_THRESHOLD ? seconds : seconds + GREGORIAN_OFFSET;
}

/**
 * A timestamp in seconds, either unit, normalised to Unix seconds. For a consumer's own parsing; the
 * message declarations keep timestamps as sent (`int`) so that re-emitted messages keep their unit.
 */
export const unixSeconds = int.transform(toUnixSeconds);
