import type { Kind } from './kinds.js';

/** A document as the owners store it (CouchDB JSON without _rev). */
export type Doc = Record<string, unknown> & { _id?: string };

export interface PutRequest {
  kind: Kind | string;
  accountId?: string;
  /** Absent: the owner derives it from the document's natural key. */
  id?: string;
  document: Record<string, unknown>;
  dryRun?: boolean;
}

export type PutOutcome =
  | { status: 'created' | 'changed' | 'unchanged'; id: string; document: Doc }
  | { status: 'invalid'; id?: string; field: string; message: string; issues: Array<{ field: string; message: string }> };

export interface RemoveRequest {
  kind: Kind | string;
  accountId?: string;
  id: string;
  dryRun?: boolean;
}

export type RemoveOutcome = { status: 'removed' | 'absent'; id: string };

export interface ListRequest {
  kind: Kind | string;
  accountId?: string;
}

/**
 * How the engine reaches the owners of each kind. Over AMQP in production (`busPort`); the engine
 * itself knows nothing of the transport.
 */
export interface ProvisioningPort {
  put(req: PutRequest): Promise<PutOutcome>;
  remove(req: RemoveRequest): Promise<RemoveOutcome>;
  list(req: ListRequest): Promise<Doc[]>;
}
