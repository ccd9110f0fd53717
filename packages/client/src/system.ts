import { system, type MessageOf } from '@fife/api';
import type { Bus } from '@fife/bus';

export class System {
  constructor(private readonly bus: Bus) {}

  /** Every running Fife process (or those of one app), as they describe themselves. */
  async processes(app?: string, timeoutMs = 1000): Promise<Array<MessageOf<typeof system.pingResp>>> {
    const replies = await this.bus.collect(system.pingReq, app ? { App: app } : {}, { timeoutMs, replies: [system.pingResp] });
    return replies as Array<MessageOf<typeof system.pingResp>>;
  }
}
