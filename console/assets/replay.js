// The midnight replay: plays the hour around the peak minute from GET /api/replay.
// The clock runs on the page's timers (100 ms ticks), so a browser's virtual time
// (chromium --virtual-time-budget) plays it as fast as it likes. URL parameters:
// speed (default 60: the hour in a minute), from (seconds from the peak minute to start at, default -1800),
// paused (any value: wait for Play).
(function () {
  var root = document.getElementById("replay");
  var svg = document.getElementById("chart");
  var T = root.dataset;
  var params = new URLSearchParams(location.search);
  var speed = Number(params.get("speed")) || 60;
  // A from that is not a number of seconds within the hour (say "23:59") starts at the
  // beginning of the hour rather than drawing a clock of NaN.
  var from = Number(params.get("from"));
  if (!params.has("from") || !isFinite(from) || from < -1800 || from > 1800) from = -1800;
  var playing = !params.has("paused");
  var data, claims, attempts, t, peakBase, timer;
  var HALF = 1800, W = 900, H = 400, L = 60, R = 20, TOP = 20, B = 40;
  var NS = "http://www.w3.org/2000/svg";

  function fmt(n) { return Math.round(n).toLocaleString("en-US"); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // The local wall clock of an offset from the peak minute. The peak is a naive local
  // time; it is read as if UTC and printed with the UTC getters, so the browser's own
  // zone plays no part.
  function clock(sec) {
    var d = new Date(peakBase + Math.floor(sec) * 1000);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + " CST";
  }
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  }
  // Sum of a per-second series over the 60 seconds up to and including second s.
  function window60(series, s) {
    var n = 0;
    for (var i = Math.max(0, s - 59); i <= s; i++) n += series[i];
    return n;
  }
  var x = function (i) { return L + (W - L - R) * i / (2 * HALF); };
  // Two panels over one time axis: claims (with the reported line) above, attempts
  // below, each on its own scale: attempts at midnight outnumber claims many times.
  var panels;

  function panel(top, bottom, max, label, cls) {
    var p = { top: top, bottom: bottom, max: max, cls: cls };
    p.y = function (v) { return bottom - (bottom - top) * v / max; };
    el("line", { x1: L, y1: bottom, x2: W - R, y2: bottom, class: "axis" });
    el("line", { x1: L, y1: top, x2: L, y2: bottom, class: "axis" });
    for (var k = 0; k <= 2; k++) {
      var v = max * k / 2;
      el("text", { x: L - 6, y: p.y(v) + 4, "text-anchor": "end", class: "tick" }, v < 10 ? v.toFixed(1) : fmt(v));
    }
    el("line", { x1: x(HALF), y1: top, x2: x(HALF), y2: bottom, class: "midline" });
    el("text", { x: L + 8, y: top + 12, class: "legend " + cls + "-label" }, label);
    p.path = el("path", { class: cls, d: "" });
    p.cursor = el("line", { x1: L, y1: top, x2: L, y2: bottom, class: "cursor" });
    return p;
  }

  function setup() {
    claims = new Array(2 * HALF).fill(0);
    attempts = new Array(2 * HALF).fill(0);
    data.seconds.forEach(function (s) {
      var i = s[0] + HALF;
      if (i >= 0 && i < 2 * HALF) { claims[i] = s[1]; attempts[i] = s[2]; }
    });
    peakBase = Date.parse(data.peak + "Z");
    var c = panel(TOP, 210, Math.max(data.reported_per_minute / 60, data.peak_claims / 60, 0.1) * 1.15, T.tClaimsline, "claims");
    var a = panel(240, H - B, Math.max(data.peak_attempts / 60, 0.1) * 1.15, T.tAttemptsline, "attempts");
    c.series = claims;
    a.series = attempts;
    panels = [c, a];
    for (var m = -30; m <= 30; m += 10) {
      var xm = x((m + 30) * 60);
      el("line", { x1: xm, y1: H - B, x2: xm, y2: H - B + 5, class: "axis" });
      el("text", { x: xm, y: H - B + 20, "text-anchor": "middle", class: "tick" }, clock(m * 60).slice(11, 16));
    }
    if (data.reported_per_minute > 0) {
      var yr = c.y(data.reported_per_minute / 60);
      el("line", { x1: L, y1: yr, x2: W - R, y2: yr, class: "reported" });
      el("text", { x: W - R - 4, y: yr - 6, "text-anchor": "end", class: "reported-label" },
        T.tReported + " × " + T.tScale + " " + data.scale + " = " + fmt(data.reported_per_minute) + "/min");
    }
  }

  function draw() {
    var s = Math.min(2 * HALF - 1, Math.max(0, Math.floor(t) + HALF));
    panels.forEach(function (p) {
      var d = "";
      // One point every 10 seconds keeps the path short.
      for (var i = 0; i <= s; i += 10) {
        d += (i === 0 ? "M" : "L") + x(i).toFixed(1) + "," + p.y(window60(p.series, i) / 60).toFixed(1);
      }
      p.path.setAttribute("d", d);
      p.cursor.setAttribute("x1", x(s));
      p.cursor.setAttribute("x2", x(s));
    });
    var c60 = window60(claims, s), a60 = window60(attempts, s);
    document.getElementById("clock").textContent = clock(t);
    document.getElementById("claims-rate").textContent = (c60 / 60).toFixed(1);
    document.getElementById("attempts-rate").textContent = (a60 / 60).toFixed(1);
    document.getElementById("empty-share").textContent = a60 > 0 ? Math.round(100 * (a60 - c60) / a60) + "%" : "-";
    var minuteStart = s - ((s % 60) + 60) % 60, inMinute = 0;
    for (var j = minuteStart; j <= s; j++) inMinute += claims[j];
    document.getElementById("minute-claims").textContent = fmt(inMinute);
    var peakEl = document.getElementById("peak");
    if (t >= 60) {
      peakEl.textContent = T.tPeak + " " + clock(0).slice(0, 16) + " CST: " + fmt(data.peak_claims) + " " +
        T.tClaims + ", " + fmt(data.peak_attempts) + " " + T.tAttempts;
      peakEl.dataset.claims = data.peak_claims;
      root.dataset.passedPeak = "yes";
    } else {
      peakEl.textContent = T.tBefore;
    }
    document.getElementById("speed-now").textContent = speed + "×";
    Array.prototype.forEach.call(document.querySelectorAll("button.speed"), function (b) {
      b.classList.toggle("on", Number(b.dataset.speed) === speed);
    });
  }

  function tick() {
    if (!playing) return;
    t += speed * 0.1;
    if (t >= HALF - 1) {
      t = HALF - 1;
      playing = false;
      root.dataset.state = "done";
    }
    draw();
  }

  fetch("/api/replay").then(function (r) {
    if (!r.ok) return r.text().then(function (m) { throw new Error(m); });
    return r.json();
  }).then(function (d) {
    data = d;
    if (!d.seconds.length) {
      document.getElementById("peak").textContent = T.tNodata;
    }
    setup();
    t = from;
    root.dataset.state = playing ? "playing" : "paused";
    draw();
    timer = setInterval(tick, 100);
  }).catch(function (e) {
    root.dataset.state = "failed";
    document.getElementById("peak").textContent = e.message;
  });

  document.getElementById("play").addEventListener("click", function () {
    if (t >= HALF - 1) t = -HALF;
    playing = !playing;
    root.dataset.state = playing ? "playing" : "paused";
  });
  document.getElementById("restart").addEventListener("click", function () {
    t = -HALF;
    playing = true;
    root.dataset.state = "playing";
    draw();
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.speed"), function (b) {
    b.addEventListener("click", function () { speed = Number(b.dataset.speed); draw(); });
  });
})();
