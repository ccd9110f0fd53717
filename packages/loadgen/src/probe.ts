import type { SimNode } from '@fife/testkit';

/** Which FreeSWITCH lookup a fetch was: digest auth of a REGISTER or INVITE, the `user/` endpoint of a bridge, the dialplan. */
export type FetchKind = 'register' | 'invite' | 'user_call' | 'dialplan' | 'other';

/**
 * How the fetch ended, as FreeSWITCH sees it: an answer it can use, an explicit not-found (ecallmgr also
 * answers not-found when the registrar was silent past its timeout), a dialplan that only refuses the call
 * (`respond …`), or no usable answer at all (HTTP error, transport error, client timeout).
 */
export type FetchOutcome = 'ok' | 'not-found' | 'refused' | 'no-answer';

export type FetchSample = { kind: FetchKind; outcome: FetchOutcome; ms: number; at: number };

/** A counting semaphore: at most `limit` holders at once; the others wait in arrival order. */
export class Gate {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.active--;
    }
  }
}

type XmlNode = { name: string; attrs: Record<string, string>; children: XmlNode[] };
type Fetch = SimNode['xmlCurl']['fetch'];

function kindOf(section: string, params: Parameters<Fetch>[1]): FetchKind {
  if (section === 'dialplan') return 'dialplan';
  if (section !== 'directory') return 'other';
  const action = params.get('action');
  if (action === 'user_call') return 'user_call';
  if (action === 'sip_auth') return params.get('sip_auth_method') === 'INVITE' ? 'invite' : 'register';
  return 'other';
}

function hasRespondOnly(node: XmlNode): boolean {
  const apps: string[] = [];
  const walk = (n: XmlNode) => {
    if (n.name === 'action' && n.attrs['application']) apps.push(n.attrs['application']);
    n.children.forEach(walk);
  };
  walk(node);
  return apps.includes('respond') && !apps.includes('bridge') && !apps.includes('park');
}

function outcomeOf(kind: FetchKind, result: Awaited<ReturnType<Fetch>>): FetchOutcome {
  if (result === undefined) return 'no-answer';
  if (result === 'not-found') return 'not-found';
  return kind === 'dialplan' && hasRespondOnly(result) ? 'refused' : 'ok';
}

/**
 * Times every mod_xml_curl fetch a simulated node makes, from the POST to the parsed answer — the latency
 * FreeSWITCH itself waits on — and classifies its outcome. The node's own exchange log is emptied as it
 * goes: under a load run it would otherwise keep every request and response body in memory.
 */
export class FetchProbe {
  private samples: FetchSample[] = [];

  /** Wraps the node's fetch; `gate` bounds the fetches in flight (the time spent waiting for it is not counted). */
  attach(node: SimNode, gate: Gate): void {
    const original: Fetch = node.xmlCurl.fetch.bind(node.xmlCurl);
    node.xmlCurl.fetch = (key, params) =>
      gate.run(async () => {
        const kind = kindOf(key.section, params);
        const t0 = performance.now();
        const result = await original(key, params);
        this.samples.push({ kind, outcome: outcomeOf(kind, result), ms: performance.now() - t0, at: Date.now() });
        node.xmlCurl.exchanges.length = 0;
        return result;
      });
  }

  /** Everything recorded since the last call, and starts afresh. */
  take(): FetchSample[] {
    const taken = this.samples;
    this.samples = [];
    return taken;
  }
}
