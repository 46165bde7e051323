/* perfwatch live page: follows the server's event stream and, when a
   session arrives, fetches this page again and swaps its <main> and data
   island in place (no navigation, the scroll position kept), then lets
   the report script rebuild tables and charts. Served only by
   `perfwatch serve`; files written by `report` and `dashboard` carry no
   such script and make no request. */
(function () {
  "use strict";
  var me = document.currentScript;
  var eventsUrl = me.getAttribute("data-events");
  var status = document.getElementById("live-status");
  var busy = false, again = false;

  function say(text, state) {
    if (!status) return;
    status.textContent = text;
    status.setAttribute("data-state", state);
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
  source.addEventListener("open", function () { say("live", "live"); });
  source.addEventListener("error", function () { say("live \u00b7 reconnecting\u2026", "error"); });
  source.addEventListener("session", refresh);
})();
