import { z } from 'zod';
import { jsonObject } from '../lenient.js';

/**
 * Objects that ride along on many messages. Their keys are Kazoo's channel-variable names and pass
 * through untouched (Fife neither drops nor retypes what another component put there).
 */
export const customChannelVars = jsonObject.describe('Custom-Channel-Vars: written onto the channel as ecallmgr_<Key>');
export const customApplicationVars = jsonObject.describe('Custom-Application-Vars: written as cav_<Key>');
export const customSipHeaders = jsonObject.describe('Custom-SIP-Headers: X-/P- headers, written as sip_h_<Header>');

/** `Media` handling of a route, endpoint or bridge (kazoo-wire §4.3, §5.2). */
export const mediaMode = z.enum(['process', 'bypass', 'auto']);

/** Example Msg-IDs and identities shared by the examples, so they read as one conversation. */
export const sample = {
  accountId: '4fe69c5b61015084f1fe5684abc6e502',
  deviceId: '9a1d6b4c3e2f41d7a0c8b5e6f7a8b9c0',
  callId: '3e8f1a2b-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
  ecallmgr: { 'App-Name': 'ecallmgr', 'App-Version': '1.0.0', Node: 'ecallmgr@fs-a.example.net' },
  whapp: { 'App-Name': 'router', 'App-Version': '1.0.0', Node: 'router@apps1.example.net' },
  replyQueue: 'router@apps1.example.net-reply-3f9a2c71',
  controlQueue: 'ecallmgr@fs-a.example.net-control-c3b9e104',
} as const;
