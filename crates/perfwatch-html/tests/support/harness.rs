//! Driving headless Chromium for the browser tests: launching it, loading
//! a page, collecting what went wrong, checking that every chart drew and
//! taking a screenshot into the target directory.

use base64::Engine;
use perfwatch_testkit::cdp::Browser;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Installed before any page script runs: remembers a call of `alert` (the
/// dialog it opens is also seen and dismissed by the driver).
pub const INIT_SCRIPT: &str = "window.__alerted = false; (function () { var a = window.alert; \
    window.alert = function () { window.__alerted = true; return a.apply(window, arguments); }; })();";

/// What the page reports about itself once its script finished.
pub const CHECK: &str = r#"(function () {
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

pub use perfwatch_testkit::cdp::chromium;

pub fn target_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// Everything that went wrong while `url` loaded, as messages.
pub fn problems(b: &Browser) -> Vec<String> {
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
pub fn check_page(b: &mut Browser, file: &Path, shot: &Path, dark: bool) -> Value {
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
    let height = report["height"].as_f64().unwrap_or(800.0);
    screenshot(b, shot, 1280.0, height);

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

pub fn open_browser() -> Option<Browser> {
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

/// Save the page's top `height` pixels (at most 12,000), `width` wide, as a
/// PNG at `shot`, and print where.
pub fn screenshot(b: &mut Browser, shot: &Path, width: f64, height: f64) {
    screenshot_of(b, shot, [0.0, 0.0, width, height]);
}

/// Save the part `[x, y, width, height]` of the page (in page pixels, at
/// most 12,000 high) as a PNG at `shot`, and print where.
pub fn screenshot_of(b: &mut Browser, shot: &Path, [x, y, width, height]: [f64; 4]) {
    let shot_data = b
        .call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true,
                    "clip": { "x": x, "y": y, "width": width, "height": height.min(12_000.0), "scale": 1 } }),
        )
        .unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot_data["data"].as_str().unwrap_or_default())
        .unwrap();
    std::fs::write(shot, png).unwrap();
    eprintln!("screenshot: {}", shot.display());
}
