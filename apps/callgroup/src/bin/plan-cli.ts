import { readFileSync } from 'node:fs';
import { isFifeError } from '@fife/api';
import { explainPlan, parseScenario, planParsedScenario } from '../domain/index.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  readFile?: (path: string) => string;
}

/** `fife callgroup plan SCENARIO.json [--explain]`: prints the ring plan as JSON; returns the exit code. */
export function runPlanCli(argv: string[], io: CliIo): number {
  const file = argv.find((a) => !a.startsWith('--'));
  if (!file) {
    io.err('usage: plan SCENARIO.json [--explain]\n');
    return 2;
  }
  try {
    const read = io.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
    const json: unknown = JSON.parse(read(file));
    const call = planParsedScenario(parseScenario(json));
    const out = argv.includes('--explain') ? { ...call.plan, explain: explainPlan(call) } : call.plan;
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  } catch (err) {
    const detail = isFifeError(err) ? err.toJSON() : { message: err instanceof Error ? err.message : String(err) };
    io.err(`${JSON.stringify({ error: detail })}\n`);
    return 1;
  }
}
