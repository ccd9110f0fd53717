export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export interface Row {
  name: string;
  seqP50: number;
  seqP99: number;
  seqRate: number;
  loadP50: number;
  loadP99: number;
  loadRate: number;
}

export function printTable(title: string, rows: Row[], rate: number): void {
  console.log(`\n${title}`);
  console.log(`| path | sequential p50 ms | sequential p99 ms | sequential req/s | p50 ms at ${rate}/s | p99 ms at ${rate}/s | achieved req/s |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.seqP50.toFixed(3)} | ${r.seqP99.toFixed(3)} | ${r.seqRate.toFixed(0)} | ${r.loadP50.toFixed(3)} | ${r.loadP99.toFixed(3)} | ${r.loadRate.toFixed(0)} |`);
  }
}
