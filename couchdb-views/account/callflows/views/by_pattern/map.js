function (doc) {
  // Patterns are regular expressions; the router fetches them all and tests the dialed number itself.
  if (doc.pvt_type !== 'callflow' || !Array.isArray(doc.patterns)) return;
  for (var i = 0; i < doc.patterns.length; i++) emit(doc.patterns[i], null);
}
