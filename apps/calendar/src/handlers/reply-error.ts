import { FifeError, genericError } from '@fife/api';
import type { HandlerContext } from '@fife/bus';

/** Anything that prevents an answer becomes error/<operation> naming the code and the reason. */
export async function replyError(ctx: HandlerContext, operation: string, msg: Record<string, unknown>, err: unknown): Promise<void> {
  const error = err instanceof FifeError ? err : new FifeError('calendar.failed', (err as Error)?.message ?? String(err), {}, { cause: err });
  ctx.log.warn({ err: error, accountId: msg['Account-ID'], calendarId: msg['Calendar-ID'] }, `calendar: ${operation} refused`);
  await ctx.reply(genericError, { 'Event-Name': operation, 'Error-Message': `${error.code}: ${error.message}`, Request: msg } as never);
}
