import { z } from 'zod';
import { defineMessage } from '../define.js';
import { jsonObject, text } from '../lenient.js';
import { routingKey, targetedKey } from '../routing-key.js';
import { sample } from './common.js';

/**
 * Fife's provisioning family: one document of one kind (account, device, user, callflow, callgroup,
 * calendar, resource) written, removed or listed by the whapp that understands that kind, so every
 * document is validated by its owner. The routing key carries the kind (`provisioning.put.<kind>`):
 * each owner binds only the kinds it serves, and a kind nobody serves is unroutable.
 */
const kind = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'lowercase letters, digits and _')
  .describe('document kind: account, device, user, callflow, callgroup, calendar, resource');

const accountId = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex characters')
  .describe('account whose database holds the document; absent for the account kind itself');

const document = jsonObject.describe('the document as stored (CouchDB JSON, without _rev)');

const keyOf = (verb: string) => (m: { Kind: string }) => routingKey({ raw: `provisioning.${verb}` }, m.Kind);

const ownerSide = 'the whapp owning the kind (registrar: account/device/user; router: callflow/resource; callgroup: callgroup; calendar: calendar)';

export const provisionPutReq = defineMessage({
  category: 'provisioning',
  name: 'put_req',
  exchange: 'fife',
  routingKey: keyOf('put'),
  bindingKeys: ['provisioning.put.*'],
  fields: {
    Kind: kind,
    'Account-ID': accountId.optional(),
    'Document-ID': z.string().min(1).optional().describe('stable id; absent: the owner derives it from the natural key (callgroup: the number)'),
    Document: document,
    'Dry-Run': z.boolean().optional().describe('validate and compare only: nothing is written'),
  },
  summary: 'Create or replace one document of a kind; answered created, changed, unchanged or invalid (with the field).',
  sender: 'fife provision, integrators (SDK)',
  responder: ownerSide,
  replies: ['put_resp', 'error'],
  example: {
    ...sample.whapp,
    'App-Name': 'fife-cli',
    'Msg-ID': 'p0a1b2c3',
    'Server-ID': sample.replyQueue,
    Kind: 'device',
    'Account-ID': sample.accountId,
    'Document-ID': sample.deviceId,
    Document: { name: 'alice-desk', sip: { username: 'alice', password: 's3cret' }, pvt_provisioned: true },
  },
});

export const provisionPutResp = defineMessage({
  category: 'provisioning',
  name: 'put_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    Kind: kind,
    'Document-ID': text.optional().describe('absent only when the id could not be derived from an invalid document'),
    Status: z.enum(['created', 'changed', 'unchanged', 'invalid']),
    'Dry-Run': z.boolean().optional(),
    Document: document.optional().describe('the document as stored (or as it would be stored on a dry run)'),
    Field: z.string().optional().describe('invalid: the offending field, dotted (sip.password, source.ics)'),
    'Error-Message': z.string().optional().describe('invalid: why, for people'),
    Issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  },
  summary: 'What a put did (or would do), or why the owner refused the document.',
  sender: ownerSide,
  example: {
    'App-Name': 'registrar',
    'App-Version': '0.1.0',
    Node: 'registrar@apps1.example.net',
    'Msg-ID': 'p0a1b2c3',
    Kind: 'device',
    'Document-ID': sample.deviceId,
    Status: 'created',
    Document: { _id: sample.deviceId, pvt_type: 'device', name: 'alice-desk', sip: { username: 'alice', password: 's3cret', method: 'password' } },
  },
});

export const provisionRemoveReq = defineMessage({
  category: 'provisioning',
  name: 'remove_req',
  exchange: 'fife',
  routingKey: keyOf('remove'),
  bindingKeys: ['provisioning.remove.*'],
  fields: {
    Kind: kind,
    'Account-ID': accountId.optional(),
    'Document-ID': text,
    'Dry-Run': z.boolean().optional(),
  },
  summary: 'Delete one document of a kind (accounts are never deleted this way).',
  sender: 'fife provision, integrators (SDK)',
  responder: ownerSide,
  replies: ['remove_resp', 'error'],
  example: {
    ...sample.whapp,
    'App-Name': 'fife-cli',
    'Msg-ID': 'p0a1b2c4',
    'Server-ID': sample.replyQueue,
    Kind: 'device',
    'Account-ID': sample.accountId,
    'Document-ID': sample.deviceId,
  },
});

export const provisionRemoveResp = defineMessage({
  category: 'provisioning',
  name: 'remove_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    Kind: kind,
    'Document-ID': text,
    Status: z.enum(['removed', 'absent']),
    'Dry-Run': z.boolean().optional(),
  },
  summary: 'Whether the document was (or would be) removed, or was not there.',
  sender: ownerSide,
  example: {
    'App-Name': 'registrar',
    'App-Version': '0.1.0',
    Node: 'registrar@apps1.example.net',
    'Msg-ID': 'p0a1b2c4',
    Kind: 'device',
    'Document-ID': sample.deviceId,
    Status: 'removed',
  },
});

export const provisionListReq = defineMessage({
  category: 'provisioning',
  name: 'list_req',
  exchange: 'fife',
  routingKey: keyOf('list'),
  bindingKeys: ['provisioning.list.*'],
  fields: {
    Kind: kind,
    'Account-ID': accountId.optional(),
  },
  summary: 'Every document of a kind in an account (every account for the account kind): the export.',
  sender: 'fife provision, fife export, integrators (SDK)',
  responder: ownerSide,
  replies: ['list_resp', 'error'],
  example: {
    ...sample.whapp,
    'App-Name': 'fife-cli',
    'Msg-ID': 'p0a1b2c5',
    'Server-ID': sample.replyQueue,
    Kind: 'device',
    'Account-ID': sample.accountId,
  },
});

export const provisionListResp = defineMessage({
  category: 'provisioning',
  name: 'list_resp',
  exchange: 'targeted',
  routingKey: targetedKey,
  bindingKeys: [],
  fields: {
    Kind: kind,
    Documents: z.array(document).describe('stored documents, without _rev, sorted by _id'),
  },
  summary: 'The documents of a kind.',
  sender: ownerSide,
  example: {
    'App-Name': 'registrar',
    'App-Version': '0.1.0',
    Node: 'registrar@apps1.example.net',
    'Msg-ID': 'p0a1b2c5',
    Kind: 'device',
    Documents: [{ _id: sample.deviceId, pvt_type: 'device', name: 'alice-desk', sip: { username: 'alice', password: 's3cret', method: 'password' } }],
  },
});

export const provisioning = {
  putReq: provisionPutReq,
  putResp: provisionPutResp,
  removeReq: provisionRemoveReq,
  removeResp: provisionRemoveResp,
  listReq: provisionListReq,
  listResp: provisionListResp,
} as const;
