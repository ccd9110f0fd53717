export { runLoad, type LoadReport, type StepReport } from './run.js';
export { LoadOptionsSchema, optionsFromFlags, type LoadFlags, type LoadOptions, type LoadOptionsInput } from './options.js';
export { cpuPerOp, formatReport, markdownRow, processTable, recordRow, stepsTable, stormSummary } from './report.js';
export { percentile, ratio, summarize, type LatencySummary } from './stats.js';
export { FetchProbe, Gate, type FetchKind, type FetchOutcome, type FetchSample } from './probe.js';
export { metricValue, sampleProcesses, usageBetween, type ProcessReading, type ProcessSource, type ProcessUsage } from './process-sampler.js';
export { nodesPerEcallmgr, xmlCurlOwner, nodeOfPhone, calleeFor } from './topology.js';
export { AmqpBaseline, type BaselineResult } from './baseline.js';
export { describeMachine, type Machine } from './machine.js';
