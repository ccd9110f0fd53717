function (doc) {
  // The expiry sweep asks for keys up to "now" (unix seconds).
  if (doc.pvt_type !== 'registration' || typeof doc.expires_at !== 'number') return;
  emit(doc.expires_at, null);
}
