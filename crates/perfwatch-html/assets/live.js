/* perfwatch live page: follows the server's event stream and, when a
   session arrives, fetches this page again and swaps its <main> and data
   island in place (no navigation, the scroll position kept), then lets
   the report script rebuild tables and charts. Runs in progress
   (`perfwatch run --push`) are shown in the "Running now" panel, read from
   the runs API once and then from the stream's `live` events; every text
   from the data goes in with textContent. Served only by `perfwatch
   serve`; files written by `report` and `dashboard` carry no such script
   and make no request. */
(function () {
  "use strict";
  var me = document.currentScript;
  var eventsUrl = me.getAttribute("data-events");
  var status = document.getElementById("live-status");
  var busy = false, again = false;
  var runs = {};

  function say(text, state) {
    if (!status) return;
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  function fmt(unit, v) {
    var u = window.perfwatchUnits;
    if (v == null || !isFinite(v)) return "\u2013";
    return u ? u.format(unit, v) : String(v);
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function row(cells, head) {
    var tr = el("tr");
    cells.forEach(function (c) { tr.appendChild(el(head ? "th" : "td", c)); });
    return tr;
  }

  function card(s) {
    var p = s.progress || {};
    var box = el("article", null, "running-run");
    box.setAttribute("data-run", s.run_id);
    var head = el("h3");
    head.appendChild(el("span", s.benchmark));
    head.appendChild(el("span", " \u00b7 " + s.state, "muted"));
    box.appendChild(head);
    var line = p.done + " of " + p.planned + " done \u00b7 " + fmt("s", p.elapsed_s);
    if (p.current) {
      line += " \u00b7 now " + p.current.variant + (p.current.warmup ? " warm-up #" : " run #") +
        (p.current.index + 1) + " for " + fmt("s", p.current.elapsed_s);
    }
    box.appendChild(el("p", line, "running-progress"));
    var bar = el("progress");
    bar.max = Math.max(p.planned || 0, 1);
    bar.value = Math.min(p.done || 0, bar.max);
    box.appendChild(bar);

    var table = el("table", null, "running-estimates");
    table.appendChild(row(["variant", "runs", "median", "interval", "failed"], true));
    (s.variants || []).forEach(function (v) {
      var e = v.estimate;
      table.appendChild(row([
        v.name, String(v.runs),
        e ? fmt("s", e.median_s) : "\u2013",
        e ? fmt("s", e.ci_low_s) + " \u2013 " + fmt("s", e.ci_high_s) +
          " (" + Math.round(e.level * 100) + " %)" : "",
        v.failed ? String(v.failed) : ""
      ]));
    });
    box.appendChild(table);

    if (s.stages && s.stages.length) {
      var stages = el("table", null, "running-stages");
      stages.appendChild(row(["stage (current run)", "calls", "time"], true));
      s.stages.forEach(function (st) {
        stages.appendChild(row([st.path, String(st.calls), fmt("s", st.total_s)]));
      });
      box.appendChild(stages);
    }

    var last = s.samples && s.samples.length ? s.samples[s.samples.length - 1] : null;
    if (last) {
      var parts = ["CPU " + Math.round(last.cpu_pct) + " %", "RSS " + fmt("bytes", last.rss_bytes),
        "read " + fmt("bytes", last.read_bps) + "/s", "write " + fmt("bytes", last.write_bps) + "/s"];
      if (last.gpu_busy_pct != null) parts.push("GPU " + Math.round(last.gpu_busy_pct) + " %");
      if (last.gpu_memory_bytes != null) parts.push("GPU memory " + fmt("bytes", last.gpu_memory_bytes));
      box.appendChild(el("p", parts.join(" \u00b7 "), "running-resources"));
    }
    (s.warnings || []).forEach(function (w) { box.appendChild(el("p", "! " + w, "running-warning")); });
    (s.findings || []).forEach(function (f) { box.appendChild(el("p", "\u2022 " + f, "running-finding")); });
    return box;
  }

  function renderRuns() {
    var list = document.getElementById("running-now-list");
    var empty = document.getElementById("running-now-empty");
    if (!list) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    var all = Object.keys(runs).map(function (k) { return runs[k]; });
    all.sort(function (a, b) { return a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0; });
    all.forEach(function (s) { list.appendChild(card(s)); });
    if (empty) empty.hidden = all.length > 0;
  }

  function loadRuns() {
    var panel = document.getElementById("running-now");
    var url = panel && panel.getAttribute("data-runs");
    if (!url) return;
    fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (doc) {
        runs = {};
        (doc.runs || []).forEach(function (s) { runs[s.run_id] = s; });
        renderRuns();
      })
      .catch(function (e) { console.error("perfwatch: reading the runs in progress failed", e); });
  }

  function onLive(message) {
    var m;
    try { m = JSON.parse(message.data); } catch (e) { return; }
    if (m.event === "updated" && m.snapshot) runs[m.snapshot.run_id] = m.snapshot;
    else if (m.event === "forgotten") delete runs[m.run_id];
    else { loadRuns(); return; }
    renderRuns();
  }

  function swap(text) {
    var doc = new DOMParser().parseFromString(text, "text/html");
    var main = document.querySelector("main");
    var freshMain = doc.querySelector("main");
    var island = document.getElementById("perfwatch-data");
    var freshIsland = doc.getElementById("perfwatch-data");
    if (!main || !freshMain || !island || !freshIsland) throw new Error("unexpected page");
    main.replaceWith(document.importNode(freshMain, true));
    island.textContent = freshIsland.textContent;
    if (window.perfwatchBoot) window.perfwatchBoot();
    renderRuns();
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (text) {
        swap(text);
        say("live \u00b7 updated " + new Date().toLocaleTimeString(), "live");
      })
      .catch(function (e) {
        console.error("perfwatch: live update failed", e);
        say("live \u00b7 update failed, retrying on the next session", "error");
      })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  if (!eventsUrl || !window.EventSource) { say("not live", "off"); return; }
  var source = new EventSource(eventsUrl);
  // On every (re)connection: what was missed while away is read again.
  source.addEventListener("open", function () { say("live", "live"); loadRuns(); });
  source.addEventListener("error", function () { say("live \u00b7 reconnecting\u2026", "error"); });
  source.addEventListener("session", refresh);
  source.addEventListener("live", onLive);
})();
