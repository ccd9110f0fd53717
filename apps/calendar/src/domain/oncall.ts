import { z } from 'zod';
import { FifeError } from '@fife/api';
import type { BusyInterval } from './schemas.js';
import type { StatusIndex } from './status-index.js';

const SourceSchema = z.enum(['summary', 'attendee', 'categories']);

/**
 * How on-call events name their people. `users` maps a key (an attendee address without
 * `mailto:`, a SUMMARY, a category; compared case-insensitively unless `caseSensitive`) to a user
 * id. `patterns` extract keys from a source with a regular expression: the named group `user` (or
 * the whole match) is looked up in `users`, unless the pattern gives `userId` itself.
 */
export const OnCallMappingSchema = z.object({
  sources: z.array(SourceSchema).min(1).default(['attendee', 'summary', 'categories']),
  users: z.record(z.string().min(1), z.string().min(1)).default({}),
  patterns: z
    .array(
      z.object({
        source: SourceSchema,
        regex: z.string().min(1),
        userId: z.string().min(1).optional(),
      }),
    )
    .default([]),
  caseSensitive: z.boolean().default(false),
});
export type OnCallMapping = z.input<typeof OnCallMappingSchema>;
export type OnCallSource = z.infer<typeof SourceSchema>;

export type OnCallEvent = Pick<BusyInterval, 'uid' | 'summary' | 'start' | 'end' | 'attendees' | 'categories'>;

export interface OnCallAt {
  /** User ids on call, deduplicated, in the order of the events that name them (by start). */
  userIds: string[];
  /** The active events and whom each named. */
  events: { event: OnCallEvent; userIds: string[] }[];
  /** When the set of active on-call events next changes (epoch ms), at most the window's end. */
  until: number;
}

interface CompiledPattern {
  source: OnCallSource;
  regex: RegExp;
  userId: string | undefined;
}

/** Resolves events to user ids with a validated mapping. */
export class OnCallResolver {
  private readonly sources: OnCallSource[];
  private readonly users = new Map<string, string>();
  private readonly patterns: CompiledPattern[];
  private readonly caseSensitive: boolean;

  constructor(mapping: OnCallMapping) {
    const parsed = OnCallMappingSchema.safeParse(mapping);
    if (!parsed.success) {
      throw new FifeError('calendar.oncall_config', `invalid on-call mapping: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
        issues: parsed.error.issues,
      });
    }
    const m = parsed.data;
    this.sources = m.sources;
    this.caseSensitive = m.caseSensitive;
    for (const [key, id] of Object.entries(m.users)) this.users.set(this.norm(key), id);
    this.patterns = m.patterns.map((p, i) => {
      try {
        return { source: p.source, regex: new RegExp(p.regex, this.caseSensitive ? 'u' : 'iu'), userId: p.userId };
      } catch (err) {
        throw new FifeError('calendar.oncall_config', `patterns.${i}.regex: ${(err as Error).message}`, { index: i, regex: p.regex });
      }
    });
  }

  private norm(key: string): string {
    const k = key.trim().replace(/^mailto:/i, '');
    return this.caseSensitive ? k : k.toLowerCase();
  }

  private texts(event: OnCallEvent, source: OnCallSource): string[] {
    if (source === 'summary') return [event.summary];
    if (source === 'attendee') return event.attendees;
    return event.categories;
  }

  /** The user ids an event names, in source order, deduplicated. */
  usersOf(event: OnCallEvent): string[] {
    const found: string[] = [];
    const add = (id: string | undefined): void => {
      if (id !== undefined && !found.includes(id)) found.push(id);
    };
    for (const source of this.sources) {
      for (const text of this.texts(event, source)) add(this.users.get(this.norm(text)));
    }
    for (const p of this.patterns) {
      for (const text of this.texts(event, p.source)) {
        const m = p.regex.exec(text);
        if (!m) continue;
        add(p.userId ?? this.users.get(this.norm(m.groups?.user ?? m[0])));
      }
    }
    return found;
  }

  /** Who is on call at t, from an index of expanded on-call events. */
  onCallAt<T extends OnCallEvent>(index: StatusIndex<T>, t: number): OnCallAt {
    const status = index.statusAt(t);
    const events = status.active.map((event) => ({ event, userIds: this.usersOf(event) }));
    const userIds: string[] = [];
    for (const e of events) for (const id of e.userIds) if (!userIds.includes(id)) userIds.push(id);
    return { userIds, events, until: status.nextChange };
  }
}
