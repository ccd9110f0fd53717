import { toGregorianSeconds, toUnixSeconds } from '@fife/api';

/**
 * Kazoo writes Gregorian seconds (since year 0), Kamailio Unix seconds; the registrar stores Unix
 * seconds and answers in Gregorian seconds, as ecallmgr does in reg_query_resp.
 */
export { toGregorianSeconds, toUnixSeconds };

export const unixNow = (nowMs: number): number => Math.floor(nowMs / 1000);
