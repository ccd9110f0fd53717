import { Counter } from 'prom-client';
import type { WhappContext, WhappDefinition } from '@fife/whapp';
import { serveProvisioning } from '@fife/provisioning';
import { callgroupConfigShape, type CallgroupConfigShape } from './config.js';
import { callgroupProvisioningKind, registerCallgroupDocuments } from './documents/extension-doc.js';
import { planReqHandler } from './handlers/plan-req.js';
import { Planner } from './service/planner.js';
import { TopologyCache } from './service/topology-cache.js';

export const CALLGROUP_VERSION = '0.1.0';

async function setup(ctx: WhappContext<CallgroupConfigShape>): Promise<void> {
  registerCallgroupDocuments();
  const topologies = new TopologyCache(ctx.store, ctx.log);
  ctx.onStop(() => topologies.close());
  const plans = new Counter({
    name: 'fife_callgroup_plans_total',
    help: 'plan_resp sent, by status, and whether the stage-2 state had to be assumed (a lookup stayed silent or was skipped)',
    labelNames: ['status', 'assumed'],
    registers: [ctx.metrics.registry],
  });
  const planner = new Planner(ctx.bus, ctx.config, topologies, (reply) =>
    plans.inc({ status: String(reply.Status), assumed: String(((reply.Stage2 as { notes?: string[] } | undefined)?.notes?.length ?? 0) > 0) }),
  );
  await ctx.bus.consume({
    queue: ctx.config.CALLGROUP_QUEUE,
    prefetch: ctx.config.CALLGROUP_PREFETCH,
    handlers: [planReqHandler(planner)],
  });
  await serveProvisioning(ctx.bus, ctx.store, { queue: `${ctx.config.CALLGROUP_QUEUE}.provisioning`, kinds: { callgroup: callgroupProvisioningKind } });
}

/** The callgroup whapp: answers callgroup/plan_req from the account's call-group documents. */
export const callgroupWhapp: WhappDefinition<CallgroupConfigShape> = {
  name: 'callgroup',
  version: CALLGROUP_VERSION,
  config: callgroupConfigShape,
  store: true,
  setup,
};
