import type { Logger } from 'pino';
import type { MessageOf, authnReq } from '@fife/api';
import { decideAuthn, type AuthnDecision, type CredentialPolicy } from '../domain/credential-policy.js';
import type { AccountEntry, DeviceEntry } from '../domain/directory.js';
import { authnSubject } from '../domain/realm.js';

export type AuthnReq = MessageOf<typeof authnReq>;

/** Where credentials come from (CouchDB behind a cache in production, a map in unit tests). */
export interface CredentialSource {
  account(realm: string): Promise<AccountEntry | undefined>;
  device(accountId: string, username: string): Promise<DeviceEntry | undefined>;
  ipDevice(accountId: string, ip: string): Promise<DeviceEntry | undefined>;
  /** Whether a user of the account is enabled; undefined when there is no such user. */
  userEnabled(accountId: string, userId: string): Promise<boolean | undefined>;
}

/** Looks up what an authn_req asks about and applies the credential policy. */
export class Authenticator {
  /** Devices already warned about: the operator needs to hear it once, not on every REGISTER. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly source: CredentialSource,
    private readonly policy: CredentialPolicy,
    private readonly log: Logger,
  ) {}

  async authenticate(req: AuthnReq): Promise<AuthnDecision> {
    const subject = authnSubject(req);
    let account: AccountEntry | undefined;
    for (const realm of subject.lookupRealms) {
      account = await this.source.account(realm);
      if (account) break;
    }
    const device = account ? await this.source.device(account.id, subject.username) : undefined;
    const origIp = req['Orig-IP'];
    const ipDevice = account && !device && origIp ? await this.source.ipDevice(account.id, origIp) : undefined;
    const owner = (device ?? ipDevice)?.ownerId;
    const ownerEnabled = account && owner ? await this.source.userEnabled(account.id, owner) : undefined;
    const decision = decideAuthn({ subject, request: req, account, device, ipDevice, ownerEnabled }, this.policy);
    if (decision.kind === 'deny' && decision.reason === 'clear_password_not_allowed') this.warnClearPassword(req, decision.deviceId);
    return decision;
  }

  private warnClearPassword(req: AuthnReq, deviceId: string | undefined): void {
    const key = `${deviceId}|${req['App-Name']}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(
      { deviceId, requester: req['App-Name'], node: req.Node, realm: req['Auth-Realm'], user: req['Auth-User'] },
      'registrar: this requester checks clear passwords only, and clear passwords are not enabled for this device/account/realm: answering authn_err (set allow_clear_password on the device or account, or REGISTRAR_CLEAR_PASSWORD_REALMS)',
    );
  }
}
