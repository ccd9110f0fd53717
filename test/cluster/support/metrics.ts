import { pingAll, type PingReply } from '@fife/cluster';

/** One sample line of the Prometheus text format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export type LabelFilter = Record<string, string | RegExp>;

function matches(sample: Sample, name: string, filter: LabelFilter): boolean {
  if (sample.name !== name) return false;
  return Object.entries(filter).every(([k, v]) => (typeof v === 'string' ? sample.labels[k] === v : v.test(sample.labels[k] ?? '')));
}

/** One process's `name` (summed over matching samples), read from its /metrics URL now. */
export async function readMetric(url: string, name: string, filter: LabelFilter = {}): Promise<number> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
  return parseMetrics(text).filter((s) => matches(s, name, filter)).reduce((sum, s) => sum + s.value, 0);
}

/**
 * Counters of every process, scraped from the /metrics URL each one gives in its ping reply. Samples are kept
 * per process incarnation (Node + PID), so what a process counted before it was killed still adds to its slot.
 */
export class MetricsBook {
  private readonly latest = new Map<string, { node: string; app: string; samples: Sample[] }>();

  constructor(private readonly amqpUrl: () => string) {}

  async scrape(): Promise<PingReply[]> {
    const { replies } = await pingAll(this.amqpUrl(), 1000);
    await Promise.all(
      replies.map(async (r) => {
        const url = r['Metrics-URL'];
        if (typeof url !== 'string') return;
        try {
          const text = await (await fetch(url, { signal: AbortSignal.timeout(3000) })).text();
          this.latest.set(`${String(r.Node)}#${String(r.PID)}`, { node: String(r.Node), app: String(r['App-Name']), samples: parseMetrics(text) });
        } catch {
          // a process mid-restart: its previous sample stays
        }
      }),
    );
    return replies;
  }

  /** Sum of `name` over every incarnation, per slot (`registrar-1`, `registrar-2`, ...), for one app. */
  perSlot(app: string, name: string, filter: LabelFilter = {}): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { node, app: a, samples } of this.latest.values()) {
      if (a !== app) continue;
      const slot = node.split('@')[0]!;
      out[slot] = (out[slot] ?? 0) + samples.filter((s) => matches(s, name, filter)).reduce((sum, s) => sum + s.value, 0);
    }
    return out;
  }

  /** Fetches `name` now from every process that answers ping (nothing cached): per node, the summed value. */
  async current(app: string, name: string, filter: LabelFilter = {}): Promise<Array<{ node: string; value: number; url: string }>> {
    const { replies } = await pingAll(this.amqpUrl(), 1000, app);
    const out = await Promise.all(
      replies.map(async (r) => ({ node: String(r.Node), url: String(r['Metrics-URL']), value: await readMetric(String(r['Metrics-URL']), name, filter) })),
    );
    return out.sort((a, b) => a.node.localeCompare(b.node));
  }

  /** Forgets every sample (the next scrape starts a new window). */
  reset(): void {
    this.latest.clear();
  }
}
