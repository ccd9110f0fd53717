/**
 * The exchanges Fife publishes on, declared exactly as Kazoo and Kamailio declare them
 * (non-durable, not auto-delete, not internal, no arguments): any other flags and RabbitMQ
 * refuses the declaration with PRECONDITION_FAILED once a Kazoo peer shares the broker.
 */
export const exchanges = {
  targeted: { type: 'direct' },
  callmgr: { type: 'topic' },
  callevt: { type: 'topic' },
  callctl: { type: 'direct' },
  registrar: { type: 'topic' },
  resources: { type: 'topic' },
  nodes: { type: 'fanout' },
  /** Fife's own families (calendar, callgroup, provisioning) share one topic exchange. */
  fife: { type: 'topic' },
} as const;

export type ExchangeName = keyof typeof exchanges;

export const exchangeOptions = { durable: false, autoDelete: false, internal: false } as const;
