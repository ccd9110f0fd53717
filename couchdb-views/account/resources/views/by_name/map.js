function (doc) {
  if (doc.pvt_type !== 'resource') return;
  emit(typeof doc.name === 'string' ? doc.name.toLowerCase() : null, null);
}
