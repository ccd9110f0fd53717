function (doc) {
  if (doc.pvt_type !== 'account' || typeof doc.name !== 'string') return;
  emit(doc.name.toLowerCase(), { realm: doc.realm });
}
