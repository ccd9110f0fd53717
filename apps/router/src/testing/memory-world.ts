import {
  resourceDocSchema,
  routingAccountSchema,
  routingDeviceSchema,
  routingUserSchema,
  type ResourceDoc,
  type RoutingAccount,
  type RoutingDevice,
  type RoutingUser,
} from '../domain/documents.js';
import type { CalendarStatus, CallflowRecord, CallgroupPlan, CallgroupPlanRequest, Contact, RouterLookups } from '../domain/lookups.js';

/**
 * An account held in memory, answering the evaluator's lookups the way the AMQP and store adapters
 * would: for the pure domain tests (the adapters have their own tests against RabbitMQ and CouchDB).
 */
export class MemoryWorld implements RouterLookups {
  readonly accountId = '4fe69c5b61015084f1fe5684abc6e502';
  account_: RoutingAccount;
  readonly flows: CallflowRecord[] = [];
  readonly devices = new Map<string, RoutingDevice>();
  readonly users = new Map<string, RoutingUser>();
  readonly resourceDocs: ResourceDoc[] = [];
  readonly contacts = new Map<string, Contact[]>();
  readonly calls = new Map<string, number>();
  calendars = new Map<string, (at: Date) => CalendarStatus>();
  oncallUsers = new Map<string, string[]>();
  callgroupAnswer: (req: CallgroupPlanRequest) => CallgroupPlan | Promise<CallgroupPlan> = () => {
    throw new Error('no callgroup whapp');
  };
  asked: string[] = [];

  constructor(account: Record<string, unknown> = {}) {
    this.account_ = routingAccountSchema.parse({ _id: this.accountId, realm: 'sip.example.com', ...account });
  }

  addCallflow(id: string, numbers: string[], flow: Record<string, unknown>, patterns: string[] = []): this {
    this.flows.push({ id, numbers, patterns, flow: { data: {}, children: {}, ...flow } as CallflowRecord['flow'] });
    return this;
  }

  addDevice(id: string, username: string, extra: Record<string, unknown> = {}, contacts: string[] = [`sip:${username}@10.0.0.${this.devices.size + 10}:5060`]): this {
    this.devices.set(id, routingDeviceSchema.parse({ _id: id, sip: { username }, ...extra }));
    this.contacts.set(username, contacts.map((uri) => ({ uri })));
    return this;
  }

  addUser(id: string, extra: Record<string, unknown> = {}): this {
    this.users.set(id, routingUserSchema.parse({ _id: id, ...extra }));
    return this;
  }

  addResource(doc: Record<string, unknown>): this {
    this.resourceDocs.push(resourceDocSchema.parse({ pvt_type: 'resource', ...doc }));
    return this;
  }

  async account(id: string) {
    return id === this.accountId ? this.account_ : undefined;
  }
  async callflows(id: string, numbers: string[]) {
    if (id !== this.accountId) return [];
    return this.flows.filter((f) => f.patterns.length > 0 || f.numbers.some((n) => numbers.includes(n)));
  }
  async device(_a: string, id: string) {
    return this.devices.get(id);
  }
  async deviceBySipUsername(_a: string, username: string) {
    return [...this.devices.values()].find((d) => d.sip.username === username);
  }
  async user(_a: string, id: string) {
    return this.users.get(id);
  }
  async userDevices(_a: string, id: string) {
    return [...this.devices.values()].filter((d) => d.owner_id === id);
  }
  async resources() {
    return this.resourceDocs;
  }
  async registrations(_realm: string, username: string) {
    this.asked.push(`reg:${username}`);
    return { value: this.contacts.get(username) ?? [] };
  }
  async activeCalls(_realm: string, usernames: string[]) {
    return { value: usernames.reduce((n, u) => n + (this.calls.get(u) ?? 0), 0) };
  }
  async calendarStatus(_a: string, id: string, at: Date) {
    const cal = this.calendars.get(id);
    if (!cal) throw new Error(`no calendar ${id}`);
    return cal(at);
  }
  async oncall(_a: string, id: string) {
    return { userIds: this.oncallUsers.get(id) ?? [] };
  }
  async callgroupPlan(req: CallgroupPlanRequest) {
    return this.callgroupAnswer(req);
  }
}
