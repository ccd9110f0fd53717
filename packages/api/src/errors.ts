/**
 * Every failure Fife reports is a value with a stable `code` and the context needed to act on it.
 * Codes are dotted (`bus.timeout`, `api.invalid`, `store.conflict`) so logs and metrics can group them.
 */
export class FifeError extends Error {
  readonly code: string;
  readonly context: Record<string, unknown>;

  constructor(code: string, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FifeError';
    this.code = code;
    this.context = context;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, context: this.context };
  }
}

export function isFifeError(value: unknown, code?: string): value is FifeError {
  return value instanceof FifeError && (code === undefined || value.code === code);
}

export type Result<T, E = FifeError> = { ok: true; value: T } | { ok: false; error: E };
