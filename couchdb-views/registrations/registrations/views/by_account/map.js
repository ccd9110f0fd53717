function (doc) {
  if (doc.pvt_type !== 'registration' || typeof doc.account_id !== 'string') return;
  emit(doc.account_id, (doc.username + '@' + doc.realm).toLowerCase());
}
