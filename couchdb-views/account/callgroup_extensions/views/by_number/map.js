function (doc) {
  if (doc.pvt_type !== 'callgroup_extension' || typeof doc.ext !== 'string') return;
  emit(doc.ext, { type: doc.type || 'SIMPLE', name: doc.name || null });
}
