import { cpus, loadavg, totalmem } from 'node:os';

/** The machine a run was measured on, as docs/benchmarks.md records it. */
export type Machine = { cpus: number; memGiB: number; loadAvg: [number, number, number]; node: string; date: string };

export function describeMachine(): Machine {
  const [one, five, fifteen] = loadavg() as [number, number, number];
  return {
    cpus: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    loadAvg: [one, five, fifteen].map((n) => Math.round(n * 100) / 100) as [number, number, number],
    node: process.version,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  };
}
