function (doc) {
  if (doc.pvt_type !== 'user' || typeof doc.username !== 'string') return;
  emit(doc.username.toLowerCase(), { first_name: doc.first_name, last_name: doc.last_name, enabled: doc.enabled !== false });
}
