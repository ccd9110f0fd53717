/** A Prometheus histogram series: cumulative counts per upper bound, total count and sum (seconds). */
export type Histogram = { buckets: Array<[number, number]>; count: number; sum: number };

/** What one side of the system spent per request during a phase, from its own histogram. */
export type ServerSide = { series: string; count: number; meanMs: number; p50Ms: number; p99Ms: number };

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;

function labelsOf(text: string | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of (text ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out.push([m[1]!, m[2]!]);
  return out;
}

/**
 * Histograms named in `names` from Prometheus text, keyed `name{label=value,…}` (the `app` and `le` labels
 * left out), so readings taken before and after a phase can be subtracted.
 */
export function parseHistograms(text: string, names: readonly string[]): Map<string, Histogram> {
  const found = new Map<string, Histogram>();
  const get = (key: string) => found.get(key) ?? (found.set(key, { buckets: [], count: 0, sum: 0 }), found.get(key)!);
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, metric = '', labelText, valueText] = m;
    const base = names.find((n) => metric === `${n}_bucket` || metric === `${n}_count` || metric === `${n}_sum`);
    if (!base) continue;
    const labels = labelsOf(labelText);
    const key = `${base}{${labels.filter(([k]) => k !== 'le' && k !== 'app').map(([k, v]) => `${k}=${v}`).join(',')}}`;
    const value = Number(valueText);
    const h = get(key);
    if (metric.endsWith('_bucket')) {
      const le = labels.find(([k]) => k === 'le')?.[1];
      h.buckets.push([le === '+Inf' ? Infinity : Number(le), value]);
    } else if (metric.endsWith('_count')) h.count = value;
    else h.sum = value;
  }
  return found;
}

/** The upper bound of the bucket holding the p-th percentile (histograms only know bounds). */
function bucketPercentile(buckets: Array<[number, number]>, total: number, p: number): number {
  const target = (p / 100) * total;
  for (const [le, cumulative] of buckets) if (cumulative >= target) return le * 1000;
  return NaN;
}

/** Requests observed between two readings of the same series, with their mean and bucketed p50/p99. */
export function histogramDelta(series: string, before: Histogram | undefined, after: Histogram): ServerSide | undefined {
  const count = after.count - (before?.count ?? 0);
  if (count <= 0) return undefined;
  const buckets = after.buckets.map(([le, c]): [number, number] => [le, c - (before?.buckets.find(([l]) => l === le)?.[1] ?? 0)]);
  return {
    series,
    count,
    meanMs: ((after.sum - (before?.sum ?? 0)) / count) * 1000,
    p50Ms: bucketPercentile(buckets, count, 50),
    p99Ms: bucketPercentile(buckets, count, 99),
  };
}
