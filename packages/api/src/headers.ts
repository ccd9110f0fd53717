import { z } from 'zod';
import { flag } from './lenient.js';

/** Kazoo's default headers (kazoo-wire §1.3). Every message extends this shape. */
export const defaultHeaders = {
  'Event-Category': z.string().min(1),
  'Event-Name': z.string().min(1),
  'App-Name': z.string().min(1),
  'App-Version': z.string().min(1),
  'Msg-ID': z.string().min(1),
  'Server-ID': z.string().optional(),
  Node: z.string().optional(),
  'Server-Queue-ID': z.string().optional(),
  'System-Log-ID': z.string().optional(),
  /** Kazoo writes `"true"`; normalised to that string form (read it with `isTrue`). */
  'Defer-Response': flag.optional(),
  'Account-ID': z.string().optional(),
  'Call-ID': z.string().optional(),
} as const;

export const headerNames = Object.keys(defaultHeaders);
