// The overview's live figures: the console reads the ingester's /metrics every two
// seconds (GET /api/live) and shows its rate and lag.
(function () {
  var box = document.getElementById("live");
  if (!box) return;
  var status = document.getElementById("live-status");
  var figures = document.getElementById("live-figures");
  var fmt = function (n) { return Math.round(n).toLocaleString("en-US"); };
  function look() {
    fetch("/api/live", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (l) {
      if (!l.url) {
        status.textContent = status.dataset.off;
        figures.hidden = true;
        return;
      }
      if (!l.up) {
        status.textContent = status.dataset.none + " " + l.url;
        status.title = l.error || "";
        figures.hidden = true;
        return;
      }
      status.textContent = l.url;
      status.title = "";
      figures.hidden = false;
      document.getElementById("live-rate").textContent = fmt(l.rate);
      document.getElementById("live-lag").textContent = fmt(l.lag);
      document.getElementById("live-read").textContent = fmt(l.read);
      document.getElementById("live-quarantined").textContent = fmt(l.quarantined);
      document.getElementById("live-commits").textContent = fmt(l.commits);
    }).catch(function () { status.textContent = status.dataset.none + " " + box.dataset.url; });
  }
  look();
  setInterval(look, 2000);
})();
