//! The pages in a real browser: headless Chromium driven over the DevTools
//! protocol loads the report and the dashboard and checks that no console
//! error or exception occurred, no network request was made, no dialog
//! opened, every chart drew, and the hostile stage name shows as text.
//! Screenshots go to the target directory.
//!
//! Needs Debian's `chromium` (`apt-get install -y chromium`); set
//! `PERFWATCH_SKIP_BROWSER=1` to skip where it cannot be installed.
//! `PERFWATCH_BROWSER_HTML=<file>` checks that file instead of the fixtures
//! (this is what `scripts/browser-check` does).

#[path = "support/cdp.rs"]
mod cdp;
#[path = "support/fixture.rs"]
mod fixture;

use base64::Engine;
use cdp::Browser;
use fixture::{fixture_session, synthetic_history, synthetic_sessions, EVIL};
use perfwatch_html::{render_dashboard, render_report, HtmlOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Installed before any page script runs: remembers a call of `alert` (the
/// dialog it opens is also seen and dismissed by the driver).
const INIT_SCRIPT: &str = "window.__alerted = false; (function () { var a = window.alert; \
    window.alert = function () { window.__alerted = true; return a.apply(window, arguments); }; })();";

/// What the page reports about itself once its script finished.
const CHECK: &str = r#"(function () {
  function inked(c) {
    try {
      var d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      for (var i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    } catch (e) { return false; }
    return false;
  }
  var charts = Array.prototype.map.call(document.querySelectorAll(".chart[data-chart]"), function (box) {
    var drawn = Array.prototype.filter.call(box.querySelectorAll("canvas, svg"), function (g) {
      var r = g.getBoundingClientRect();
      if (!(r.width > 0 && r.height > 0)) return false;
      return g.tagName.toLowerCase() === "svg" ? g.childElementCount > 0 : inked(g);
    });
    return { kind: box.getAttribute("data-chart"), drawn: drawn.length };
  });
  var chips = Array.prototype.map.call(document.querySelectorAll(".stage-legend .chip"), function (c) { return c.textContent; });
  return {
    ready: document.documentElement.getAttribute("data-ready") === "1",
    charts: charts,
    alerted: window.__alerted === true,
    scripts: document.scripts.length,
    text: document.body.innerText,
    chips: chips,
    height: Math.ceil(document.documentElement.scrollHeight)
  };
})()"#;

fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("PERFWATCH_CHROMIUM").map(PathBuf::from);
    named
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file())
}

fn target_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// Everything that went wrong while `url` loaded, as messages.
fn problems(b: &Browser) -> Vec<String> {
    let mut out = Vec::new();
    for e in &b.events {
        let p = &e["params"];
        match e["method"].as_str().unwrap_or_default() {
            "Runtime.consoleAPICalled"
                if matches!(p["type"].as_str(), Some("error" | "assert")) =>
            {
                out.push(format!("console {}: {}", p["type"], p["args"]));
            }
            "Runtime.exceptionThrown" => out.push(format!("exception: {}", p["exceptionDetails"])),
            "Log.entryAdded" if p["entry"]["level"] == "error" => {
                out.push(format!("log error: {}", p["entry"]["text"]));
            }
            "Network.requestWillBeSent" => {
                let url = p["request"]["url"].as_str().unwrap_or_default();
                if !(url.starts_with("file:")
                    || url.starts_with("data:")
                    || url.starts_with("about:"))
                {
                    out.push(format!("network request: {url}"));
                }
            }
            "Page.javascriptDialogOpening" => out.push(format!("dialog opened: {}", p["message"])),
            _ => {}
        }
    }
    out
}

/// Load `file`, run the checks, save a screenshot to `shot`; returns the
/// page's own report.
fn check_page(b: &mut Browser, file: &Path, shot: &Path, dark: bool) -> Value {
    b.events.clear();
    let media = if dark { "dark" } else { "light" };
    b.call(
        "Emulation.setEmulatedMedia",
        json!({ "features": [{ "name": "prefers-color-scheme", "value": media }] }),
    )
    .unwrap();
    let url = format!("file://{}", file.canonicalize().unwrap().display());
    b.call("Page.navigate", json!({ "url": url })).unwrap();
    b.wait_event("Page.loadEventFired").unwrap();
    b.wait_until("document.documentElement.getAttribute('data-ready') === '1'")
        .unwrap_or_else(|e| {
            panic!(
                "{}: script never finished: {e}; {:?}",
                file.display(),
                problems(b)
            )
        });
    let report = b.eval(CHECK).unwrap();
    let height = report["height"].as_f64().unwrap_or(800.0).min(12_000.0);
    let shot_data = b
        .call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": 1280, "height": height, "scale": 1 } }),
        )
        .unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot_data["data"].as_str().unwrap_or_default())
        .unwrap();
    std::fs::write(shot, png).unwrap();
    eprintln!("screenshot: {}", shot.display());

    let issues = problems(b);
    assert!(issues.is_empty(), "{}: {issues:#?}", file.display());
    assert_eq!(report["alerted"], false, "alert() was called");
    assert_eq!(report["scripts"], 3, "unexpected script elements");
    let charts = report["charts"].as_array().unwrap();
    for c in charts {
        assert!(
            c["drawn"].as_u64().unwrap_or(0) > 0,
            "{}: chart {} drew nothing",
            file.display(),
            c["kind"]
        );
    }
    report
}

fn open_browser() -> Option<Browser> {
    let Some(path) = chromium() else {
        if std::env::var("PERFWATCH_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("PERFWATCH_SKIP_BROWSER=1: browser check skipped");
            return None;
        }
        panic!(
            "chromium is not installed: install it with `apt-get update && apt-get install -y chromium` \
             (or set PERFWATCH_CHROMIUM to a Chromium binary), or set PERFWATCH_SKIP_BROWSER=1 to skip"
        );
    };
    let mut b = Browser::launch(&path).unwrap();
    for domain in ["Page", "Runtime", "Log", "Network"] {
        b.call(&format!("{domain}.enable"), json!({})).unwrap();
    }
    b.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": INIT_SCRIPT }),
    )
    .unwrap();
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
    )
    .unwrap();
    Some(b)
}

/// Clicking a header sorts its table; the theme button cycles auto → light
/// → dark → auto and every chart is drawn again each time.
fn assert_sorting_and_theme_toggle(b: &mut Browser) {
    let first_stage = "document.querySelector('table.stages tbody tr td').textContent";
    b.eval("document.querySelectorAll('table.stages th')[2].click()")
        .unwrap();
    assert_eq!(
        b.eval(first_stage).unwrap(),
        "write",
        "ascending by baseline median"
    );
    b.eval("document.querySelectorAll('table.stages th')[2].click()")
        .unwrap();
    assert_eq!(
        b.eval(first_stage).unwrap(),
        "pipeline",
        "descending by baseline median"
    );
    for want in ["light", "dark", "auto"] {
        b.eval("document.getElementById('theme-toggle').click()")
            .unwrap();
        let theme = b
            .eval("document.documentElement.getAttribute('data-theme') || 'auto'")
            .unwrap();
        assert_eq!(theme, want);
        let r = b.eval(CHECK).unwrap();
        for c in r["charts"].as_array().unwrap() {
            assert!(
                c["drawn"].as_u64().unwrap_or(0) > 0,
                "chart {} after switching to {want}",
                c["kind"]
            );
        }
    }
    assert!(problems(b).is_empty(), "{:#?}", problems(b));
}

/// Hovering the middle of the first history chart puts the commit of the
/// session there (one of `middle`) into the legend.
fn assert_hover_shows_commit(b: &mut Browser, middle: &[perfwatch_model::SessionExport]) {
    let rect = b
        .eval(
            "(function () { var r = document.querySelector('.chart[data-chart=history] .u-over').getBoundingClientRect(); \
             return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()",
        )
        .unwrap();
    b.call(
        "Input.dispatchMouseEvent",
        json!({ "type": "mouseMoved", "x": rect["x"], "y": rect["y"] }),
    )
    .unwrap();
    let legend = b
        .eval("document.querySelector('.chart[data-chart=history] .u-legend').textContent")
        .unwrap();
    let legend = legend.as_str().unwrap_or_default();
    let commits: Vec<String> = middle
        .iter()
        .filter_map(|s| s.session.git.as_ref()?.commit.clone())
        .collect();
    assert!(
        commits.iter().any(|c| legend.contains(&c[..12])),
        "legend {legend:?} shows none of the commits {commits:?} of the hovered sessions"
    );
}

#[test]
fn pages_work_in_chromium() {
    let Some(mut b) = open_browser() else { return };
    let target = target_dir();
    std::fs::create_dir_all(&target).unwrap();

    if let Some(file) = std::env::var_os("PERFWATCH_BROWSER_HTML") {
        let shot = std::env::var_os("PERFWATCH_SCREENSHOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| target.join("perfwatch-page.png"));
        let report = check_page(&mut b, Path::new(&file), &shot, false);
        eprintln!(
            "{} charts drew",
            report["charts"].as_array().map_or(0, Vec::len)
        );
        return;
    }

    // The report of the fixture session, in both themes.
    let report_file = target.join("perfwatch-report.html");
    let opts = HtmlOptions {
        title: None,
        health_score: Some(72),
    };
    let mut f = std::fs::File::create(&report_file).unwrap();
    render_report(&[fixture_session()], &opts, &mut f).unwrap();
    drop(f);
    for (dark, name) in [
        (false, "perfwatch-report.png"),
        (true, "perfwatch-report-dark.png"),
    ] {
        let r = check_page(&mut b, &report_file, &target.join(name), dark);
        let kinds: Vec<&str> = r["charts"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["kind"].as_str())
            .collect();
        assert_eq!(kinds, ["strip", "iterations", "timeline", "timeline"]);
        assert!(
            r["text"].as_str().unwrap().contains(EVIL),
            "hostile name not shown as text"
        );
        assert!(
            r["chips"].as_array().unwrap().iter().any(|c| c == EVIL),
            "hostile name not in the stage legend"
        );
    }

    assert_sorting_and_theme_toggle(&mut b);

    // The dashboard: the index with history charts, and one session page.
    let dir = target.join("perfwatch-dashboard");
    let sessions = synthetic_sessions(40);
    let index = render_dashboard(&sessions, &synthetic_history(&sessions), &dir).unwrap();
    let r = check_page(
        &mut b,
        &index,
        &target.join("perfwatch-dashboard.png"),
        false,
    );
    assert_eq!(r["charts"].as_array().unwrap().len(), 2);
    let mid = sessions.len() / 2;
    assert_hover_shows_commit(&mut b, &sessions[mid - 1..=mid + 1]);
    let page = dir
        .join("sessions")
        .join(perfwatch_html::session_file_name(&sessions[0].session.id));
    check_page(&mut b, &page, &target.join("perfwatch-session.png"), false);
}
