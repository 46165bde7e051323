//! The pages in a real browser: headless Chromium driven over the DevTools
//! protocol loads the report and the dashboard and checks that no console
//! error or exception occurred, no network request was made, no dialog
//! opened, every chart drew, and the hostile stage name shows as text; the
//! chart labels read as the Rust side formats them (`units_parity`); the
//! comparison stays readable with an unbounded interval
//! (`compare_layout`). Screenshots go to the target directory.
//!
//! Needs Debian's `chromium` (`apt-get install -y chromium`); set
//! `PERFWATCH_SKIP_BROWSER=1` to skip where it cannot be installed.
//! `PERFWATCH_BROWSER_HTML=<file>` checks that file instead of the fixtures
//! (this is what `scripts/browser-check` does).

#[path = "browser/compare_layout.rs"]
mod compare_layout;
#[path = "support/fixture.rs"]
mod fixture;
#[path = "support/harness.rs"]
mod harness;
#[path = "browser/units_parity.rs"]
mod units_parity;

use fixture::{
    fixture_session, synthetic_history, synthetic_sessions, synthetic_stage_history, EVIL,
};
use harness::{check_page, open_browser, problems, target_dir, CHECK};
use perfwatch_html::{render_dashboard, render_report, HtmlOptions};
use perfwatch_testkit::cdp::Browser;
use serde_json::json;
use std::path::{Path, PathBuf};

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
        commits.iter().any(|c| legend.contains(&c[..7])),
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
    let mut history = synthetic_history(&sessions);
    history.extend(synthetic_stage_history(&sessions));
    let index = render_dashboard(&sessions, &history, &dir).unwrap();
    let r = check_page(
        &mut b,
        &index,
        &target.join("perfwatch-dashboard.png"),
        false,
    );
    // Wall time and the one stage that moved on its own, per variant.
    assert_eq!(r["charts"].as_array().unwrap().len(), 4);
    let mid = sessions.len() / 2;
    assert_hover_shows_commit(&mut b, &sessions[mid - 1..=mid + 1]);
    let page = dir
        .join("sessions")
        .join(perfwatch_html::session_file_name(&sessions[0].session.id));
    check_page(&mut b, &page, &target.join("perfwatch-session.png"), false);
}

/// The x range each history chart drew: (min, max, points), in seconds.
fn drawn_x_ranges(b: &mut Browser) -> Vec<(f64, f64, Vec<f64>)> {
    let v = b
        .eval(
            "Array.prototype.map.call(document.querySelectorAll('.chart[data-chart=history]'), \
             function (c) { return [c.getAttribute('data-x-range'), c.getAttribute('data-x-points')]; })",
        )
        .unwrap();
    let nums = |s: &serde_json::Value| -> Vec<f64> {
        s.as_str()
            .unwrap_or_else(|| panic!("a history chart without its drawn range: {v}"))
            .split(' ')
            .map(|x| x.parse().unwrap_or_else(|_| panic!("{x:?} in {v}")))
            .collect()
    };
    v.as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            let range = nums(&pair[0]);
            (range[0], range[1], nums(&pair[1]))
        })
        .collect()
}

#[test]
fn a_history_of_one_session_is_drawn_in_the_hour_around_it() {
    let Some(mut b) = open_browser() else { return };
    let target = target_dir();
    std::fs::create_dir_all(&target).unwrap();
    for (n, name) in [(1, "one"), (5, "five")] {
        let dir = target.join(format!("perfwatch-dashboard-{name}"));
        let sessions = synthetic_sessions(n);
        let index = render_dashboard(&sessions, &synthetic_history(&sessions), &dir).unwrap();
        check_page(
            &mut b,
            &index,
            &target.join(format!("perfwatch-dashboard-{name}.png")),
            false,
        );
        let drawn = drawn_x_ranges(&mut b);
        assert!(!drawn.is_empty());
        for (min, max, points) in drawn {
            let (first, last) = (points[0], points[points.len() - 1]);
            if n == 1 {
                // uPlot's own range for one time ran years past it.
                assert_eq!((min, max), (first - 1800.0, first + 1800.0));
            } else {
                assert_eq!((min, max), (first, last));
            }
        }
    }
}
