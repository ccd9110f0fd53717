function (doc) {
  // Realms are case-insensitive (DNS names): callers look up the lowercased realm.
  if (doc.pvt_type !== 'account' || typeof doc.realm !== 'string') return;
  emit(doc.realm.toLowerCase(), { name: doc.name, enabled: doc.enabled !== false });
}
