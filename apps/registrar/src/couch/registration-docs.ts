import { isAccountId, type StoredDoc } from '@fife/store';
import { registrationRecordSchema, type RegistrationRecord } from '../domain/registration.js';

/**
 * A binding as a `registrations` document. The store's schema wants a 32-hex `account_id`; peers may
 * send other ids (Kamailio test setups do), which then stay only in `wire`, untouched.
 */
export function docOf(record: RegistrationRecord, rev?: string): StoredDoc & { _id: string } {
  const { id, account_id, ...rest } = record;
  return {
    _id: id,
    ...(rev ? { _rev: rev } : {}),
    pvt_type: 'registration',
    ...rest,
    ...(account_id && isAccountId(account_id) ? { account_id } : {}),
  };
}

export function recordOf(doc: unknown): RegistrationRecord | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  if (d.pvt_type !== 'registration' || d._deleted === true) return undefined;
  const parsed = registrationRecordSchema.safeParse({ ...d, id: d._id });
  return parsed.success ? parsed.data : undefined;
}
