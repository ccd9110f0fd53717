import { z } from 'zod';

/** CouchDB's own fields, allowed on every document Fife writes. */
export const couchFields = {
  _id: z.string().min(1).optional(),
  _rev: z.string().optional(),
  _deleted: z.boolean().optional(),
};

export const nonEmptyString = z.string().trim().min(1);

/** 32 lowercase hex characters: account ids and the ids Fife mints for other documents. */
export const docIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex characters');

/** A SIP domain: host name or IP literal. Stored as given; views lowercase it. */
export const realmSchema = z
  .string()
  .trim()
  .min(1)
  .regex(/^[A-Za-z0-9._:[\]-]+$/, 'expected a host name or IP address');

/** Creation/modification stamps, ISO-8601. */
export const stamps = {
  pvt_created: z.iso.datetime().optional(),
  pvt_modified: z.iso.datetime().optional(),
};
