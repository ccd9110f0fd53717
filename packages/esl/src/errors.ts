import { FifeError } from '@fife/api';

/** Every failure this package reports; codes are stable so callers can switch on them. */
export const eslErrorCodes = {
  frameMalformed: 'esl.frame_malformed',
  frameTooLarge: 'esl.frame_too_large',
  badContentLength: 'esl.bad_content_length',
  eventMalformed: 'esl.event_malformed',
  invalidCommand: 'esl.invalid_command',
  invalidOptions: 'esl.invalid_options',
  commandFailed: 'esl.command_failed',
  timeout: 'esl.timeout',
  jobTimeout: 'esl.job_timeout',
  authFailed: 'esl.auth_failed',
  connectFailed: 'esl.connect_failed',
  disconnected: 'esl.disconnected',
  stopped: 'esl.stopped',
  liveness: 'esl.liveness',
  unexpectedReply: 'esl.unexpected_reply',
  listener: 'esl.listener_failed',
} as const;

export type EslErrorCode = (typeof eslErrorCodes)[keyof typeof eslErrorCodes];

export function eslError(code: EslErrorCode, message: string, context: Record<string, unknown> = {}, cause?: unknown): FifeError {
  return cause === undefined ? new FifeError(code, message, context) : new FifeError(code, message, context, { cause });
}

export function asFifeError(value: unknown, code: EslErrorCode, message: string): FifeError {
  return value instanceof FifeError ? value : eslError(code, `${message}: ${String(value)}`, {}, value);
}

/** Parses options with a zod schema; a bad option throws a FifeError naming it, not a ZodError. */
export function parseOptions<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  throw eslError(eslErrorCodes.invalidOptions, `invalid ${what} options: ${problems.join('; ')}`, { problems });
}
