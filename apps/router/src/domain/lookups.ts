import type { RoutingAccount, RoutingDevice, RoutingUser, ResourceDoc } from './documents.js';

/** A callflow as the evaluator sees it: its numbers, patterns and flow tree. */
export interface CallflowRecord {
  id: string;
  name?: string;
  numbers: string[];
  patterns: string[];
  flow: FlowNode;
}

export interface FlowNode {
  module: string;
  data: Record<string, unknown>;
  children: Record<string, unknown>;
}

/** One registered contact of a SIP user. */
export interface Contact {
  /** `sip:1001@192.0.2.7:5060;transport=udp` */
  uri: string;
  /** The proxy the phone registered through (Kamailio), dialled via `fs_path`. */
  proxyPath?: string;
  /** FreeSWITCH or proxy node that holds the registration. */
  node?: string;
}

/** An answer that may come from a fallback; `note` says so, for the reasons of a dry run. */
export interface Looked<T> {
  value: T;
  note?: string;
}

export interface CalendarStatus {
  status: 'open' | 'closed' | 'busy' | 'free';
  until?: string;
  reason?: string;
}

export interface CallgroupPlanRequest {
  accountId: string;
  number: string;
  callerNumber?: string;
  callerName?: string;
  callerDeviceId?: string;
  callId?: string;
}

/** The callgroup whapp's plan_resp, reduced to what routing needs. */
export interface CallgroupPlan {
  status: 'ringing' | 'busy' | 'offline' | 'noroute' | 'error';
  rendering: { kind: 'bridge' | 'enterprise' | 'park' | 'reject'; dialString?: string; cause?: string; reason?: string };
  legs: number;
  endsAfterS?: number;
  error?: string;
}

/**
 * Everything the evaluator asks the outside world, injected so the domain knows nothing of AMQP or
 * CouchDB. Each function is bounded by its adapter; a failure is a thrown error the module turns into
 * a decision with a reason (never a hang).
 */
export interface RouterLookups {
  account(accountId: string): Promise<RoutingAccount | undefined>;
  /** Callflows listing one of `numbers` exactly, plus every callflow that has patterns. */
  callflows(accountId: string, numbers: string[]): Promise<CallflowRecord[]>;
  device(accountId: string, deviceId: string): Promise<RoutingDevice | undefined>;
  deviceBySipUsername(accountId: string, username: string): Promise<RoutingDevice | undefined>;
  user(accountId: string, userId: string): Promise<RoutingUser | undefined>;
  userDevices(accountId: string, userId: string): Promise<RoutingDevice[]>;
  resources(accountId: string): Promise<ResourceDoc[]>;
  registrations(realm: string, username: string): Promise<Looked<Contact[]>>;
  /** How many calls these SIP users are in right now. */
  activeCalls(realm: string, usernames: string[]): Promise<Looked<number>>;
  calendarStatus(accountId: string, calendarId: string, at: Date): Promise<CalendarStatus>;
  oncall(accountId: string, calendarId: string, at: Date): Promise<{ userIds: string[] }>;
  callgroupPlan(request: CallgroupPlanRequest): Promise<CallgroupPlan>;
}
