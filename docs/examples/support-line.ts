// An integrator's program: is the support line open, who is registered, and every answered call.
// Run against a running Fife: AMQP_URL=amqp://... node --import tsx docs/examples/support-line.ts ACCOUNT_ID CALENDAR_ID REALM
import { FifeClient } from '@fife/client';
import { isFifeError } from '@fife/api';

const [accountId, calendarId, realm] = process.argv.slice(2);
if (!accountId || !calendarId || !realm) {
  console.error('usage: support-line.ts ACCOUNT_ID CALENDAR_ID REALM');
  process.exit(2);
}

const fife = await FifeClient.connect({ appName: 'support-dashboard' });
try {
  const status = await fife.calendars.status({ accountId, calendarId });
  console.log(`support line: ${status.Status}${status.Until ? ` until ${status.Until}` : ''}`);
} catch (err) {
  // Typed errors: bus.timeout (no calendar service answered), client.remote_error (it answered: no).
  console.log(`support line: unknown (${isFifeError(err) ? err.code : String(err)})`);
}

const phones = await fife.registrations.query({ realm });
for (const p of phones) console.log(`registered: ${p.Username}@${p.Realm} via ${p.Contact} (${p['User-Agent'] ?? '?'})`);

const sub = await fife.calls.subscribe({ event: 'CHANNEL_ANSWER' }, (e) => {
  console.log(`answered: ${e['Call-ID']} ${e['Caller-ID-Number'] ?? ''} -> ${e['Callee-ID-Number'] ?? ''}`);
});
console.log('watching answered calls; Ctrl-C to stop');
process.once('SIGINT', async () => {
  await sub.close();
  await fife.close();
  process.exit(0);
});
