import { z } from 'zod';
import { isFifeError } from '@fife/api';
import { accountDbName, couchFields, nonEmptyString, registerDocumentSchema, stamps, type Store, type StoredDoc, type UpsertResult } from '@fife/store';
import type { OwnedKind } from '@fife/provisioning';
import { OnCallMappingSchema, OnCallResolver, parseIcs, zoneNamed } from '../domain/index.js';

/** Kazoo-style type field of a calendar document in an account database. */
export const CALENDAR_DOC_TYPE = 'calendar';

/** The engine's parse error (line and property) becomes the issue, so the store names `source.ics`. */
const icsText = z
  .string()
  .min(1, 'empty calendar text')
  .superRefine((text, ctx) => {
    try {
      parseIcs(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: isFifeError(err) ? err.message : String((err as Error)?.message ?? err) });
    }
  });

const inlineSource = z.object({
  type: z.literal('inline'),
  ics: icsText.describe('the iCalendar text itself'),
});

const remoteSource = z.object({
  type: z.literal('remote'),
  url: z.url({ protocol: /^(https?|webcals?)$/, error: 'expected an http(s) or webcal URL (e.g. a Google or Office 365 secret address)' }).describe(
    'ICS address (Google "secret address in iCal format", Office 365 published calendar; webcal:// is fetched over https); a secret: never logged',
  ),
  refresh_s: z.number().int().min(60).max(7 * 86_400).default(900).describe('How often the feed is fetched (conditional GET)'),
});

export const calendarSourceSchema = z.discriminatedUnion('type', [inlineSource, remoteSource]);

const zoneName = z.string().refine((name) => {
  try {
    zoneNamed(name);
    return true;
  } catch {
    return false;
  }
}, 'unknown time zone (expected an IANA name such as Europe/Brussels)');

/**
 * How an on-call event names the people on call: the engine's mapping (sources, users, patterns with a
 * `user` named group, caseSensitive), checked here by compiling it so a bad pattern is refused on write.
 */
export const oncallMappingSchema = OnCallMappingSchema.superRefine((mapping, ctx) => {
  try {
    new OnCallResolver(mapping);
  } catch (err) {
    const index = isFifeError(err) ? (err.context as { index?: unknown } | undefined)?.index : undefined;
    ctx.addIssue({ code: 'custom', path: typeof index === 'number' ? ['patterns', index, 'regex'] : [], message: (err as Error).message });
  }
});

/** A calendar as stored in an account database (open/close hours, personal busy time, on-call rota). */
export const calendarDocSchema = z
  .looseObject({
    ...couchFields,
    ...stamps,
    pvt_type: z.literal(CALENDAR_DOC_TYPE),
    name: nonEmptyString,
    kind: z.enum(['hours', 'personal', 'oncall']).default('hours').describe('hours: open/closed; personal: busy/free; oncall: who is on call'),
    timezone: zoneName.default('UTC').describe('IANA zone of all-day and floating events (and of the Reason text)'),
    source: calendarSourceSchema,
    closures: nonEmptyString.optional().describe('id of a calendar of closures (holidays): open = in hours and not in a closure'),
    oncall: oncallMappingSchema.optional(),
  })
  .superRefine((doc, ctx) => {
    if (doc.closures !== undefined && doc.kind !== 'hours') ctx.addIssue({ code: 'custom', path: ['closures'], message: 'only an hours calendar has closures' });
    if (doc.closures !== undefined && doc.closures === doc._id) ctx.addIssue({ code: 'custom', path: ['closures'], message: 'a calendar cannot close itself' });
    if (doc.kind === 'oncall' && !doc.oncall) ctx.addIssue({ code: 'custom', path: ['oncall'], message: 'an oncall calendar needs its mapping (oncall.users / oncall.patterns)' });
  });

export type CalendarDoc = z.infer<typeof calendarDocSchema>;
export type CalendarDocInput = Omit<z.input<typeof calendarDocSchema>, 'pvt_type'>;

/** Type of the document keeping the last good copy of a remote feed (shared by every instance). */
export const FEED_DOC_TYPE = 'calendar_feed';

export function feedDocId(calendarId: string): string {
  return `calendar_feed:${calendarId}`;
}

export function calendarIdOfFeedDoc(docId: string): string | undefined {
  return docId.startsWith('calendar_feed:') ? docId.slice('calendar_feed:'.length) : undefined;
}

export const feedDocSchema = z.looseObject({
  ...couchFields,
  pvt_type: z.literal(FEED_DOC_TYPE),
  calendar_id: nonEmptyString,
  url_sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('which URL this copy came from (the URL itself is a secret)'),
  ics: z.string(),
  etag: z.string().optional(),
  last_modified: z.string().optional(),
  fetched_at: z.iso.datetime(),
});
export type FeedDoc = z.infer<typeof feedDocSchema>;

let registered = false;

/** Makes every write of a `calendar` (and `calendar_feed`) through @fife/store validated (idempotent). */
export function registerCalendarDocuments(): void {
  if (registered) return;
  registerDocumentSchema(CALENDAR_DOC_TYPE, calendarDocSchema as unknown as z.ZodType<StoredDoc, unknown>);
  registerDocumentSchema(FEED_DOC_TYPE, feedDocSchema as unknown as z.ZodType<StoredDoc, unknown>);
  registered = true;
}

/**
 * Creates or replaces a calendar document. An invalid one (including unparsable ICS) is refused with
 * FifeError('store.invalid_document') whose context.field names the field and whose message carries
 * the engine's line and property; the stored calendars are untouched.
 */
export async function putCalendar(store: Store, accountId: string, calendarId: string, input: CalendarDocInput): Promise<UpsertResult<StoredDoc>> {
  registerCalendarDocuments();
  const dbName = accountDbName(accountId);
  await store.prepareDb(dbName);
  const now = new Date().toISOString();
  return store.upsert<StoredDoc>(dbName, calendarId, (current) => ({
    ...input,
    _id: calendarId,
    pvt_type: CALENDAR_DOC_TYPE,
    pvt_created: typeof current?.pvt_created === 'string' ? current.pvt_created : now,
    pvt_modified: now,
  }));
}

export async function deleteCalendar(store: Store, accountId: string, calendarId: string): Promise<boolean> {
  const result = await store.upsert<StoredDoc>(accountDbName(accountId), calendarId, () => null);
  return result.written;
}

/** The calendar kind of provisioning (inline ICS or a feed URL): the ICS is parsed here before it is stored. */
export const calendarProvisioningKind: OwnedKind = { type: CALENDAR_DOC_TYPE, schema: calendarDocSchema };
