import { z } from 'zod';

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
  'Defer-Response': z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  'Account-ID': z.string().optional(),
  'Call-ID': z.string().optional(),
} as const;

export const headerNames = Object.keys(defaultHeaders);
