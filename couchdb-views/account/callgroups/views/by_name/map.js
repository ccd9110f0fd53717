function (doc) {
  if (doc.pvt_type !== 'callgroup') return;
  emit(typeof doc.name === 'string' ? doc.name.toLowerCase() : null, null);
}
