import { accountDocSchema, deviceDocSchema } from '@fife/store';
import type { AccountEntry, DeviceEntry } from '../domain/directory.js';

/** Maps stored documents onto what authentication needs; an invalid document is treated as absent. */
export function accountEntryFromDoc(doc: unknown): AccountEntry | undefined {
  const parsed = accountDocSchema.safeParse(doc);
  if (!parsed.success || !parsed.data._id) return undefined;
  const a = parsed.data;
  return { id: a._id!, name: a.name, realm: a.realm, enabled: a.enabled, allowClearPassword: a.allow_clear_password === true };
}

export function deviceEntryFromDoc(doc: unknown): DeviceEntry | undefined {
  const parsed = deviceDocSchema.safeParse(doc);
  if (!parsed.success || !parsed.data._id) return undefined;
  const d = parsed.data;
  return {
    id: d._id!,
    username: d.sip.username,
    password: d.sip.password,
    method: d.sip.method,
    ip: d.sip.ip,
    enabled: d.enabled,
    ownerId: d.owner_id,
    allowClearPassword: d.allow_clear_password,
    // Kazoo answers `mobile` for mobile devices, `device` otherwise.
    authorizingType: d.device_type === 'mobile' ? 'mobile' : 'device',
    presenceId: typeof d.presence_id === 'string' ? d.presence_id : undefined,
    suppressUnregisterNotifications: d.suppress_unregister_notifications === true,
    registerOverwriteNotify: d.register_overwrite_notify === true,
  };
}
