import {
  eventCommand,
  filterCommand,
  filterDeleteAllCommand,
  filterDeleteCommand,
  type EncodedCommand,
} from './commands.js';
import type { EventFormat } from './event.js';

type Filter = readonly [header: string, value: string];

/**
 * What a client has asked FreeSWITCH to send, kept so a new connection can be put back in the same
 * state. Event names are case-insensitive in FreeSWITCH (kept upper-case); `::` marks a CUSTOM subclass.
 * The client's own needs (BACKGROUND_JOB for bgapi, HEARTBEAT for liveness) are always subscribed, and
 * let through by filters while any user filter exists.
 */
export class Subscriptions {
  private readonly names = new Set<string>();
  private readonly subclasses = new Set<string>();
  private readonly filters: Filter[] = [];
  private readonly internalFilters: Filter[];

  constructor(private readonly internal: readonly string[]) {
    this.internalFilters = internal.map((name) => ['Event-Name', name] as const);
  }

  /** Records the tokens; returns those that are new, in the order `event` expects (subclasses after CUSTOM). */
  add(tokens: readonly string[]): string[] {
    const names: string[] = [];
    const subclasses: string[] = [];
    for (const token of tokens) {
      if (token.includes('::')) {
        if (!this.subclasses.has(token)) subclasses.push(token);
        this.subclasses.add(token);
        continue;
      }
      const name = token.toUpperCase();
      if (name === 'CUSTOM' || this.names.has(name) || this.internal.includes(name)) continue;
      this.names.add(name);
      names.push(name);
    }
    return subclasses.length > 0 ? [...names, 'CUSTOM', ...subclasses] : names;
  }

  /** Forgets the tokens; returns those to nix (never the client's own). */
  remove(tokens: readonly string[]): string[] {
    const names: string[] = [];
    const subclasses: string[] = [];
    for (const token of tokens) {
      if (token.includes('::')) {
        if (this.subclasses.delete(token)) subclasses.push(token);
      } else if (this.names.delete(token.toUpperCase())) {
        names.push(token.toUpperCase());
      }
    }
    return subclasses.length > 0 ? [...names, 'CUSTOM', ...subclasses] : names;
  }

  clear(): void {
    this.names.clear();
    this.subclasses.clear();
  }

  eventTokens(): string[] {
    // ALL covers every event, custom subclasses and the client's own included.
    if (this.names.has('ALL')) return ['ALL'];
    const names = [...this.internal, ...this.names];
    return this.subclasses.size > 0 ? [...names, 'CUSTOM', ...this.subclasses] : names;
  }

  get userFilters(): readonly Filter[] {
    return this.filters;
  }

  /** Records a filter; returns the commands to send now (the client's own filters go first, once). */
  addFilter(header: string, value: string): EncodedCommand[] {
    if (this.filters.some(([h, v]) => h === header && v === value)) return [];
    const first = this.filters.length === 0;
    this.filters.push([header, value]);
    const filters = first ? [...this.internalFilters.filter((f) => !sameFilter(f, [header, value])), [header, value] as const] : [[header, value] as const];
    return filters.map(([h, v]) => filterCommand(h, v));
  }

  /** Forgets matching filters; when none of the user's remain, the client's own are dropped too. */
  removeFilter(header: string, value?: string): EncodedCommand[] {
    const before = this.filters.length;
    for (let i = this.filters.length - 1; i >= 0; i--) {
      const [h, v] = this.filters[i]!;
      if (h === header && (value === undefined || v === value)) this.filters.splice(i, 1);
    }
    if (before > 0 && this.filters.length === 0) return [filterDeleteAllCommand()];
    return [filterDeleteCommand(header, value)];
  }

  clearFilters(): EncodedCommand[] {
    this.filters.length = 0;
    return [filterDeleteAllCommand()];
  }

  /** What a fresh connection needs, in order: one `event` command, then the filters. */
  restoreCommands(format: EventFormat): EncodedCommand[] {
    const commands = [eventCommand(format, this.eventTokens())];
    if (this.filters.length === 0) return commands;
    const filters = [...this.internalFilters.filter((f) => !this.filters.some((u) => sameFilter(u, f))), ...this.filters];
    return [...commands, ...filters.map(([h, v]) => filterCommand(h, v))];
  }
}

function sameFilter(a: Filter, b: Filter): boolean {
  return a[0] === b[0] && a[1] === b[1];
}
