//! A real report from a real run, loaded in headless Chromium by the HTML
//! crate's browser check (`crates/perfwatch-html/tests/browser.rs`, run
//! through cargo with `PERFWATCH_BROWSER_HTML`): no console error, no
//! network request, no dialog, every chart drew, and a hostile stage name
//! never runs. The screenshot goes to `<target>/perfwatch-real-report.png`.
//!
//! Needs Chromium (`apt-get install chromium`); `PERFWATCH_SKIP_BROWSER=1`
//! skips the check where it cannot be installed.

use crate::nested_cargo::{cargo, target_dir};
use crate::util::{pw, TestDir, PERFWATCH};
use std::path::{Path, PathBuf};

/// A stage name that would run if the page put it into HTML unescaped.
const EVIL: &str = "<script>alert(1)</script>";

/// Chromium as the browser check finds it.
fn chromium() -> Option<PathBuf> {
    std::env::var_os("PERFWATCH_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file())
}

#[test]
fn a_real_report_loads_cleanly_in_headless_chromium() {
    if chromium().is_none() {
        if std::env::var("PERFWATCH_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("PERFWATCH_SKIP_BROWSER=1: browser check skipped");
            return;
        }
        panic!(
            "chromium is not installed: `apt-get install chromium` (apt-get update && \
             apt-get install -y chromium), or set PERFWATCH_CHROMIUM to a Chromium binary, \
             or set PERFWATCH_SKIP_BROWSER=1 to skip this check"
        );
    }
    let dir = TestDir::new();
    let shell = format!("{PERFWATCH} span '{EVIL}' -- sleep 0.05");
    pw(&dir)
        .args(["run", "-q", "-r", "3", &shell])
        .args(["--html", "report.html"])
        .assert()
        .success();
    let html = dir.read("report.html");
    assert!(
        !html.contains(EVIL),
        "the stage name is in the page unescaped"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    let shot = target_dir().join("perfwatch-real-report.png");
    let _ = std::fs::remove_file(&shot);
    let report = dir.join("report.html");
    let out = cargo(
        &[
            "test",
            "-q",
            "-p",
            "perfwatch-html",
            "--test",
            "browser",
            "--",
            "pages_work_in_chromium",
            "--exact",
            "--nocapture",
        ],
        "browser-for-tests",
        &[
            ("PERFWATCH_BROWSER_HTML", report.as_path()),
            ("PERFWATCH_SCREENSHOT", shot.as_path()),
        ],
    );
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        log.contains("1 passed") && log.contains("charts drew"),
        "the browser check did not check the page:\n{log}"
    );
    assert_png(&shot);
    eprintln!("screenshot of the real report: {}", shot.display());
}

fn assert_png(path: &Path) {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
        "{} is not a screenshot",
        path.display()
    );
}
