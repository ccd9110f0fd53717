function (doc) {
  // One row per contact; the key matches aorKey(): "user@realm", lowercased.
  if (doc.pvt_type !== 'registration') return;
  emit((doc.username + '@' + doc.realm).toLowerCase(), { contact: doc.contact, expires_at: doc.expires_at });
}
