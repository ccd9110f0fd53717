import { accountDbName, newDocId, type Store } from '@fife/store';

/** Writes router documents through the store's validated upsert (the way provisioning would). */
export class Provision {
  constructor(
    private readonly store: Store,
    readonly accountId: string,
  ) {}

  private async put(doc: Record<string, unknown> & { _id?: string }): Promise<string> {
    const id = doc._id ?? newDocId();
    await this.store.upsert(accountDbName(this.accountId), id, () => ({ ...doc, _id: id }));
    return id;
  }

  device(username: string, extra: Record<string, unknown> = {}): Promise<string> {
    return this.store.createDevice(this.accountId, { sip: { username, password: 'secret' }, ...extra });
  }

  user(extra: Record<string, unknown> = {}): Promise<string> {
    return this.put({ pvt_type: 'user', ...extra });
  }

  callflow(numbers: string[], flow: Record<string, unknown>, patterns: string[] = []): Promise<string> {
    return this.put({ pvt_type: 'callflow', numbers, patterns, flow });
  }

  resource(doc: Record<string, unknown>): Promise<string> {
    return this.put({ pvt_type: 'resource', ...doc });
  }
}
