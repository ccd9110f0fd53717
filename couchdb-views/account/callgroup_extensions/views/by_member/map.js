function (doc) {
  if (doc.pvt_type !== 'callgroup_extension' || !Array.isArray(doc.ranks)) return;
  for (var r = 0; r < doc.ranks.length; r++) {
    var members = (doc.ranks[r] && doc.ranks[r].members) || [];
    for (var m = 0; m < members.length; m++) {
      if (members[m] && typeof members[m].ext === 'string') emit(members[m].ext, { group: doc.ext, rank: r });
    }
  }
  if (doc.forward && typeof doc.forward.to === 'string') emit(doc.forward.to, { forwarded_from: doc.ext, mode: doc.forward.mode });
}
