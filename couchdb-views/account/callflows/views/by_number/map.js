function (doc) {
  if (doc.pvt_type !== 'callflow' || !Array.isArray(doc.numbers)) return;
  for (var i = 0; i < doc.numbers.length; i++) emit(doc.numbers[i], null);
}
