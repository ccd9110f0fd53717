import { FifeError } from '@fife/api';

/** A generic `error` reply from a service becomes a typed error the caller can branch on. */
export function remoteError(reply: Record<string, unknown>, operation: string): FifeError {
  return new FifeError('client.remote_error', `${operation}: ${String(reply['Error-Message'] ?? 'the service reported an error')}`, {
    operation,
    app: reply['App-Name'],
    node: reply.Node,
    reply,
  });
}

export function isErrorReply(reply: Record<string, unknown>): boolean {
  return reply['Event-Category'] === 'error';
}
