import { DEMO_ACCOUNT_ID, DEMO_REALM, NUMBERS, PHONES, SUPPORT_CALENDAR_ID, aorOf } from './people.js';

/** Short commands line up their comments; longer ones just run over. */
const COMMAND_WIDTH = 56;

/**
 * What to try next against the running demo, for the `fife` commands this build has (`available`:
 * command names), so the list never names a command that does not exist.
 */
export function nextCommands(available: readonly string[], supportOpenUntil: Date): string {
  const from = aorOf(PHONES.alice);
  const whileOpen = new Date(supportOpenUntil.getTime() - 30 * 60_000).toISOString().replace(/\.\d{3}/, '');
  const all: Array<[string, string, string]> = [
    ['status', 'npx fife status', 'processes, FreeSWITCH nodes, queues and consumers, registrations'],
    ['tail', 'npx fife tail', 'live call events'],
    ['reg', `npx fife reg --realm ${DEMO_REALM}`, 'who is registered'],
    ['originate', `npx fife originate --from ${from} --to ${NUMBERS.salesGroup} --account ${DEMO_ACCOUNT_ID}`, "ring Alice's phone, then put her through to Sales (watch it in fife tail)"],
    ['route', `npx fife route --from ${from} --to ${NUMBERS.salesGroup}`, 'where a call to Sales goes, and why'],
    ['route', `npx fife route --from ${from} --to ${NUMBERS.supportLine}`, 'the support line now (closed since the demo)'],
    ['route', `npx fife route --from ${from} --to ${NUMBERS.supportLine} --at ${whileOpen}`, 'the support line half an hour before it closed'],
    ['callgroup', `npx fife callgroup ask --account ${DEMO_ACCOUNT_ID} --number ${NUMBERS.salesGroup} --explain`, "the Sales group's ring plan"],
    ['calendar', `npx fife calendar status --account ${DEMO_ACCOUNT_ID} --calendar ${SUPPORT_CALENDAR_ID}`, 'is support open right now?'],
  ];
  const rows = all.filter(([name]) => available.includes(name));
  return [
    'The demo stays up. Next, in another terminal of this folder (the commands find the cluster through its cluster.json):',
    ...rows.map(([, cmd, what]) => `  ${cmd.padEnd(COMMAND_WIDTH)}  # ${what}`),
    'Ctrl-C stops everything.',
  ].join('\n');
}
