import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@fife/testkit';
import { compileFile } from './compile.js';
import { stableId } from './kinds.js';
import { loadProvisioningFile, parseProvisioningText } from './parse-file.js';
import { formatIssue, type ProvisionIssue } from './issues.js';

const example = join(repoRoot, 'docs', 'examples', 'provisioning.yaml');

function issuesOf(text: string): ProvisionIssue[] {
  const parsed = parseProvisioningText(text, 'acme.yaml');
  assert.equal(parsed.ok, false, 'the file should be refused');
  return parsed.ok ? [] : parsed.error;
}

const account = (body: string) => `accounts:\n  - name: acme\n    realm: sip.acme.example\n${body}`;

describe('provisioning file', () => {
  test('the example file is valid and compiles to stable ids and resolved references', async () => {
    const parsed = await loadProvisioningFile(example);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.map(formatIssue).join('\n'));
    const [acme] = compileFile(parsed.value.data, (a) => stableId('account', a.name));
    assert.equal(acme!.id, stableId('account', 'acme'));
    const byName = (kind: string, name: string) => acme!.docs.find((d) => d.kind === kind && d.name === name)!;
    const alice = byName('user', 'alice');
    assert.equal(alice.id, stableId('user', 'alice'));
    assert.equal(byName('device', 'alice-desk').document.owner_id, alice.id);
    assert.deepEqual(alice.document.call_forward, { no_answer: { number: '1002', after_s: 15 }, busy: { number: '2000' } });
    assert.equal(byName('user', 'bob').document.calendar_id, stableId('calendar', 'bob-busy'));
    assert.deepEqual(byName('device', 'lobby-phone').document.sip, { username: '1003', method: 'ip', ip: '192.0.2.30' });
    const support = byName('callflow', 'support').document.flow as { data: Record<string, unknown> };
    assert.deepEqual(support.data, { calendar_id: stableId('calendar', 'support-hours'), name: 'Support hours' });
    assert.equal(byName('callgroup', '2000').id, undefined, 'callgroup ids come from their owner (the number)');
    assert.ok(acme!.docs.every((d) => d.document.pvt_provisioned === true));
    assert.deepEqual(
      acme!.docs.map((d) => d.kind).filter((k, i, all) => all.indexOf(k) === i),
      ['calendar', 'device', 'user', 'resource', 'callgroup', 'callflow'],
    );
  });

  test('a missing credential names the file, line, document and field', () => {
    const [issue, ...rest] = issuesOf(account('    devices:\n      - name: desk\n        username: "1001"\n'));
    assert.equal(rest.length, 0);
    assert.deepEqual(issue, { file: 'acme.yaml', document: 'account "acme" › device "desk"', field: 'password', message: 'a device needs a password (digest auth) or an ip (IP auth)', line: 5 });
    assert.equal(formatIssue(issue!), 'acme.yaml:5: account "acme" › device "desk": password: a device needs a password (digest auth) or an ip (IP auth)');
  });

  test('typos and unquoted numbers are all reported, each at its own line', () => {
    const issues = issuesOf(
      account(
        [
          '    devices:',
          '      - name: desk',
          '        username: "1001"',
          '        pasword: x',
          '    users:',
          '      - name: alice',
          '        devices: [desk, phone]',
          '    callflows:',
          '      - name: alice',
          '        numbers: [1001]',
          '        flow: { module: user, data: { user: alic } }',
          '',
        ].join('\n'),
      ),
    );
    const brief = issues.map((i) => `${i.line} ${i.document} ${i.field}: ${i.message}`);
    assert.ok(brief.includes('7 account "acme" › device "desk" pasword: unknown field (a typo?)'), brief.join('\n'));
    assert.ok(brief.some((b) => b.startsWith('5 account "acme" › device "desk" password:')), brief.join('\n'));
    assert.equal(issues.length, 3, brief.join('\n'));
    assert.ok(brief.includes('13 account "acme" › callflow "alice" numbers.0: numbers are text here: quote it ("1001")'), brief.join('\n'));
  });

  test('references are checked once the types are right', () => {
    const issues = issuesOf(
      account(
        [
          '    devices:',
          '      - { name: desk, username: "1001", password: x }',
          '      - { name: desk, username: "1002", password: y }',
          '    users:',
          '      - { name: alice, devices: [desk, phone], calendar: busy }',
          '      - { name: bob, devices: [desk] }',
          '    callflows:',
          '      - { name: a, numbers: ["1001"], flow: { module: user, data: { user: alic } } }',
          '',
        ].join('\n'),
      ),
    );
    const brief = issues.map((i) => `${i.line} ${i.document} ${i.field}: ${i.message}`).sort();
    assert.deepEqual(brief, [
      '11 account "acme" › callflow "a" flow.data.user: no user named "alic" in this account',
      '6 account "acme" › device "desk" name: device name "desk" is already used by entry #1',
      '8 account "acme" › user "alice" calendar: no calendar named "busy" in this account',
      '8 account "acme" › user "alice" devices.1: no device named "phone" in this account',
      '9 account "acme" › user "bob" devices.0: device "desk" already belongs to user "alice"',
    ]);
  });

  test('YAML syntax errors carry their line', () => {
    const [issue] = issuesOf('accounts:\n  - name: acme\n    realm: [unclosed\n');
    assert.equal(issue!.field, '(yaml)');
    assert.equal(typeof issue!.line, 'number');
  });

  test('ics_file is read relative to the file; a missing one is named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fife-prov-ics-'));
    try {
      await writeFile(join(dir, 'hours.ics'), 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
      const yaml = (file: string) => account(`    calendars:\n      - { name: hours, ics_file: ${file} }\n`);
      await writeFile(join(dir, 'ok.yaml'), yaml('hours.ics'));
      const ok = await loadProvisioningFile(join(dir, 'ok.yaml'));
      assert.ok(ok.ok);
      const [cal] = compileFile(ok.value.data, () => stableId('account', 'acme'))[0]!.docs;
      assert.deepEqual(cal!.document.source, { type: 'inline', ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' });
      await writeFile(join(dir, 'bad.yaml'), yaml('nope.ics'));
      const bad = await loadProvisioningFile(join(dir, 'bad.yaml'));
      assert.equal(bad.ok, false);
      const [issue] = bad.ok ? [] : bad.error;
      assert.deepEqual([issue!.line, issue!.document, issue!.field], [5, 'account "acme" › calendar "hours"', 'ics_file']);
      assert.match(issue!.message, /cannot read nope\.ics: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an empty file and an unreadable file are refused with a reason', async () => {
    assert.match(issuesOf('')[0]!.message, /required|account/);
    const missing = await loadProvisioningFile('/nonexistent/fife.yaml');
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.error[0]!.message, /ENOENT/);
  });
});
