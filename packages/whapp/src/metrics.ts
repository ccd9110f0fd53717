import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BusObserver } from '@fife/bus';

/** Prometheus metrics of one process; the bus reports into them through its observer hooks. */
export function createMetrics(app: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry, prefix: 'fife_process_' });
  const messagesIn = new Counter({ name: 'fife_messages_in_total', help: 'Valid messages consumed', labelNames: ['message', 'queue'], registers: [registry] });
  const messagesOut = new Counter({ name: 'fife_messages_out_total', help: 'Messages published and confirmed', labelNames: ['message', 'exchange'], registers: [registry] });
  const messagesFailed = new Counter({
    name: 'fife_messages_failed_total',
    help: 'Messages that failed: invalid (dead-lettered), failed (handler error, dead-lettered), retried, timeout (no reply)',
    labelNames: ['message', 'reason'],
    registers: [registry],
  });
  const handlerSeconds = new Histogram({
    name: 'fife_handler_duration_seconds',
    help: 'Handler latency from delivery to ack',
    labelNames: ['message', 'outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const busConnected = new Gauge({ name: 'fife_bus_connected', help: '1 while the AMQP connection is up', registers: [registry] });

  const observer: BusObserver = {
    messageIn: (message, queue) => messagesIn.inc({ message, queue }),
    messageOut: (message, exchange) => messagesOut.inc({ message, exchange }),
    messageFailed: (message, reason) => messagesFailed.inc({ message, reason }),
    handled: (message, seconds, outcome) => handlerSeconds.observe({ message, outcome }, seconds),
    connection: (state) => busConnected.set(state === 'up' ? 1 : 0),
  };
  return { registry, observer };
}

export type Metrics = ReturnType<typeof createMetrics>;
