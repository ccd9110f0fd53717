/**
 * What the bus reports about its traffic. The whapp runtime turns these into Prometheus metrics;
 * the bus itself stays free of any metrics library.
 */
export interface BusObserver {
  messageIn?(message: string, queue: string): void;
  messageOut?(message: string, exchange: string): void;
  /** reason: invalid | failed | retried | timeout */
  messageFailed?(message: string, reason: string): void;
  handled?(message: string, seconds: number, outcome: 'ok' | 'error'): void;
  connection?(state: 'up' | 'down'): void;
}
