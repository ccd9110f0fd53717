function (doc) {
  // IP authentication: trusted devices are found by the source address of the request.
  if (doc.pvt_type !== 'device' || !doc.sip || doc.sip.method !== 'ip' || typeof doc.sip.ip !== 'string') return;
  emit(doc.sip.ip, { username: doc.sip.username, enabled: doc.enabled !== false, owner_id: doc.owner_id || null });
}
