import { encodeSegment } from '@fife/api';

export type Binding = { exchange: string; key: string };

/** Routing-key forms of a realm: Kazoo lowercases it in authn keys, Kamailio sends it as written. */
function realmSegments(realm: string): string[] {
  if (realm === '*') return ['*'];
  return [...new Set([encodeSegment(realm.toLowerCase()), encodeSegment(realm)])];
}

export function authnBindings(realms: string[], endpointKeys: boolean): Binding[] {
  return realms.flatMap(realmSegments).flatMap((r) => [
    { exchange: 'callmgr', key: `authn.req.${r}` },
    ...(endpointKeys ? [{ exchange: 'registrar', key: `authn.endpoint.req.${r}` }] : []),
  ]);
}

export const regSuccessBindings = (realms: string[]): Binding[] =>
  realms.flatMap(realmSegments).map((r) => ({ exchange: 'registrar', key: `registration.success.${r}.*` }));

export const regQueryBindings = (realms: string[]): Binding[] =>
  realms.flatMap(realmSegments).map((r) => ({ exchange: 'registrar', key: `registration.query.${r}.*` }));

export const regFlushBindings = (realms: string[]): Binding[] =>
  realms.flatMap(realmSegments).map((r) => ({ exchange: 'registrar', key: `registration.flush.${r}` }));
