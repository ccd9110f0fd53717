import type { Stage2State } from './schema/stage2.js';
import type { LegKind, SkipReason } from './schema/plan.js';
import { matchTrunk, type Topology } from './topology.js';

const STAGE2_USER_TYPES = new Set(['SIMPLE', 'MULTIRING', 'TRUNK']);

export type Stage2User =
  | { kind: 'static'; target: string }
  | { kind: 'user'; key: string }
  | { kind: 'external' };

export interface StartedDevice {
  device: string | null;
  kind: LegKind;
}

export type Stage2Outcome =
  | { ok: true; devices: StartedDevice[]; userKey: string | null }
  | { ok: false; reason: SkipReason };

/**
 * Stage 2 (§1.7) with the state of one call: maps a leaf number to devices when its leg starts,
 * refusing offline, busy (no call waiting) and duplicate legs. Counts this call's legs per user
 * so a device never has two simultaneous legs of one call (C4).
 */
export class Stage2Runtime {
  private readonly legsUp = new Map<string, number>();

  constructor(
    private readonly topology: Topology,
    private readonly state: Stage2State,
  ) {}

  resolveUser(number: string): Stage2User | null {
    if (this.state.static[number] !== undefined) return { kind: 'static', target: this.state.static[number] };
    const ext = this.topology.byNumber.get(number);
    // FORMAT: an EXTERNAL placeholder without a static entry always goes out as an external leg
    if (ext?.type === 'EXTERNAL') return { kind: 'external' };
    if (ext && STAGE2_USER_TYPES.has(ext.type)) return { kind: 'user', key: number };
    const trunk = matchTrunk(this.topology, number);
    if (trunk) return { kind: 'user', key: trunk.ext };
    return null;
  }

  tryStart(number: string, noCallWait: boolean): Stage2Outcome {
    const user = this.resolveUser(number);
    if (!user) return { ok: false, reason: 'unrouted' };
    if (user.kind === 'static') return { ok: true, devices: [{ device: null, kind: 'static' }], userKey: null };
    if (user.kind === 'external') return { ok: true, devices: [{ device: null, kind: 'external' }], userKey: null };
    const devices = this.state.registrations[user.key] ?? [user.key];
    if (devices.length === 0) return { ok: false, reason: 'offline' };
    const ours = this.legsUp.get(user.key) ?? 0;
    const inUse = (this.state.busy[user.key] ?? 0) + ours;
    const callWaiting = this.state.call_waiting[user.key] ?? true;
    if ((noCallWait || !callWaiting) && inUse > 0) return { ok: false, reason: 'busy' };
    if (ours > 0) return { ok: false, reason: 'duplicate' };
    this.legsUp.set(user.key, ours + 1);
    return { ok: true, devices: devices.map((device) => ({ device, kind: 'device' as const })), userKey: user.key };
  }

  release(userKey: string | null): void {
    if (userKey === null) return;
    const n = (this.legsUp.get(userKey) ?? 0) - 1;
    if (n > 0) this.legsUp.set(userKey, n);
    else this.legsUp.delete(userKey);
  }
}
