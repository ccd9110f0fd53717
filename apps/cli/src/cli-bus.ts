import pino from 'pino';
import { Bus } from '@fife/bus';

/** A short-lived bus for one CLI command: connects (failing fast), runs `fn`, always closes. */
export async function withCliBus<T>(url: string, fn: (bus: Bus) => Promise<T>): Promise<T> {
  const bus = new Bus({
    url,
    identity: { appName: 'fife-cli', appVersion: '0.1.0', node: `fife-cli@${process.pid}` },
    logger: pino({ level: 'silent' }),
    reconnect: { maxRetries: 2 },
  });
  await bus.start();
  try {
    return await fn(bus);
  } finally {
    await bus.close();
  }
}

/** AMQP_URL for commands that talk to a running Fife; exits 2 with a hint when it is missing. */
export function amqpUrlOrExit(command: string): string {
  const url = process.env.AMQP_URL;
  if (!url) {
    process.stderr.write(`fife ${command}: set AMQP_URL (printed by \`fife up\`)\n`);
    process.exit(2);
  }
  return url;
}
