import type { Command } from 'commander';
import { planFromReply, runPlanCli } from '@fife/callgroup';
import { amqpUrlOrExit, positiveInt, runCli, withCliClient } from '../cli-bus.js';
import { color, errorMessage, exitCodeFor, printJson, stdio, type Io } from '../output/index.js';

export type CommandIo = Io;

/**
 * `fife callgroup plan SCENARIO.json`: the scenario's ring plan in the shape of its `expected` object,
 * computed locally by the callgroup domain (no broker, no database). Returns the exit code.
 */
export function planScenarioFile(file: string, opts: { explain?: boolean; json?: boolean }, io: CommandIo = stdio): number {
  let printed = '';
  const code = runPlanCli([file, ...(opts.explain ? ['--explain'] : [])], { out: (t) => (printed += t), err: io.err });
  if (code === 0) io.out(opts.json ? `${JSON.stringify(JSON.parse(printed))}\n` : printed);
  return code;
}

export interface AskOptions {
  account: string;
  number: string;
  from?: string;
  callId?: string;
  explain?: boolean;
  json?: boolean;
  timeoutMs: number;
}

/**
 * `fife callgroup ask`: sends plan_req to the running callgroup service and prints its answer.
 * Exit 0 with a plan (whatever its status), 1 when the service refuses, 3 when nobody answers.
 */
export async function askPlan(url: string, opts: AskOptions, io: CommandIo = stdio): Promise<number> {
  return withCliClient(url, async (client) => {
    const reply = await client.callgroups.plan({
      accountId: opts.account,
      number: opts.number,
      ...(opts.from ? { from: opts.from } : {}),
      ...(opts.callId ? { callId: opts.callId } : {}),
      ...(opts.explain ? { explain: true } : {}),
      timeoutMs: opts.timeoutMs,
    });
    if (opts.json) printJson(reply, { io });
    else io.out(formatReply(reply));
    return 0;
  }).catch((err: unknown) => {
    io.err(`fife callgroup ask: ${errorMessage(err)}\n`);
    return exitCodeFor(err);
  });
}

/** A plan_resp for people: status, legs with their times, skipped legs, the dial string, the tree. */
export function formatReply(reply: Record<string, unknown>): string {
  const plan = planFromReply(reply);
  const paint = plan.status === 'ringing' ? color.ok : color.bad;
  const lines = [`status: ${paint(plan.status)}${plan.ends_after_s !== null ? ` (ends after ${plan.ends_after_s} s)` : ''}`];
  for (const leg of plan.ring_plan) {
    const until = leg.stop_after_s === null ? '…' : `${leg.stop_after_s}s`;
    lines.push(`  ${leg.start_after_s}s-${until}  ${leg.extension}  ${leg.kind}${leg.device ? ` ${leg.device}` : ''}  via ${leg.via_path.join(' > ')}`);
  }
  for (const s of plan.skipped) lines.push(`  skipped ${s.extension} at ${s.at_s}s: ${s.reason}  via ${s.via_path.join(' > ')}`);
  const rendering = reply.Rendering as { kind: string; dial_string?: string; cause?: string; reason?: string };
  lines.push(`rendering: ${rendering.kind}${rendering.cause ? ` ${rendering.cause}` : ''}${rendering.reason ? ` (${rendering.reason})` : ''}`);
  if (rendering.dial_string) lines.push(`  ${rendering.dial_string}`);
  for (const note of (reply.Stage2 as { notes?: string[] } | undefined)?.notes ?? []) lines.push(`note: ${note}`);
  for (const warning of (reply.Warnings as string[] | undefined) ?? []) lines.push(`warning: ${warning}`);
  for (const node of (reply.Tree as { path: string[]; type: string; log: { message: string }[] }[] | undefined) ?? []) {
    lines.push(`${'  '.repeat(node.path.length - 1)}${node.path.at(-1)} (${node.type})`);
    for (const entry of node.log) lines.push(`${'  '.repeat(node.path.length)}- ${entry.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerCallgroup(program: Command): void {
  const group = program.command('callgroup').description('call groups: plan scenarios locally, ask the running callgroup service');
  group
    .command('plan <scenario>')
    .description("print a scenario file's ring plan as JSON, in the shape of the scenario FORMAT's `expected`")
    .option('--explain', 'add every tree node with its decisions', false)
    .option('--json', 'one line of JSON instead of indented JSON', false)
    .addHelpText('after', '\nExamples:\n  $ fife callgroup plan ../shared/fixtures/callgroup/worked-example.json\n  $ fife callgroup plan scenario.json --explain --json | jq .ring_plan')
    .action((scenario: string, opts: { explain: boolean; json: boolean }) => {
      process.exitCode = planScenarioFile(scenario, opts);
    });
  group
    .command('ask')
    .description('ask the running callgroup service (plan_req over AMQP_URL) how a call would ring')
    .requiredOption('--account <id>', 'account id (32 hex)')
    .requiredOption('--number <n>', 'the dialled number')
    .option('--from <n>', 'the calling number or extension')
    .option('--call-id <id>', 'call id to put on the legs')
    .option('--explain', 'also print the discovery tree with every decision', false)
    .option('--json', 'print the plan_resp message as JSON', false)
    .option('--timeout <ms>', 'how long to wait for the answer', positiveInt, 3000)
    .addHelpText(
      'after',
      `
Exit codes: 0 a plan came back (any status), 1 the service refused (unknown account, ...), 3 no callgroup service answered.

Examples:
  $ fife callgroup ask --account 0123456789abcdef0123456789abcdef --number 2000 --from 1000
  $ fife callgroup ask --account 0123456789abcdef0123456789abcdef --number 2000 --explain`,
    )
    .action((opts: { account: string; number: string; from?: string; callId?: string; explain: boolean; json: boolean; timeout: number }) =>
      runCli('callgroup ask', () => askPlan(amqpUrlOrExit('callgroup ask'), { ...opts, timeoutMs: opts.timeout })),
    );
}
