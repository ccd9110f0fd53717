import type { Logger } from 'pino';
import { ACCOUNTS_DB, accountDbName, type Store } from '@fife/store';
import { cleanDialed, numberForms } from '../domain/numbers.js';
import type { StoreReads } from './store.js';

type Rows = { rows: Array<{ id: string; key: unknown }> };

interface AccountNumbers {
  /** The account database's memo version the forms were computed at. */
  version: number | undefined;
  /** Every form (E.164, national, international without +, with the international prefix) of its DIDs. */
  forms: string[];
}

/**
 * Which account owns a dialed number, for calls that arrive without an account (a carrier's INVITE
 * from an offnet resource to `+3225551234@<carrier-facing address>`).
 *
 * Built from what routing already reads: the accounts (`accounts/by_realm`), each account's numbering
 * plan and the numbers its callflows list (`callflows/by_number`). Only numbers that are DIDs under the
 * account's plan count (extensions like `2000` exist in every account). Each account's part is kept
 * while its database and `accounts` are unchanged (changes feeds), and recomputed after any change.
 * A number two accounts claim belongs to neither: the call gets no answer and a warning.
 */
export class NumberIndex {
  private accountIds: { version: number | undefined; ids: string[] } | undefined;
  private readonly perAccount = new Map<string, AccountNumbers>();
  private byForm: Map<string, Set<string>> | undefined;

  constructor(
    private readonly store: Store,
    private readonly reads: StoreReads,
    private readonly log: Logger,
  ) {}

  /** The account whose callflows list this number (in any of its forms), if exactly one does. */
  async accountIdOf(dialed: string): Promise<string | undefined> {
    const index = await this.index();
    const owners = new Set<string>();
    for (const form of lookupForms(dialed)) for (const id of index.get(form) ?? []) owners.add(id);
    if (owners.size <= 1) return [...owners][0];
    this.log.warn({ dialed, accounts: [...owners] }, 'router: number claimed by several accounts, not routed');
    return undefined;
  }

  private async index(): Promise<Map<string, Set<string>>> {
    let stale = false;
    const accountsVersion = this.reads.accountsVersion();
    if (!this.accountIds || this.accountIds.version === undefined || this.accountIds.version !== accountsVersion) {
      const answer = await this.store.cache(ACCOUNTS_DB).view<Rows>('accounts', 'by_realm', {});
      this.accountIds = { version: accountsVersion, ids: [...new Set(answer.rows.map((r) => r.id))] };
      // An account's numbers also depend on its document (enabled, numbering plan), which lives here.
      this.perAccount.clear();
      stale = true;
    }
    const ids = this.accountIds.ids;
    const current = new Set(ids);
    for (const id of [...this.perAccount.keys()]) {
      if (!current.has(id)) {
        this.perAccount.delete(id);
        stale = true;
      }
    }
    await Promise.all(
      ids.map(async (id) => {
        const known = this.perAccount.get(id);
        const version = this.reads.accountMemo(id)?.version;
        if (known && known.version !== undefined && known.version === version) return;
        this.perAccount.set(id, { version, forms: await this.formsOf(id) });
        stale = true;
      }),
    );
    if (stale || !this.byForm) this.byForm = this.invert();
    return this.byForm;
  }

  private async formsOf(accountId: string): Promise<string[]> {
    try {
      const account = await this.reads.account(accountId);
      if (!account || !account.enabled) return [];
      const answer = await this.store.cache(accountDbName(accountId)).view<Rows>('callflows', 'by_number', {});
      const forms = new Set<string>();
      for (const row of answer.rows) {
        if (typeof row.key !== 'string') continue;
        const number = numberForms(row.key, account.numbering);
        if (number.e164) for (const form of number.candidates) forms.add(form);
        // Without a numbering plan only numbers written in E.164 are recognisably DIDs.
        else if (/^\+\d{6,15}$/.test(number.dialed)) forms.add(number.dialed).add(number.dialed.slice(1));
      }
      return [...forms];
    } catch (err) {
      // One broken account must not hide every other account's numbers.
      this.log.warn({ err, accountId }, 'router: numbers of an account could not be indexed');
      return [];
    }
  }

  private invert(): Map<string, Set<string>> {
    const byForm = new Map<string, Set<string>>();
    for (const [id, { forms }] of this.perAccount) {
      for (const form of forms) {
        const owners = byForm.get(form) ?? new Set<string>();
        owners.add(id);
        byForm.set(form, owners);
      }
    }
    return byForm;
  }
}

/** What a carrier may send for one number: `+3225551234`, `3225551234`, `003225551234`, `025551234`. */
export function lookupForms(dialed: string): string[] {
  const clean = cleanDialed(dialed);
  const forms = new Set([clean]);
  if (/^\d{7,15}$/.test(clean)) forms.add(`+${clean}`);
  if (/^00\d{6,15}$/.test(clean)) forms.add(`+${clean.slice(2)}`);
  return [...forms];
}
