import { registration, type MessageOf } from '@fife/api';
import type { Bus } from '@fife/bus';

type RegistrationEntry = NonNullable<MessageOf<typeof registration.queryResp>['Fields']>[number];

export interface RegistrationQuery {
  realm: string;
  username?: string;
  /** reg_success field names to return; default all. */
  fields?: string[];
  timeoutMs?: number;
}

/**
 * reg_query is answered by every registrar (collect mode): replies are merged and, per contact, the
 * entry with the newest Event-Timestamp wins, as Kazoo's requesters do.
 */
export class Registrations {
  constructor(private readonly bus: Bus) {}

  async query(q: RegistrationQuery): Promise<RegistrationEntry[]> {
    const replies = await this.bus.collect(
      registration.query,
      { Realm: q.realm, ...(q.username ? { Username: q.username } : {}), ...(q.fields ? { Fields: q.fields } : {}) },
      { timeoutMs: q.timeoutMs ?? 1500, replies: [registration.queryResp, registration.queryError] },
    );
    const newest = new Map<string, RegistrationEntry>();
    for (const reply of replies) {
      for (const entry of (reply.Fields as RegistrationEntry[] | undefined) ?? []) {
        const key = String(entry.Contact ?? `${entry.Username}@${entry.Realm}`);
        const seen = newest.get(key);
        if (!seen || Number(entry['Event-Timestamp'] ?? 0) > Number(seen['Event-Timestamp'] ?? 0)) newest.set(key, entry);
      }
    }
    return [...newest.values()];
  }

  async count(realm: string, username?: string, timeoutMs = 1500): Promise<number> {
    const replies = await this.bus.collect(
      registration.query,
      { Realm: realm, ...(username ? { Username: username } : {}), 'Count-Only': true },
      { timeoutMs, replies: [registration.queryResp, registration.queryError] },
    );
    return Math.max(0, ...replies.map((r) => Number(r.Count ?? 0)));
  }
}
