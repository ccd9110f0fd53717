import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fixturePath, hasShared, sharedSkip } from '../shared-fixtures.js';
import { VirtualClock } from './clock.js';
import { SimNode } from './node.js';
import { directoryXml, NOT_FOUND, TestXmlCurlServer } from './test-support/xml-curl-server.js';

/** The parts of a call-group scenario (fixtures/callgroup/FORMAT.md) this test uses. */
interface PlanLeg {
  extension: string;
  device: string | null;
  kind: 'device' | 'external' | 'static';
  start_after_s: number;
  stop_after_s: number | null;
}
interface Scenario {
  name: string;
  events?: unknown[];
  expected: { status: string; ring_plan?: PlanLeg[]; ends_after_s?: number | null };
}

const D = '127.0.0.1';
const legUser = (leg: PlanLeg): string => leg.device ?? leg.extension;

/**
 * §2.3 of callgroup-semantics.md: a plan without pending untimed steps flattens into one `,` group of
 * `[leg_delay_start=start,leg_timeout=stop-start]` legs. This is the rendering ecallmgr will do; here it drives
 * the simulator so the originate engine can be checked against the corpus' ring plans.
 */
function flatten(plan: PlanLeg[], ports: Map<string, number>): string {
  const horizon = Math.max(...plan.map((l) => Math.max(l.start_after_s, l.stop_after_s ?? 0))) + 60;
  const legs = plan.map((l) => {
    const vars: string[] = [];
    if (l.start_after_s > 0) vars.push(`leg_delay_start=${l.start_after_s}`);
    if (l.stop_after_s !== null) vars.push(`leg_timeout=${l.stop_after_s - l.start_after_s}`);
    const user = legUser(l);
    return `${vars.length ? `[${vars.join(',')}]` : ''}sofia/internal/sip:${user}@${D}:${ports.get(user)}`;
  });
  return `{ignore_early_media=true,originate_timeout=${horizon}}${legs.join(',')}`;
}

function loadScenarios(): Scenario[] {
  if (!hasShared) return [];
  const dir = fixturePath('callgroup');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Scenario)
    .filter((s) => s.expected.status === 'ringing' && !s.events?.length && (s.expected.ring_plan?.length ?? 0) > 0);
}

describe('call-group corpus ring plans, flattened to one dial string, ring as planned', { skip: sharedSkip, timeout: 60_000 }, () => {
  let xml: TestXmlCurlServer;
  before(async () => {
    xml = await new TestXmlCurlServer((p) => {
      const user = p.get('user');
      return p.get('section') === 'directory' && user ? directoryXml(D, { id: user, password: 'pw' }) : NOT_FOUND;
    }).start();
  });
  after(async () => xml.stop());

  for (const granularity of ['exact', 'freeswitch'] as const) {
    for (const scenario of loadScenarios()) {
      test(`${scenario.name} (${granularity} timers)`, () => runScenario(xml.url, scenario, granularity));
    }
  }
});

/** FreeSWITCH's whole-second timers fire up to 1 s late (§2.5): with them every time may be up to +1 s. */
function within(got: number | undefined, want: number | null, tolerance: number): boolean {
  if (want === null) return got === undefined;
  return got !== undefined && got >= want && got <= want + tolerance;
}

async function runScenario(url: string, scenario: Scenario, granularity: 'exact' | 'freeswitch'): Promise<void> {
  const plan = scenario.expected.ring_plan!;
  const clock = new VirtualClock();
  const users = [...new Set(plan.map(legUser))];
  const ports = new Map(users.map((u, i) => [u, 17000 + i]));
  const dial = flatten(plan, ports);
  const node = new SimNode({
    clock,
    granularity,
    authCalls: false,
    xmlCurl: { url },
    staticDialplan: () => [{ application: 'bridge', data: dial }],
    endpoints: [
      { user: 'caller', domain: D, password: 'pw', register: false },
      ...users.map((u) => ({ user: u, domain: D, password: 'pw', port: ports.get(u)!, behaviour: { kind: 'noanswer' as const } })),
    ],
  });
  try {
    await node.start();
    const call = await node.phone('caller').call('2000');
    const last = Math.max(...plan.map((l) => Math.max(l.start_after_s, l.stop_after_s ?? 0)));
    await clock.advance((last + 5) * 1000);
    const log = call.ringLog()!;
    const tolerance = granularity === 'exact' ? 0 : 1;
    const unmatched = [...log.attempts];
    const problems: string[] = [];
    for (const leg of plan) {
      const i = unmatched.findIndex(
        (a) => a.endpoint === `${legUser(leg)}@${D}` && within(a.startS, leg.start_after_s, tolerance) && within(a.endS, leg.stop_after_s, tolerance),
      );
      if (i < 0) problems.push(`no attempt for ${legUser(leg)} ${leg.start_after_s}-${leg.stop_after_s ?? 'ringing'}`);
      else unmatched.splice(i, 1);
    }
    for (const a of unmatched) problems.push(`unplanned attempt ${a.endpoint} ${a.startS}-${a.endS ?? 'ringing'}`);
    assert.deepEqual(problems, [], `dial string: ${dial}`);
    if (scenario.expected.ends_after_s != null) assert.ok(within(log.endS, scenario.expected.ends_after_s, tolerance), `ended at ${log.endS}`);
    call.hangup();
    await clock.advance(100);
  } finally {
    await node.stop();
  }
}

