import type { Channel } from './channel.js';

/** switch_channel_expand_variables for the plain `${name}` form (no API calls); unknown names expand to ''. */
export function expandVariables(text: string, channel: Channel | undefined, extra: Record<string, string> = {}): string {
  if (!text.includes('${')) return text;
  return text.replace(/\$\{([^{}()]+)\}/g, (_, name: string) => extra[name] ?? channel?.getVar(name) ?? profileField(channel, name) ?? '');
}

/** Caller-profile fields dialplan conditions and ${} can name. */
export function profileField(channel: Channel | undefined, field: string): string | undefined {
  if (!channel) return undefined;
  const p = channel.profile;
  switch (field) {
    case 'destination_number': return p.destinationNumber;
    case 'caller_id_number': return p.callerIdNumber;
    case 'caller_id_name': return p.callerIdName;
    case 'ani': return p.ani;
    case 'context': return p.context;
    case 'network_addr': return p.networkAddr;
    case 'username': return p.username;
    case 'dialplan': return p.dialplan;
    case 'source': return p.source;
    case 'uuid': return channel.uuid;
    case 'chan_name': return channel.name;
    default: return undefined;
  }
}

/** Field lookup for dialplan conditions: profile names, `${var}` expressions, or bare variable names. */
export function conditionField(channel: Channel, field: string): string | undefined {
  if (field.includes('${')) return expandVariables(field, channel);
  return profileField(channel, field) ?? channel.getVar(field);
}
