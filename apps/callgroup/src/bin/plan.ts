#!/usr/bin/env node
// `fife callgroup plan SCENARIO.json`: prints the ring plan of a scenario as JSON.
// Usage: node --import tsx apps/callgroup/src/bin/plan.ts SCENARIO.json [--explain]
import { runPlanCli } from './plan-cli.js';

process.exitCode = runPlanCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
