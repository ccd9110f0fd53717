import { FifeError, genericError, isFifeError, provisioning, type MessageDef } from '@fife/api';
import type { Bus } from '@fife/bus';
import type { Doc, ListRequest, ProvisioningPort, PutOutcome, PutRequest, RemoveOutcome, RemoveRequest } from './port.js';

export interface BusPortOptions {
  /** Deadline of each request (default 5000 ms). */
  timeoutMs?: number;
}

/**
 * A kind nobody binds is unroutable at once (mandatory publish); a kind whose owner is bound but not
 * running times out. Both become one error that names the kind and who should serve it.
 */
function ownerError(err: unknown, kind: string, timeoutMs: number): unknown {
  if (isFifeError(err, 'bus.unroutable')) {
    return new FifeError('provisioning.no_owner', `no whapp serves document kind "${kind}" (nothing is bound to provisioning.*.${kind})`, { kind });
  }
  if (isFifeError(err, 'bus.timeout')) {
    return new FifeError('provisioning.no_owner', `no answer for document kind "${kind}" within ${timeoutMs} ms: is the whapp that owns "${kind}" running?`, { kind, timeoutMs });
  }
  return err;
}

function remoteFailure(reply: Record<string, unknown>, kind: string): FifeError {
  return new FifeError('provisioning.owner_error', `${String(reply['App-Name'] ?? 'owner')} (${kind}): ${String(reply['Error-Message'] ?? 'failed')}`, { kind, reply });
}

const docs = (v: unknown): Doc[] => (Array.isArray(v) ? (v as Doc[]) : []);

/** The provisioning messages over a bus: what `fife provision`, `fife export` and the SDK use. */
export function busPort(bus: Bus, options: BusPortOptions = {}): ProvisioningPort {
  const timeoutMs = options.timeoutMs ?? 5000;
  async function ask(def: MessageDef<any>, reply: MessageDef<any>, kind: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    let answer: Record<string, unknown>;
    try {
      answer = await bus.request(def, fields as never, { timeoutMs, replies: [reply, genericError], mandatory: true });
    } catch (err) {
      throw ownerError(err, kind, timeoutMs);
    }
    if (answer['Event-Category'] === 'error') throw remoteFailure(answer, kind);
    return answer;
  }
  const account = (id: string | undefined) => (id ? { 'Account-ID': id } : {});
  return {
    async put(req: PutRequest): Promise<PutOutcome> {
      const r = await ask(provisioning.putReq, provisioning.putResp, req.kind, {
        Kind: req.kind,
        ...account(req.accountId),
        ...(req.id ? { 'Document-ID': req.id } : {}),
        Document: req.document,
        ...(req.dryRun ? { 'Dry-Run': true } : {}),
      });
      if (r.Status === 'invalid') {
        return {
          status: 'invalid',
          ...(typeof r['Document-ID'] === 'string' ? { id: r['Document-ID'] } : {}),
          field: String(r.Field ?? '(document)'),
          message: String(r['Error-Message'] ?? 'invalid'),
          issues: (r.Issues as Array<{ field: string; message: string }> | undefined) ?? [],
        };
      }
      return { status: r.Status as 'created' | 'changed' | 'unchanged', id: String(r['Document-ID']), document: (r.Document ?? {}) as Doc };
    },
    async remove(req: RemoveRequest): Promise<RemoveOutcome> {
      const r = await ask(provisioning.removeReq, provisioning.removeResp, req.kind, {
        Kind: req.kind,
        ...account(req.accountId),
        'Document-ID': req.id,
        ...(req.dryRun ? { 'Dry-Run': true } : {}),
      });
      return { status: r.Status as 'removed' | 'absent', id: String(r['Document-ID']) };
    },
    async list(req: ListRequest): Promise<Doc[]> {
      const r = await ask(provisioning.listReq, provisioning.listResp, req.kind, { Kind: req.kind, ...account(req.accountId) });
      return docs(r.Documents);
    },
  };
}
