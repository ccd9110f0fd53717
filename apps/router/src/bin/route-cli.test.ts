import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFifeError } from '@fife/api';
import { dryRunFields, formatDryRun, parseRouteArgs } from './route-cli.js';

test('route arguments: required ones and bad values are named', () => {
  const args = parseRouteArgs(['--from', '1000@sip.example.com', '--to', '2000', '--at', '2026-11-23T07:30:00Z']);
  assert.deepEqual(dryRunFields(args), { To: '2000', From: '1000@sip.example.com', At: '2026-11-23T07:30:00.000Z' });
  for (const [argv, option] of [
    [['--from', 'a@b'], 'to'],
    [['--to', '2000'], 'from'],
    [['--to', '2000', '--account', 'x', '--at', 'yesterday'], 'at'],
  ] as const) {
    assert.throws(() => parseRouteArgs([...argv]), (err) => isFifeError(err, 'cli.usage') && err.context.option === option);
  }
  assert.throws(() => parseRouteArgs(['--to', '1', '--account', 'x', '--bogus']), (err) => isFifeError(err, 'cli.usage'));
});

test('a dry run prints its steps with timings and its reasons', () => {
  const text = formatDryRun(parseRouteArgs(['--account', 'a', '--to', '2200']), {
    Result: 'bridge',
    At: '2026-11-23T07:30:00.000Z',
    Reasons: ['2200: callflow cf1 by number 2200', 'Carol forwards after 10 s to 2000'],
    'Route-Resp': {
      Method: 'bridge',
      Routes: [
        { 'Invite-Format': 'route', Route: 'sip:2201@10.0.0.41', 'Fife-Step': 0, 'Custom-Channel-Vars': { 'Endpoint-Timeout': '10' } },
        { 'Invite-Format': 'route', Route: 'sip:2000@10.0.0.21', 'Fife-Step': 0, 'Custom-Channel-Vars': { 'Endpoint-Delay': '10' } },
        { 'Invite-Format': 'route', Route: 'sip:+32@gw', 'Fife-Step': 1 },
      ],
    },
  });
  assert.equal(
    text,
    [
      '2200 at 2026-11-23T07:30:00.000Z: bridge',
      '  step 1: sip:2201@10.0.0.41 (for 10 s) + sip:2000@10.0.0.21 (from 10 s)',
      '  step 2: sip:+32@gw',
      'why:',
      '  - 2200: callflow cf1 by number 2200',
      '  - Carol forwards after 10 s to 2000',
    ].join('\n'),
  );
});
