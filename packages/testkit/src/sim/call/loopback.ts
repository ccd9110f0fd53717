import { SITES } from '../event-factory.js';
import { L16 } from './channel.js';
import type { CallEngine } from './engine.js';
import type { Resolution } from './originate.js';

/**
 * mod_loopback: `loopback/<ext>[/<context>]` makes an a-leg (ringing in the originate) and a b-leg that runs the
 * dialplan for <ext>; progress, answer and hangup travel between the two.
 */
export function loopbackTarget(engine: CallEngine, target: string): Resolution {
  const [, ext = '', context = 'default'] = target.split('/');
  return {
    ok: true,
    vars: {},
    target: {
      endpoint: undefined,
      start: ({ caller, vars, rootCall }) => {
        const cidName = vars['origination_caller_id_name'] ?? caller?.profile.callerIdName ?? '';
        const cidNumber = vars['origination_caller_id_number'] ?? caller?.profile.callerIdNumber ?? '';
        const common = {
          callerIdName: cidName, callerIdNumber: cidNumber, origCallerIdName: cidName, origCallerIdNumber: cidNumber,
          ani: cidNumber, destinationNumber: ext, source: 'mod_loopback', context, dialplan: 'xml',
        };
        const codecVars: Array<[string, string]> = [['read_codec', 'L16'], ['read_rate', '8000'], ['write_codec', 'L16'], ['write_rate', '8000']];
        const a = engine.newChannel({
          name: `loopback/${ext}-a`, direction: 'outbound', hitDialplan: false, codec: L16, rootCall,
          profile: { ...common, calleeIdName: 'Outbound Call', calleeIdNumber: context },
          vars: [...codecVars, ...Object.entries(vars), ['originate_early_media', 'true'], ['originate_endpoint', 'loopback']],
        });
        const b = engine.newChannel({
          name: `loopback/${ext}-b`, direction: 'inbound', hitDialplan: true, codec: L16, rootCall,
          profile: { ...common, calleeIdName: 'Outbound Call', calleeIdNumber: context },
          // mod_loopback copies the a-leg's variables to the b-leg: CCVs given in `{}` reach the routed leg.
          vars: [...codecVars, ...Object.entries(vars), ['other_loopback_leg_uuid', a.uuid], ['loopback_leg', 'B']],
        });
        a.setVar('other_loopback_leg_uuid', b.uuid);
        a.setVar('loopback_leg', 'A');
        b.onProgress((early) => (early ? a.preAnswer() : a.ringReady()));
        b.beforeAnswer(() => a.answer());
        b.onHangup((cause) => a.hangup(cause));
        a.onHangup((cause) => b.hangup(cause));
        a.setState('CS_INIT', 'CS_ROUTING');
        b.setState('CS_INIT', 'CS_ROUTING');
        b.fire('CHANNEL_CREATE', SITES.channelCreate);
        a.fire('CHANNEL_CREATE', SITES.channelCreate);
        a.fire('CHANNEL_ORIGINATE', SITES.channelOriginate);
        a.setState('CS_CONSUME_MEDIA');
        void engine.sessionFor(b).runDialplan();
        return a;
      },
    },
  };
}
