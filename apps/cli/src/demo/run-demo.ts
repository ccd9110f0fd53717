import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { FifeClient } from '@fife/client';
import type { SimNode } from '@fife/testkit';
import { SAMPLE_CALLS, mismatches, type SampleCall } from './calls.js';
import { loadDemoData, type DemoData } from './data.js';
import { DEMO_REALM, PHONES, SUPPORT_CALENDAR_ID, aorOf } from './people.js';
import { placeCall } from './place-call.js';
import { formatOutcome, type CallOutcome } from './report.js';
import { registerPhones } from './sim.js';

export interface DemoOptions {
  amqpUrl: string;
  /** Where the applied provisioning file is written for people to read (`<dataDir>/demo-account.yaml`). */
  dataDir: string;
  node: SimNode;
  say: (line: string) => void;
}

export interface DemoResult {
  data: DemoData;
  outcomes: CallOutcome[];
  ok: boolean;
}

interface Demo extends DemoOptions {
  client: FifeClient;
}

/** How long the support line stays open once the sample calls start: the open call routes well within it. */
const SUPPORT_OPEN_FOR_MS = 6_000;
const MIN_OPEN_LEFT_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const hhmmss = (d: Date) => d.toISOString().slice(11, 19);

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await sleep(300);
  }
}

/**
 * The demo on a running cluster with a simulated FreeSWITCH: loads the sample account, registers the
 * phones, runs the sample calls, prints what happened to each and whether it is what should happen.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const client = await FifeClient.connect({ url: opts.amqpUrl, appName: 'fife-demo', logger: pino({ level: 'silent' }) });
  const demo: Demo = { ...opts, client };
  try {
    await prepare(demo);
    const data = await closeSupportSoon(demo);
    const outcomes = await sampleCalls(demo, data);
    opts.say('');
    outcomes.forEach((o, i) => opts.say(`${formatOutcome(i + 1, o)}\n`));
    return { data, outcomes, ok: outcomes.every((o) => o.problems.length === 0) };
  } finally {
    await client.close();
  }
}

/** Data loaded, phones registered and listed by the registrar, the router answering every sample number. */
async function prepare({ client, node, say, dataDir }: Demo): Promise<void> {
  const data = await loadDemoData(client.bus, { supportOpenUntil: new Date(Date.now() + 3_600_000) });
  const file = join(dataDir, 'demo-account.yaml');
  await writeFile(file, data.yaml);
  const { created, changed, unchanged } = data.report.counts;
  say(
    `demo: provisioned the sample account (realm ${data.realm}, id ${data.accountId}) over the bus, as \`fife provision ${file}\` would: ` +
      `${created} created, ${changed} changed, ${unchanged} unchanged`,
  );

  const registered = await registerPhones(node);
  const refused = registered.filter((r) => r.outcome !== 'registered');
  say(`demo: ${registered.length - refused.length} of ${registered.length} simulated phones registered (REGISTER → mod_xml_curl → ecallmgr → authn_req → registrar)`);
  if (refused.length > 0) throw new Error(`phones not registered: ${refused.map((r) => `${r.ext} (${r.outcome})`).join(', ')}`);
  await until('the registrar to list every phone', 15_000, async () => ((await client.registrations.count(DEMO_REALM)) >= registered.length ? true : undefined));

  // The first queries of freshly written documents build CouchDB's view indexes, slower than the
  // router's per-lookup deadlines: ask the router (dry runs, nothing rings) until it answers each.
  say('demo: warming up (the first lookups build the CouchDB view indexes) ...');
  for (const to of new Set(SAMPLE_CALLS.map((s) => s.to))) {
    await until(`the router to route ${to}`, 30_000, async () => {
      const plan = await client.routes.dryRun({ to, from: aorOf(PHONES.alice), timeoutMs: 5000 });
      return plan.result === 'bridge' ? plan : undefined;
    });
  }
}

/** Moves the support line's closing time a few seconds ahead, so one run sees it open and then closed. */
async function closeSupportSoon({ client, say }: Demo): Promise<DemoData> {
  for (let attempt = 1; ; attempt++) {
    const data = await loadDemoData(client.bus, { supportOpenUntil: new Date(Date.now() + SUPPORT_OPEN_FOR_MS) });
    const closes = data.supportOpenUntil.toISOString().replace(/\.\d{3}/, '');
    await until('the calendar whapp to see the new Support hours', 15_000, async () => {
      const status = await client.calendars.status({ accountId: data.accountId, calendarId: SUPPORT_CALENDAR_ID });
      return status.Status === 'open' && status.Until === closes ? status : undefined;
    });
    // A slow machine may have used up the window already: the open-line call needs some of it left.
    if (data.supportOpenUntil.getTime() - Date.now() < MIN_OPEN_LEFT_MS && attempt < 3) continue;
    say(
      `demo: Support hours open until ${hhmmss(data.supportOpenUntil)} UTC: the demo set the closing time a few seconds ahead, ` +
        `so one run shows the support line open and then closed (the router asks the calendar at each call's real time)`,
    );
    return data;
  }
}

/** Every sample call at once (different phones), the closed-line call once the line has closed. */
async function sampleCalls({ client, node, say }: Demo, data: DemoData): Promise<CallOutcome[]> {
  say('demo: placing the sample calls ...');
  const run = async (sample: SampleCall): Promise<CallOutcome> => {
    if (sample.when === 'closed') await sleep(data.supportOpenUntil.getTime() + 500 - Date.now());
    const placed = await placeCall(node, PHONES[sample.from].ext, sample.to);
    // The router's reasons for this very call: a dry run at the instant the call was placed.
    const plan = await client.routes
      .dryRun({ to: sample.to, from: aorOf(PHONES[sample.from]), at: placed.placedAt })
      .catch((err: Error) => ({ result: 'unknown', reasons: [`dry run failed: ${err.message}`] }));
    return { sample, placed, route: { result: plan.result, reasons: plan.reasons }, problems: mismatches(sample, placed, plan.reasons) };
  };
  return Promise.all(SAMPLE_CALLS.map(run));
}
