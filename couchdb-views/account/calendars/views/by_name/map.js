function (doc) {
  if (doc.pvt_type !== 'calendar') return;
  emit(typeof doc.name === 'string' ? doc.name.toLowerCase() : null, null);
}
