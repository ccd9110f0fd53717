function (doc) {
  // Digest authentication looks a device up by the username it registers with.
  if (doc.pvt_type !== 'device' || !doc.sip || typeof doc.sip.username !== 'string') return;
  emit(doc.sip.username.toLowerCase(), {
    method: doc.sip.method || 'password',
    realm: doc.sip.realm || null,
    enabled: doc.enabled !== false,
    owner_id: doc.owner_id || null
  });
}
