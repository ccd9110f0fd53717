// `fife route` as a standalone command: a dry run over AMQP, printed with its reasons.
// node --import tsx apps/router/src/bin/route.ts --from 1000@sip.example.com --to 2000 [--at 2026-11-23T07:30:00Z]
import pino from 'pino';
import { dryRunReq, dryRunResp, isFifeError } from '@fife/api';
import { Bus } from '@fife/bus';
import { dryRunFields, formatDryRun, parseRouteArgs } from './route-cli.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseRouteArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const bus = new Bus({
    url: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    identity: { appName: 'fife-cli', appVersion: '0.1.0', node: `fife-cli@${process.pid}` },
    logger: pino({ level: 'silent' }),
  });
  try {
    await bus.start();
    const reply = await bus.request(dryRunReq, dryRunFields(args) as never, { timeoutMs: args.timeoutMs, replies: [dryRunResp] });
    process.stdout.write(args.json ? `${JSON.stringify(reply, null, 2)}\n` : `${formatDryRun(args, reply)}\n`);
    return 0;
  } catch (err) {
    const why = isFifeError(err, 'bus.timeout') ? `no router answered within ${args.timeoutMs} ms` : (err as Error).message;
    process.stderr.write(`route: ${why}\n`);
    return 1;
  } finally {
    await bus.drain(1000).catch(() => undefined);
  }
}

process.exitCode = await main();
