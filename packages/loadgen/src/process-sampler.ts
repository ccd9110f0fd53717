import { readFile, readdir } from 'node:fs/promises';
import { histogramDelta, parseHistograms, type Histogram, type ServerSide } from './histograms.js';

/** One process's cumulative CPU seconds and current resident memory, read at `at` (ms). */
export type ProcessReading = { name: string; cpuSeconds: number; rssBytes: number; at: number; histograms: Map<string, Histogram> };

/** Latency histograms read from every whapp: ecallmgr's own fetch timing and every handler's (registrar, router, …). */
export const SERVER_HISTOGRAMS = ['fife_ecallmgr_fetch_seconds', 'fife_handler_duration_seconds'] as const;
/** CPU use and memory of one process over one measured phase. */
export type ProcessUsage = { name: string; cpuPercent: number; cpuSeconds: number; rssMb: number };

/** Where a reading comes from: a whapp's /metrics endpoint or a PID read from /proc (CouchDB, broker, the driver). */
export type ProcessSource = { name: string; metricsUrl: string } | { name: string; pid: number };

/** The value of an unlabelled-or-labelled sample `name` in Prometheus text format (first match). */
export function metricValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

type Raw = { cpuSeconds: number; rssBytes: number; histograms: Map<string, Histogram> };

async function readProc(pid: number): Promise<Raw | undefined> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS, rssBytes: rssKb * 1024, histograms: new Map() };
  } catch {
    return undefined;
  }
}

async function readMetrics(url: string): Promise<Raw | undefined> {
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(3000) })).text();
    // prom-client's default metrics under the whapp prefix `fife_process_` (process_cpu_seconds_total, …).
    const cpuSeconds = metricValue(text, 'fife_process_process_cpu_seconds_total');
    const rssBytes = metricValue(text, 'fife_process_process_resident_memory_bytes');
    return cpuSeconds === undefined || rssBytes === undefined ? undefined : { cpuSeconds, rssBytes, histograms: parseHistograms(text, SERVER_HISTOGRAMS) };
  } catch {
    return undefined;
  }
}

/** Reads every source once, in parallel; a source that does not answer is left out of this reading. */
export async function sampleProcesses(sources: readonly ProcessSource[]): Promise<ProcessReading[]> {
  const readings = await Promise.all(
    sources.map(async (s) => {
      const r = 'pid' in s ? await readProc(s.pid) : await readMetrics(s.metricsUrl);
      return r ? { name: s.name, ...r, at: Date.now() } : undefined;
    }),
  );
  return readings.filter((r): r is ProcessReading => r !== undefined);
}

/** CPU % (of one core) each process used between two readings, and its memory at the end. */
export function usageBetween(before: readonly ProcessReading[], after: readonly ProcessReading[]): ProcessUsage[] {
  return after.flatMap((a) => {
    const b = before.find((x) => x.name === a.name);
    if (!b || a.at <= b.at) return [];
    const cpuSeconds = a.cpuSeconds - b.cpuSeconds;
    return [{ name: a.name, cpuPercent: (cpuSeconds / ((a.at - b.at) / 1000)) * 100, cpuSeconds, rssMb: a.rssBytes / 2 ** 20 }];
  });
}

/** What each whapp's histograms saw between two readings (series with no new observation left out). */
export function serverSideBetween(before: readonly ProcessReading[], after: readonly ProcessReading[]): ServerSide[] {
  return after.flatMap((a) => {
    const b = before.find((x) => x.name === a.name);
    return [...a.histograms].flatMap(([key, h]) => {
      const short = key.replace(/^fife_/, '').replace('_duration_seconds', '').replace('_seconds', '');
      const delta = histogramDelta(`${a.name} ${short}`, b?.histograms.get(key), h);
      return delta ? [delta] : [];
    });
  });
}

/** Child processes of `parentPid` whose command line contains `marker` (the embedded CouchDB of a cluster). */
export async function childPids(parentPid: number, marker: string): Promise<number[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  const found: number[] = [];
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      if (cmdline.includes(marker)) found.push(Number(pid));
    } catch {
      // The process went away while we looked.
    }
  }
  return found;
}

/**
 * The RabbitMQ node (`beam.smp`) listening on `amqpPort`, told apart from other nodes on the machine by the
 * RABBITMQ_NODE_PORT its environment was started with; undefined when it cannot be told (not ours, no access).
 */
export async function brokerPid(amqpPort: number): Promise<number | undefined> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  for (const pid of pids) {
    const name = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (name.trim() !== 'beam.smp') continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`RABBITMQ_NODE_PORT=${amqpPort}`)) return Number(pid);
  }
  return undefined;
}
