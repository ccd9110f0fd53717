/** Hangup causes with their Q.850 codes and the SIP status sofia maps them to (switch_channel.c / sofia_glue.c). */
const CAUSES: Record<string, { q850: number; sip: number }> = {
  NONE: { q850: 0, sip: 0 },
  UNALLOCATED_NUMBER: { q850: 1, sip: 404 },
  NO_ROUTE_TRANSIT_NET: { q850: 2, sip: 404 },
  NO_ROUTE_DESTINATION: { q850: 3, sip: 404 },
  NORMAL_CLEARING: { q850: 16, sip: 200 },
  USER_BUSY: { q850: 17, sip: 486 },
  NO_USER_RESPONSE: { q850: 18, sip: 408 },
  NO_ANSWER: { q850: 19, sip: 480 },
  SUBSCRIBER_ABSENT: { q850: 20, sip: 480 },
  CALL_REJECTED: { q850: 21, sip: 603 },
  NUMBER_CHANGED: { q850: 22, sip: 410 },
  DESTINATION_OUT_OF_ORDER: { q850: 27, sip: 502 },
  INVALID_NUMBER_FORMAT: { q850: 28, sip: 484 },
  NORMAL_UNSPECIFIED: { q850: 31, sip: 480 },
  NORMAL_CIRCUIT_CONGESTION: { q850: 34, sip: 503 },
  NETWORK_OUT_OF_ORDER: { q850: 38, sip: 502 },
  NORMAL_TEMPORARY_FAILURE: { q850: 41, sip: 503 },
  SWITCH_CONGESTION: { q850: 42, sip: 503 },
  CHAN_NOT_IMPLEMENTED: { q850: 66, sip: 501 },
  INCOMPATIBLE_DESTINATION: { q850: 88, sip: 488 },
  RECOVERY_ON_TIMER_EXPIRE: { q850: 102, sip: 504 },
  ORIGINATOR_CANCEL: { q850: 487, sip: 487 },
  LOSE_RACE: { q850: 502, sip: 487 },
  MANAGER_REQUEST: { q850: 503, sip: 503 },
  ALLOTTED_TIMEOUT: { q850: 602, sip: 408 },
  USER_NOT_REGISTERED: { q850: 606, sip: 480 },
  PROGRESS_TIMEOUT: { q850: 607, sip: 408 },
  SYSTEM_SHUTDOWN: { q850: 501, sip: 503 },
};

export function isKnownCause(name: string): boolean {
  return name.toUpperCase() in CAUSES;
}

/** switch_channel_str2cause: names case-insensitively, or a numeric Q.850 code. */
export function normaliseCause(input: string | undefined, fallback = 'NORMAL_CLEARING'): string {
  if (!input) return fallback;
  const upper = input.trim().toUpperCase();
  if (upper in CAUSES) return upper;
  const code = Number(upper);
  if (Number.isInteger(code)) {
    const found = Object.entries(CAUSES).find(([, v]) => v.q850 === code);
    if (found) return found[0];
  }
  return fallback;
}

export function q850Of(cause: string): number {
  return CAUSES[cause]?.q850 ?? 0;
}

export function sipStatusOf(cause: string): number {
  return CAUSES[cause]?.sip ?? 480;
}
