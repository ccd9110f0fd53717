import type { Bus } from '@fife/bus';
import {
  applyFile,
  busPort,
  formatIssues,
  formatReport,
  parseProvisioningText,
  toYaml,
  type ApplyReport,
  type ProvisioningFileInput,
} from '@fife/provisioning';
import { DEMO_ACCOUNT_ID, DEMO_REALM, NUMBERS, PHONES, SALES_RANK_DELAY_S, SUPPORT_CALENDAR_ID, type DemoPhone } from './people.js';

export interface DemoDataOptions {
  /** The support line's calendar is open from an hour before this instant until it, closed after it. */
  supportOpenUntil: Date;
}

export interface DemoData {
  accountId: string;
  realm: string;
  supportOpenUntil: Date;
  /** The provisioning file that was applied (YAML, what `fife provision` reads). */
  yaml: string;
  report: ApplyReport;
}

type Account = ProvisioningFileInput['accounts'][number];

/** Device names are what the router's reasons call a phone. */
const deviceName = (p: DemoPhone) => p.name;
const phoneCallflow = (p: DemoPhone): NonNullable<Account['callflows']>[number] => ({
  name: p.name,
  numbers: [p.ext],
  flow: { module: 'device', data: { device: deviceName(p) } },
});

/**
 * The sample account as a provisioning file: a device per simulated phone (SIP username = extension
 * number, which is what the callgroup whapp rings), Frank with a forward on busy, the Sales call group
 * with delayed ranks, the support line behind the Support hours calendar.
 */
export function demoProvisioning(supportOpenUntil: Date): ProvisioningFileInput {
  const { alice, carol, dan, erin, frank, grace, desk, afterHours } = PHONES;
  const account: Account = {
    name: 'fife-demo',
    id: DEMO_ACCOUNT_ID,
    realm: DEMO_REALM,
    devices: Object.values(PHONES).map((p) => ({ name: deviceName(p), username: p.ext, password: p.password })),
    users: [{ name: 'frank', first_name: 'Frank', devices: [deviceName(frank)], forward: { busy: grace.ext } }],
    callflows: [
      ...Object.values(PHONES).filter((p) => p !== frank).map(phoneCallflow),
      { name: 'Frank', numbers: [NUMBERS.frankLine, frank.ext], flow: { module: 'user', data: { user: 'frank' } } },
      { name: 'Sales', numbers: [NUMBERS.salesGroup], flow: { module: 'callgroup', data: {} } },
      {
        name: 'Support line',
        numbers: [NUMBERS.supportLine],
        flow: {
          module: 'calendar',
          data: { calendar: 'Support hours', name: 'Support hours' },
          children: {
            open: { module: 'device', data: { device: deviceName(desk) } },
            closed: { module: 'device', data: { device: deviceName(afterHours) } },
          },
        },
      },
    ],
    callgroups: [
      {
        ext: NUMBERS.salesGroup,
        type: 'GROUP',
        name: 'Sales',
        ranks: [
          { mode: 'DEFAULT', members: [{ ext: carol.ext }] },
          { mode: 'NEXT', delay: SALES_RANK_DELAY_S, members: [{ ext: dan.ext }] },
          { mode: 'NEXT', delay: SALES_RANK_DELAY_S, members: [{ ext: erin.ext }] },
        ],
      },
      ...[alice, carol, dan, erin].map((p) => ({ ext: p.ext, name: p.name })),
    ],
    calendars: [{ name: 'Support hours', id: SUPPORT_CALENDAR_ID, kind: 'hours', timezone: 'UTC', ics: openWindowIcs(hourBefore(supportOpenUntil), supportOpenUntil) }],
  };
  return { accounts: [account] };
}

const hourBefore = (d: Date) => new Date(d.getTime() - 3_600_000);

/**
 * Applies the sample account through provisioning over the bus (the whapps that own each kind validate
 * and store it), as `fife provision` would. Idempotent: fixed ids and names, so a second run on the same
 * data folder changes only the calendar. Throws with the provisioning report when anything is refused.
 */
export async function loadDemoData(bus: Bus, options: DemoDataOptions): Promise<DemoData> {
  const yaml = toYaml(demoProvisioning(options.supportOpenUntil) as { accounts: Record<string, unknown>[] }, 'the sample account of `fife up --sim`; apply with `fife provision FILE`');
  const parsed = parseProvisioningText(yaml, 'demo account');
  if (!parsed.ok) throw new Error(`the demo account does not validate:\n${formatIssues(parsed.error)}`);
  const report = await applyFile(parsed.value, busPort(bus, { timeoutMs: 10_000 }));
  if (!report.ok) throw new Error(`provisioning the demo account failed:\n${formatReport(report)}`);
  return { accountId: DEMO_ACCOUNT_ID, realm: DEMO_REALM, supportOpenUntil: options.supportOpenUntil, yaml, report };
}

const icsTime = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** One opening window: the calendar whapp answers open inside it and closed after it. */
function openWindowIcs(from: Date, until: Date): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Fife//demo//EN',
    'BEGIN:VEVENT',
    'UID:support-hours@demo.fife.local',
    `DTSTAMP:${icsTime(from)}`,
    `DTSTART:${icsTime(from)}`,
    `DTEND:${icsTime(until)}`,
    'SUMMARY:Support open',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}
