// The simulator's mod_xml_curl with several bindings, as the cluster test uses it: FreeSWITCH asks the next
// gateway when one gives no answer holding the section (down, error status, or not found).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '@fife/cluster';
import { directoryXml, NOT_FOUND, SimNode, TestXmlCurlServer, VirtualClock } from '@fife/testkit';

const DOMAIN = 'fallback.example.com';

describe('simulator mod_xml_curl fallback bindings', () => {
  let good: TestXmlCurlServer;
  let missing: TestXmlCurlServer;
  let down = '';
  const nodes: SimNode[] = [];

  before(async () => {
    good = await new TestXmlCurlServer((p) => (p.get('user') === '1000' ? directoryXml(DOMAIN, { id: '1000', password: 'pw' }) : NOT_FOUND)).start();
    missing = await new TestXmlCurlServer(() => NOT_FOUND).start();
    down = `http://127.0.0.1:${await freePort()}/fetch`; // bound, then released: nothing listens there
  });
  after(async () => {
    for (const n of nodes) await n.stop();
    await good.stop();
    await missing.stop();
  });

  async function nodeWith(url: string, fallbackUrls?: string[]): Promise<SimNode> {
    const node = new SimNode({
      clock: new VirtualClock(),
      xmlCurl: { url, ...(fallbackUrls ? { fallbackUrls } : {}), timeoutMs: 2000 },
      endpoints: [{ user: '1000', domain: DOMAIN, password: 'pw', register: false }],
    });
    nodes.push(node);
    return node.start();
  }

  test('a binding that is down is skipped: the next one answers', async () => {
    const node = await nodeWith(down, [good.url]);
    assert.equal(await node.phone('1000').register(), 'registered');
    assert.deepEqual(
      node.xmlCurl.exchanges.map((e) => [e.url, e.status ?? 'error']),
      [[down, 'error'], [good.url, 200]],
    );
  });

  test('"not found" from one binding is not final while another may know the user', async () => {
    const node = await nodeWith(missing.url, [good.url]);
    assert.equal(await node.phone('1000').register(), 'registered');
    assert.equal(node.xmlCurl.exchanges.length, 2);
  });

  test('every binding failing: not found if one said so, and one POST per binding', async () => {
    const node = await nodeWith(down, [missing.url]);
    assert.equal(await node.phone('1000').register(), 'not-found');
    assert.deepEqual(node.xmlCurl.exchanges.map((e) => e.url), [down, missing.url]);
  });

  test('a single url behaves as before: one POST, its answer is final', async () => {
    const before = missing.requests.length;
    const node = await nodeWith(missing.url);
    assert.equal(await node.phone('1000').register(), 'not-found');
    assert.equal(node.xmlCurl.exchanges.length, 1);
    assert.equal(missing.requests.length, before + 1);
  });
});
