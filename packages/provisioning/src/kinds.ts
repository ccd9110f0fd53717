import { createHash } from 'node:crypto';

/**
 * The document kinds a provisioning file describes, in the order they are applied (an account before
 * what lives in it; targets before what refers to them, so a half-applied file routes sensibly).
 */
export const ACCOUNT_KINDS = ['calendar', 'device', 'user', 'resource', 'callgroup', 'callflow'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];
export type Kind = 'account' | AccountKind;

/** The section of an account in the file that holds each kind. */
export const SECTION_OF: Record<AccountKind, string> = {
  calendar: 'calendars',
  device: 'devices',
  user: 'users',
  resource: 'resources',
  callgroup: 'callgroups',
  callflow: 'callflows',
};

/**
 * Field that marks a document as created by a provisioning file. Only marked documents are removed
 * when a file no longer lists them. The mark is set when a file creates a document and never added
 * later: a document made another way and then listed in a file is updated, but never removed by it.
 */
export const PROVISIONED_MARK = 'pvt_provisioned';

/**
 * The name `fife export` gives a document that has none (made some other way). Applying it does not
 * write it into the document, so such a document round-trips unchanged.
 */
export function placeholderName(kind: Kind, id: string): string {
  return `${kind}-${id}`;
}

/**
 * Deterministic 32-hex id of a named document: re-applying a file finds the same documents, and ids
 * have the shape other documents require of references (a device's owner_id).
 */
export function stableId(kind: Kind, name: string): string {
  return createHash('sha256').update(`fife-provision\0${kind}\0${name}`).digest('hex').slice(0, 32);
}
