function (doc) {
  if (doc.pvt_type !== 'device' || typeof doc.owner_id !== 'string') return;
  emit(doc.owner_id, { username: doc.sip && doc.sip.username, enabled: doc.enabled !== false });
}
