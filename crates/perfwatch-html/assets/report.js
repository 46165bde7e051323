/* perfwatch report script: human units, sortable tables, the theme toggle
   and every chart. The data comes from the JSON island #perfwatch-data; it
   enters the page only through textContent, createTextNode, SVG attributes
   set one by one and canvas text, never as markup. */
(function () {
  "use strict";

  var root = document.documentElement;
  var SESSIONS = [];
  var HISTORY = [];
  /** Reads the data island (again, after a live page swapped it). */
  function readData() {
    var island = document.getElementById("perfwatch-data");
    var data = island ? JSON.parse(island.textContent) : {};
    SESSIONS = data.sessions || [];
    HISTORY = data.history || [];
  }

  /* ---------- human units ----------
     The rules of perfwatch_report::units (the Rust side formats every
     figure in the tables), followed operation by operation so that chart
     labels read exactly as the tables do: rounding through an integer,
     magnitudes by comparison, no reliance on toFixed's ties. The browser
     test checks these functions against the Rust reference table. */

  var NA = "\u2013";
  var POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
  var SIG3_FLOORS = [100, 10, 1, 0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6, 1e-7];
  var TIME_UNITS = [["s", 1], ["ms", 1e-3], ["\u00b5s", 1e-6], ["ns", 1e-9]];
  var BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"];

  /** round(a × 10^d), a ≥ 0: half away from zero, as Rust's f64::round. */
  function scaled(a, d) { return Math.round(a * POW10[d]); }
  /** The integer r with a decimal point d digits from the right. */
  function fixedText(r, d) {
    var digits = r.toFixed(0);
    if (d === 0) return digits;
    while (digits.length < d + 1) digits = "0" + digits;
    return digits.slice(0, digits.length - d) + "." + digits.slice(digits.length - d);
  }
  function fixed(a, d) { d = Math.min(d, 9); return fixedText(scaled(a, d), d); }
  function sig3Parts(a) {
    var d = 9;
    for (var i = 0; i < SIG3_FLOORS.length; i++) if (a >= SIG3_FLOORS[i]) { d = i; break; }
    var r = scaled(a, d);
    if (d > 0 && r >= 1000) { d -= 1; r = scaled(a, d); }
    return [r, d];
  }
  function sig3(a) { var p = sig3Parts(a); return fixedText(p[0], p[1]); }
  function sig3AtLeast(a, bound) { var p = sig3Parts(a); return p[0] >= bound * POW10[p[1]]; }
  function trimZeros(t) { return t.indexOf(".") < 0 ? t : t.replace(/0+$/, "").replace(/\.+$/, ""); }
  function sci(a) {
    var m = a, e = 0;
    while (m >= 10) { m /= 10; e++; }
    while (m < 1) { m *= 10; e--; }
    if (scaled(m, 2) >= 1000) { m /= 10; e++; }
    return fixed(m, 2) + "e" + e;
  }
  function sign(v) { return v < 0 ? "-" : ""; }

  function fmtSeconds(s) {
    if (s == null || !isFinite(s)) return NA;
    if (s === 0) return "0 s";
    var a = Math.abs(s);
    if (!(a >= 1e-12 && a < 1e9)) return sign(s) + sci(a) + " s";
    var u = TIME_UNITS[TIME_UNITS.length - 1];
    for (var i = 0; i < TIME_UNITS.length; i++) {
      if (sig3AtLeast(a / TIME_UNITS[i][1], 1)) { u = TIME_UNITS[i]; break; }
    }
    return sign(s) + sig3(a / u[1]) + " " + u[0];
  }
  function fmtBytes(b) {
    if (b == null || !isFinite(b)) return NA;
    var a = Math.abs(b);
    if (a >= 1e18) return sign(b) + sci(a) + " B";
    var whole = fixed(a, 0);
    if (Math.round(a) < 1024) return (whole === "0" ? "" : sign(b)) + whole + " B";
    var v = a / 1024, u = 0;
    while (sig3AtLeast(v, 1024) && u + 1 < BYTE_UNITS.length) { v /= 1024; u++; }
    return sign(b) + sig3(v) + " " + BYTE_UNITS[u];
  }
  function fmtCount(v) {
    if (v == null || !isFinite(v)) return NA;
    var a = Math.abs(v);
    if (a >= 1e9 || (a > 0 && a < 1e-3)) return sign(v) + sci(a);
    var t = a % 1 === 0 || a >= 100 ? fixed(a, 0) : trimZeros(sig3(a));
    return (t === "0" ? "" : sign(v)) + t;
  }
  function fmtUnit(unit, v) {
    if (unit === "rps") return v == null || !isFinite(v) ? NA : fmtCount(v) + "/s";
    if (unit === "fraction") return v == null || !isFinite(v) ? NA : fmtCount(v * 100) + " %";
    return unit === "s" ? fmtSeconds(v) : unit === "bytes" ? fmtBytes(v) : fmtCount(v);
  }
  /** Axis ticks: the same figure without trailing zeros ("50 ms", not "50.0 ms"). */
  function fmtTick(unit, v) {
    var t = fmtUnit(unit, v);
    if (t.indexOf("e") >= 0) return t;
    var sp = t.indexOf(" ");
    return sp < 0 ? trimZeros(t) : trimZeros(t.slice(0, sp)) + t.slice(sp);
  }
  function tickOf(unit) { return function (v) { return fmtTick(unit, v); }; }
  /** A percentage of one core, whole: "180%". */
  function fmtPct(v) { return v == null || !isFinite(v) ? NA : sign(v) + fixed(Math.abs(v), 0) + "%"; }
  /** For the browser test: the formatters it compares with the Rust table. */
  window.perfwatchUnits = { format: fmtUnit, tick: fmtTick };
  /** Tick increments for byte axes: powers of two of each binary unit. */
  var BYTE_INCRS = [];
  for (var k = 0; k < 6; k++) {
    for (var m = 1; m < 1024; m *= 2) BYTE_INCRS.push(m * Math.pow(1024, k));
  }
  function fmtDate(unixS) {
    var d = new Date(unixS * 1000);
    return isNaN(d) ? NA : d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }
  /** As perfwatch_model::short_id (session ids) and the git convention (commits). */
  function shortId(s) { return s ? Array.from(String(s)).slice(0, 8).join("") : NA; }
  function shortCommit(s) { return s ? Array.from(String(s)).slice(0, 7).join("") : NA; }

  /* ---------- DOM helpers ---------- */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }
  var SVG_NS = "http://www.w3.org/2000/svg"; // a namespace name, never fetched
  function svg(tag, attrs, parent) {
    var e = document.createElementNS(SVG_NS, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function svgText(parent, x, y, text, cls, anchor) {
    var t = svg("text", { x: x, y: y, "class": cls || "", "text-anchor": anchor || "start" }, parent);
    t.textContent = text;
    return t;
  }
  function note(box, text) { box.appendChild(el("p", "chart-note", text)); }

  /* ---------- sortable tables ---------- */

  function sortKey(row, col, kind) {
    var cell = row.cells[col];
    if (!cell) return null;
    if (kind === "num") {
      var v = cell.getAttribute("data-v");
      return v == null || v === "" || isNaN(Number(v)) ? null : Number(v);
    }
    return cell.textContent.trim().toLowerCase();
  }
  function sortTable(table, col, th) {
    var kind = th.getAttribute("data-sort") || "text";
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortKey(a, col, kind), y = sortKey(b, col, kind);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      var c = x < y ? -1 : x > y ? 1 : 0;
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function makeSortable(table) {
    if (!table.tHead || !table.tBodies[0]) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      var go = function () { sortTable(table, col, th); };
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); }
      });
    });
  }

  /* ---------- theme and colours ---------- */

  function colors() {
    var cs = getComputedStyle(root);
    var v = function (n) { return cs.getPropertyValue(n).trim(); };
    var series = [];
    var stages = [];
    for (var i = 1; i <= 8; i++) series.push(v("--c" + i));
    for (var j = 1; j <= 6; j++) stages.push(v("--s" + j));
    return {
      fg: v("--fg"), muted: v("--muted"), grid: v("--grid"), bg: v("--bg"),
      bad: v("--bad"), warn: v("--medium"), band: v("--band"), series: series, stages: stages,
    };
  }
  var THEMES = ["auto", "light", "dark"];
  function setTheme(t, button) {
    if (t === "auto") root.removeAttribute("data-theme"); else root.setAttribute("data-theme", t);
    if (button) button.textContent = "Theme: " + t;
    try { localStorage.setItem("perfwatch-theme", t); } catch (e) { /* storage may be off */ }
    redrawAll();
  }
  function setupTheme() {
    var button = document.getElementById("theme-toggle");
    var saved = null;
    try { saved = localStorage.getItem("perfwatch-theme"); } catch (e) { saved = null; }
    if (THEMES.indexOf(saved) > 0) {
      root.setAttribute("data-theme", saved);
      if (button) button.textContent = "Theme: " + saved;
    }
    if (button) button.addEventListener("click", function () {
      var cur = root.getAttribute("data-theme") || "auto";
      setTheme(THEMES[(THEMES.indexOf(cur) + 1) % THEMES.length], button);
    });
    if (window.matchMedia) {
      var mq = window.matchMedia("(prefers-color-scheme: dark)");
      if (mq.addEventListener) mq.addEventListener("change", function () { redrawAll(); });
    }
  }

  /* ---------- chart registry: redrawn on theme change and resize ---------- */

  var charts = [];
  function drawChart(c) {
    if (c.cleanup) { c.cleanup(); c.cleanup = null; }
    c.box.replaceChildren();
    c.width = c.box.clientWidth;
    try {
      c.cleanup = c.draw(c.box, Math.max(280, c.width), colors()) || null;
    } catch (e) {
      console.error("perfwatch: a chart failed to draw", e);
      note(c.box, "This chart could not be drawn.");
    }
  }
  function redrawAll() { charts.forEach(drawChart); }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (c) { if (c.box.clientWidth !== c.width) drawChart(c); });
    }, 150);
  });

  function axis(col, extra) {
    var a = {
      stroke: col.muted, font: "12px system-ui, sans-serif", labelFont: "12px system-ui, sans-serif",
      grid: { stroke: col.grid, width: 1 }, ticks: { stroke: col.grid, width: 1 },
    };
    for (var k in extra) a[k] = extra[k];
    return a;
  }
  function fmtAxis(fmt) {
    return function (u, splits) { return splits.map(function (v) { return v == null ? "" : fmt(v); }); };
  }
  function fmtLegend(fmt) {
    return function (u, v) { return v == null ? NA : fmt(v); };
  }
  function upperRange(pad, floor) {
    return function (u, min, max) { return [0, Math.max(floor, (max || 0) * pad)]; };
  }

  /**
   * The x scale of a history: its sessions' span, as uPlot sets it; one
   * session (or several at one instant) sits in the middle of an hour, or
   * of three indices (uPlot's own range for a single time ran years past
   * the point).
   */
  function historyXScale(xs, timeX) {
    var lo = Math.min.apply(null, xs), hi = Math.max.apply(null, xs);
    if (!(hi === lo)) return { time: timeX };
    var half = timeX ? 1800 : 1;
    return { time: timeX, auto: false, min: lo - half, max: hi + half };
  }

  /** Trend charts zoom on the data (with 15 % margins) so that steps show. */
  function paddedRange(u, min, max) {
    if (min == null || max == null) return [0, 1];
    var pad = (max - min) * 0.15 || Math.abs(max) * 0.05 || 1;
    return [Math.max(0, min - pad), max + pad];
  }

  /* ---------- strip plot: wall time per variant (SVG) ---------- */

  function niceTicks(lo, hi, n) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var raw = span / Math.max(1, n);
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var norm = raw / mag;
    var step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }
  function jitter(i) { return ((Math.imul(i + 1, 2654435761) >>> 0) % 1000) / 500 - 1; }

  function drawStrip(box, width, col, session) {
    var vs = session.variants || [];
    var values = [];
    vs.forEach(function (v) {
      v.iterations.forEach(function (it) { if (isFinite(it.wall_s)) values.push(it.wall_s); });
      [v.ci_low, v.ci_high].forEach(function (x) { if (x != null && isFinite(x)) values.push(x); });
    });
    if (!values.length) { note(box, "No iterations to show."); return null; }
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    var pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.05 || 0.001;
    lo = Math.max(0, lo - pad); hi += pad;
    var longest = vs.reduce(function (m, v) { return Math.max(m, String(v.name).length); }, 4);
    var left = Math.min(220, 16 + longest * 7.5), right = 20, top = 8, rowH = 48, axisH = 28;
    var height = top + rowH * vs.length + axisH;
    var x = function (v) { return left + (v - lo) / (hi - lo) * (width - left - right); };
    var s = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": "wall time per variant" }, box);
    niceTicks(lo, hi, Math.floor((width - left) / 110)).forEach(function (t) {
      svg("line", { x1: x(t), x2: x(t), y1: top, y2: height - axisH, stroke: col.grid }, s);
      svgText(s, x(t), height - 10, fmtTick("s", t), "axis", "middle").setAttribute("fill", col.muted);
    });
    vs.forEach(function (v, i) {
      var color = col.series[i % col.series.length];
      var y0 = top + i * rowH, mid = y0 + rowH / 2;
      svgText(s, left - 10, mid + 4, v.name, "label", "end").setAttribute("fill", col.fg);
      if (v.ci_low != null && v.ci_high != null && isFinite(v.ci_low) && isFinite(v.ci_high)) {
        svg("rect", { x: x(v.ci_low), y: y0 + 6, width: Math.max(2, x(v.ci_high) - x(v.ci_low)), height: rowH - 12, fill: color, "fill-opacity": 0.16, rx: 3 }, s);
      }
      if (v.median != null && isFinite(v.median)) {
        svg("line", { x1: x(v.median), x2: x(v.median), y1: y0 + 4, y2: y0 + rowH - 4, stroke: color, "stroke-width": 3 }, s);
      }
      v.iterations.forEach(function (it) {
        if (!isFinite(it.wall_s)) return;
        var attrs = { cx: x(it.wall_s), cy: mid + jitter(it.index) * (rowH / 2 - 9), r: 4 };
        if (!it.ok) { attrs.fill = col.bad; attrs.stroke = col.bad; }
        else if (it.warmup) { attrs.fill = "none"; attrs.stroke = col.muted; attrs["stroke-width"] = 1.5; }
        else { attrs.fill = color; attrs["fill-opacity"] = 0.75; }
        var dot = svg("circle", attrs, s);
        svg("title", {}, dot).textContent = "#" + it.index + " · " + fmtSeconds(it.wall_s) +
          (it.warmup ? " (warm-up)" : "") + (it.ok ? "" : " (failed)");
      });
    });
    return null;
  }

  /* ---------- wall time per iteration in execution order (uPlot) ---------- */

  function drawIterations(box, width, col, session) {
    var all = [];
    (session.variants || []).forEach(function (v, vi) {
      v.iterations.forEach(function (it) { all.push({ vi: vi, it: it }); });
    });
    if (!all.length) { note(box, "No iterations to show."); return null; }
    all.sort(function (a, b) { return a.it.index - b.it.index; });
    var data = [all.map(function (p) { return p.it.index; })];
    var series = [{ label: "iteration", value: fmtLegend(function (v) { return "#" + v; }) }];
    session.variants.forEach(function (v, vi) {
      var color = col.series[vi % col.series.length];
      data.push(all.map(function (p) { return p.vi === vi && !p.it.warmup ? p.it.wall_s : null; }));
      series.push({ label: v.name, stroke: color, width: 1, spanGaps: true, value: fmtLegend(fmtSeconds),
        points: { show: true, size: 7, fill: color, stroke: color } });
    });
    data.push(all.map(function (p) { return p.it.warmup ? p.it.wall_s : null; }));
    series.push({ label: "warm-up", stroke: col.muted, width: 0, paths: function () { return null; }, value: fmtLegend(fmtSeconds),
      points: { show: true, size: 8, width: 1.5, fill: col.bg, stroke: col.muted } });
    if (all.some(function (p) { return !p.it.ok; })) {
      data.push(all.map(function (p) { return p.it.ok ? null : p.it.wall_s; }));
      series.push({ label: "failed", stroke: col.bad, width: 0, paths: function () { return null; }, value: fmtLegend(fmtSeconds),
        points: { show: true, size: 9, width: 2, fill: col.bg, stroke: col.bad } });
    }
    var u = new uPlot({
      width: width, height: 260, series: series,
      scales: { x: { time: false }, y: { range: upperRange(1.08, 1e-6) } },
      axes: [
        // Iterations are whole numbers: only integer ticks.
        axis(col, { label: "iteration (execution order)", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }),
        axis(col, { values: fmtAxis(tickOf("s")), size: 70 })
      ],
    }, data, box);
    return function () { u.destroy(); };
  }

  /* ---------- resource timeline with stage shading (uPlot) ---------- */

  function truncate(ctx, text, maxW) {
    if (ctx.measureText(text).width <= maxW) return text;
    var s = String(text);
    while (s.length > 1 && ctx.measureText(s + "…").width > maxW) s = s.slice(0, -1);
    return s.length > 1 ? s + "…" : "";
  }
  function stagePlan(spans, col) {
    var level = spans.some(function (s) { return s.depth === 1; }) ? 1 : 0;
    var shown = spans.filter(function (s) { return s.depth === level; });
    var names = [], colorOf = {};
    shown.forEach(function (s) {
      if (!Object.prototype.hasOwnProperty.call(colorOf, s.name)) {
        colorOf[s.name] = col.stages[names.length % col.stages.length];
        names.push(s.name);
      }
    });
    var hook = function (u, labels) {
      var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1;
      ctx.save();
      ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
      ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
      shown.forEach(function (s) {
        var x0 = u.valToPos(s.start, "x", true), x1 = u.valToPos(s.end, "x", true);
        ctx.globalAlpha = 0.13;
        ctx.fillStyle = colorOf[s.name];
        ctx.fillRect(x0, b.top, Math.max(1, x1 - x0), b.height);
        ctx.globalAlpha = 0.7;
        ctx.fillRect(x0, b.top, Math.max(1, x1 - x0), 3 * dpr);
        if (labels && x1 - x0 > 36 * dpr) {
          ctx.globalAlpha = 1;
          ctx.fillStyle = col.muted;
          ctx.font = (11 * dpr) + "px system-ui, sans-serif";
          ctx.fillText(truncate(ctx, s.name, x1 - x0 - 8 * dpr), x0 + 4 * dpr, b.top + 16 * dpr);
        }
      });
      ctx.restore();
    };
    return { names: names, colorOf: colorOf, shown: shown, hook: hook };
  }

  function drawTimeline(box, width, col, tl, key) {
    if (!tl || !tl.t || !tl.t.length) { note(box, "No timeline was sampled."); return null; }
    var plan = stagePlan(tl.spans || [], col);
    var LEFT = 92, RIGHT = 84, noPoints = { show: false };
    var sync = { key: key, setSeries: false };
    var xAxis = axis(col, { values: fmtAxis(tickOf("s")), space: 70 });
    var xSeries = { label: "time", value: fmtLegend(fmtSeconds) };
    var cpu = new uPlot({
      width: width, height: 230, cursor: { sync: sync },
      series: [xSeries,
        { label: "CPU", scale: "cpu", stroke: col.series[0], width: 1.5, fill: col.band, points: noPoints, value: fmtLegend(fmtPct) },
        { label: "RSS", scale: "mem", stroke: col.series[1], width: 2, points: noPoints, value: fmtLegend(fmtBytes) }],
      scales: { x: { time: false }, cpu: { range: upperRange(1.1, 10) }, mem: { range: upperRange(1.15, 1024) } },
      axes: [xAxis,
        axis(col, { scale: "cpu", label: "CPU % of one core", values: fmtAxis(fmtPct), size: LEFT }),
        axis(col, { scale: "mem", side: 1, label: "RSS", grid: { show: false }, incrs: BYTE_INCRS, values: fmtAxis(tickOf("bytes")), size: RIGHT })],
      hooks: { drawClear: [function (u) { plan.hook(u, true); }] },
    }, [tl.t, tl.cpu, tl.rss], box);
    var io = new uPlot({
      width: width, height: 170, cursor: { sync: sync },
      series: [xSeries,
        { label: "read", scale: "io", stroke: col.series[2], width: 1.5, points: noPoints, value: fmtLegend(function (v) { return fmtBytes(v) + "/s"; }) },
        { label: "write", scale: "io", stroke: col.series[3], width: 1.5, points: noPoints, value: fmtLegend(function (v) { return fmtBytes(v) + "/s"; }) }],
      scales: { x: { time: false }, io: { range: upperRange(1.15, 1024) } },
      axes: [axis(col, { values: fmtAxis(tickOf("s")), space: 70, label: "time since spawn" }),
        axis(col, { scale: "io", label: "I/O rate", incrs: BYTE_INCRS, values: fmtAxis(function (v) { return fmtTick("bytes", v) + "/s"; }), size: LEFT }),
        // An empty right axis as wide as the RSS axis above keeps both x scales aligned.
        axis(col, { scale: "io", side: 1, grid: { show: false }, stroke: "transparent", ticks: { show: false }, values: function (u, splits) { return splits.map(function () { return ""; }); }, size: RIGHT })],
      hooks: { drawClear: [function (u) { plan.hook(u, false); }] },
    }, [tl.t, tl.read, tl.write], box);
    var gpu = null;
    if (tl.gpu) {
      var memLabel = tl.gpu.tree_memory ? "GPU memory" : "GPU memory (device)";
      gpu = new uPlot({
        width: width, height: 170, cursor: { sync: sync },
        series: [xSeries,
          { label: "GPU busy", scale: "gpu", stroke: col.series[4 % col.series.length], width: 1.5, fill: col.band, points: noPoints, value: fmtLegend(fmtPct) },
          { label: memLabel, scale: "gmem", stroke: col.series[5 % col.series.length], width: 2, points: noPoints, value: fmtLegend(fmtBytes) }],
        scales: { x: { time: false }, gpu: { range: function () { return [0, 100]; } }, gmem: { range: function () { return [0, Math.max(tl.gpu.memory_total, 1024)]; } } },
        axes: [axis(col, { values: fmtAxis(tickOf("s")), space: 70, label: "time since spawn" }),
          axis(col, { scale: "gpu", label: "GPU busy %", values: fmtAxis(fmtPct), size: LEFT }),
          axis(col, { scale: "gmem", side: 1, label: memLabel, grid: { show: false }, incrs: BYTE_INCRS, values: fmtAxis(tickOf("bytes")), size: RIGHT })],
        hooks: { drawClear: [function (u) { plan.hook(u, false); }] },
      }, [tl.t, tl.gpu.busy, tl.gpu.memory], box);
      note(box, "GPU lanes: busy % of the busiest device; memory up to the device's " + fmtBytes(tl.gpu.memory_total) + ".");
    }
    if (plan.names.length) {
      var legend = el("div", "stage-legend");
      legend.appendChild(el("span", "label", "Stages: "));
      plan.names.forEach(function (name) {
        var chip = el("span", "chip");
        var sw = el("span", "swatch");
        sw.style.background = plan.colorOf[name];
        chip.appendChild(sw);
        chip.appendChild(document.createTextNode(name));
        var first = plan.shown.filter(function (s) { return s.name === name; })[0];
        chip.title = fmtSeconds(first.start) + " – " + fmtSeconds(first.end) + " (" + fmtSeconds(first.end - first.start) + ")";
        legend.appendChild(chip);
      });
      box.appendChild(legend);
    }
    if (tl.stride > 1) note(box, "Showing every " + tl.stride + "th of " + tl.samples_total + " samples.");
    if (tl.spans_total > (tl.spans || []).length) note(box, "Shading shows the outer stages; " + tl.spans_total + " spans in all.");
    return function () { cpu.destroy(); io.destroy(); if (gpu) gpu.destroy(); };
  }

  /* ---------- history: trend per series over sessions (uPlot) ---------- */

  function drawHistory(box, width, col, h) {
    var pts = h.points || [];
    if (!pts.length) { note(box, "No points yet."); return null; }
    var times = pts.map(function (p) { return Date.parse(p.started_at) / 1000; });
    var timeX = times.every(function (t, i) { return isFinite(t) && (i === 0 || t >= times[i - 1]); });
    var xs = timeX ? times : pts.map(function (p, i) { return i; });
    var fmt = function (v) { return fmtUnit(h.unit, v); };
    var baseIdx = -1;
    pts.forEach(function (p, i) { if (h.baseline_session != null && p.session_id === h.baseline_session) baseIdx = i; });
    var marks = function (u) {
      var ctx = u.ctx, b = u.bbox, dpr = window.devicePixelRatio || 1;
      ctx.save();
      ctx.font = (11 * dpr) + "px system-ui, sans-serif";
      ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
      (h.change_points || []).forEach(function (ci) {
        if (ci < 0 || ci >= xs.length) return;
        var x = u.valToPos(xs[ci], "x", true);
        ctx.strokeStyle = col.warn; ctx.lineWidth = 1.5 * dpr; ctx.setLineDash([6 * dpr, 4 * dpr]);
        ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
        ctx.fillStyle = col.warn; ctx.fillText("change", x + 4 * dpr, b.top + 12 * dpr);
      });
      if (baseIdx >= 0 && pts[baseIdx].median != null) {
        var y = u.valToPos(pts[baseIdx].median, "y", true);
        var bx = u.valToPos(xs[baseIdx], "x", true);
        ctx.strokeStyle = col.fg; ctx.lineWidth = 1 * dpr; ctx.setLineDash([2 * dpr, 3 * dpr]);
        ctx.beginPath(); ctx.moveTo(b.left, y); ctx.lineTo(b.left + b.width, y); ctx.stroke();
        ctx.setLineDash([]); ctx.lineWidth = 2 * dpr;
        ctx.beginPath(); ctx.arc(bx, y, 7 * dpr, 0, 2 * Math.PI); ctx.stroke();
        ctx.fillStyle = col.fg;
        ctx.fillText("baseline", b.left + b.width - ctx.measureText("baseline").width - 4 * dpr, y - 5 * dpr);
      }
      ctx.restore();
    };
    var xLabel = function (v, idx) {
      var p = pts[idx];
      return (timeX ? fmtDate(v) : "#" + v) + " · " + (p.commit ? shortCommit(p.commit) : "no commit") + " · " + shortId(p.session_id);
    };
    // The drawn x range and points, for tests and for readers of the DOM.
    var drawn = function (u) {
      box.setAttribute("data-x-range", u.scales.x.min + " " + u.scales.x.max);
      box.setAttribute("data-x-points", xs.join(" "));
    };
    var color = col.series[0];
    var u = new uPlot({
      width: width, height: 240,
      series: [
        { label: "session", value: function (u, v, si, idx) { return idx == null ? NA : xLabel(v, idx); } },
        { label: "median", stroke: color, width: 2, value: fmtLegend(fmt), points: { show: true, size: 6, fill: color } },
        { label: "CI low", stroke: color, width: 0.5, dash: [3, 3], value: fmtLegend(fmt), points: { show: false } },
        { label: "CI high", stroke: color, width: 0.5, dash: [3, 3], value: fmtLegend(fmt), points: { show: false } },
      ],
      bands: [{ series: [3, 2], fill: col.band }],
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      scales: { x: historyXScale(xs, timeX), y: { range: paddedRange } },
      axes: [axis(col, { space: 80 }), axis(col, { values: fmtAxis(tickOf(h.unit)), size: 72, incrs: h.unit === "bytes" ? BYTE_INCRS : undefined })],
      hooks: { draw: [marks, drawn] },
    }, [xs, pts.map(function (p) { return p.median; }), pts.map(function (p) { return p.ci_low; }), pts.map(function (p) { return p.ci_high; })], box);
    return function () { u.destroy(); };
  }

  /* ---------- boot ---------- */

  function setupChart(box) {
    var kind = box.getAttribute("data-chart");
    var session = SESSIONS[Number(box.getAttribute("data-session"))];
    var draw = null;
    if (kind === "strip" && session) draw = function (b, w, c) { return drawStrip(b, w, c, session); };
    if (kind === "iterations" && session) draw = function (b, w, c) { return drawIterations(b, w, c, session); };
    if (kind === "timeline" && session) {
      var vi = Number(box.getAttribute("data-variant"));
      var v = session.variants[vi];
      var key = "tl-" + box.getAttribute("data-session") + "-" + vi;
      draw = function (b, w, c) { return drawTimeline(b, w, c, v && v.timeline, key); };
    }
    if (kind === "history") {
      var h = HISTORY[Number(box.getAttribute("data-series"))];
      if (h) draw = function (b, w, c) { return drawHistory(b, w, c, h); };
    }
    if (!draw) draw = function (b) { note(b, "No data for this chart."); return null; };
    charts.push({ box: box, draw: draw, width: 0, cleanup: null });
  }

  /** Builds the tables and charts of <main> from the data island. Run at
      load, and again by a live page (`perfwatch serve`) once it has
      swapped in newer content: the old charts are destroyed first, the
      theme toggle and resize handler stay bound once. */
  function boot() {
    charts.forEach(function (c) { if (c.cleanup) c.cleanup(); });
    charts = [];
    readData();
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll(".chart[data-chart]"), setupChart);
    redrawAll();
    root.setAttribute("data-ready", "1");
  }

  setupTheme();
  boot();
  window.perfwatchBoot = boot;
})();
