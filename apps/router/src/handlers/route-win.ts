import { build, dialplan, route } from '@fife/api';
import { handler } from '@fife/bus';
import { commandsOf } from '../domain/route-resp.js';
import type { ParkedPlans } from '../service/parked.js';

/**
 * route_win for a call this process parked: its plan goes to the call's Control-Queue as one `queue`
 * command (answer, play/tones, bridge steps with continue-on-fail, hangup), which ecallmgr runs in order.
 */
export function routeWinHandler(deps: { parked: ParkedPlans }) {
  return handler(route.win, async (msg, ctx) => {
    const actions = deps.parked.take(msg['Call-ID']);
    if (!actions) {
      ctx.log.warn({ callId: msg['Call-ID'] }, 'router: route_win for a call with no parked plan (expired or already run)');
      return;
    }
    const queue = build(
      dialplan.command,
      { 'Application-Name': 'queue', 'Call-ID': msg['Call-ID'], 'Insert-At': 'tail', Commands: commandsOf(actions) } as never,
      ctx.bus.identity,
    );
    await ctx.bus.publish(dialplan.command, queue, { routingKey: msg['Control-Queue'] });
    ctx.log.info({ callId: msg['Call-ID'], commands: actions.map((a) => a.app) }, 'router: parked plan sent to call control');
  });
}
