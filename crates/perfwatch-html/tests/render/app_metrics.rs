//! Application metrics (what the program reported of itself) on the pages:
//! a session's table, its names escaped, and on the dashboard a trend
//! chart of their own per `app:` history series, titled by the name and
//! read as plain numbers.

use super::{assert_offline, island};
use crate::fixture::{fixture_session, synthetic_history, synthetic_sessions};
use perfwatch_html::{render_dashboard, render_report, HistorySeries, HtmlOptions};
use perfwatch_model::{AppMetricKind, AppMetricSummary, SessionExport};

/// A metric name a program may report to break the page.
const HOSTILE_NAME: &str = "<script>alert(1)</script>";
const HOSTILE_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

fn metric(kind: AppMetricKind, runs: u32, median: f64, min: f64, max: f64) -> AppMetricSummary {
    AppMetricSummary {
        kind,
        runs,
        median,
        min,
        max,
    }
}

/// The fixture session with a hit rate in both variants, a counter in the
/// first and a hostile name in the second.
fn session_with_app_metrics() -> SessionExport {
    let mut s = fixture_session();
    let a = &mut s.variants[0].app_metrics;
    a.insert(
        "cache_hit_rate".into(),
        metric(AppMetricKind::Gauge, 9, 0.125, 0.1, 0.16),
    );
    a.insert(
        "rows_parsed".into(),
        metric(AppMetricKind::Counter, 9, 12345.0, 12300.0, 12400.0),
    );
    let b = &mut s.variants[1].app_metrics;
    b.insert(
        "cache_hit_rate".into(),
        metric(AppMetricKind::Gauge, 9, 0.8125, 0.79, 0.84),
    );
    b.insert(
        HOSTILE_NAME.into(),
        metric(AppMetricKind::Counter, 2, 7.0, 7.0, 7.0),
    );
    s
}

fn report(s: SessionExport) -> String {
    let mut out = Vec::new();
    render_report(&[s], &HtmlOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The history of the synthetic sessions with application-metric series
/// for the first variant: a hit rate that stepped at the middle, a queue
/// depth, and one under a hostile name.
fn history_with_app_series(sessions: &[SessionExport]) -> Vec<HistorySeries> {
    let mut history = synthetic_history(sessions);
    let wall = history[0].clone();
    let app = |name: &str, at: &dyn Fn(usize) -> f64| {
        let mut h = wall.clone();
        h.metric = format!("app:{name}");
        for (i, p) in h.points.iter_mut().enumerate() {
            p.median = at(i);
            p.ci_low = at(i);
            p.ci_high = at(i);
        }
        h
    };
    let half = sessions.len() / 2;
    history.push(app("cache_hit_rate", &|i| {
        if i < half {
            0.5
        } else {
            0.8125
        }
    }));
    history.push(app("queue_depth_s", &|i| 40.0 + i as f64));
    history.push(app(HOSTILE_NAME, &|_| 1.0));
    history
}

#[test]
fn session_page_has_an_escaped_application_metrics_section() {
    let html = report(session_with_app_metrics());
    let start = html
        .find("<h3>Application metrics</h3>")
        .expect("the section");
    let section = &html[start..];
    let section = &section[..section.find("</table>").unwrap()];
    // After the stage breakdown.
    assert!(html.find("<h3>Stage breakdown</h3>").unwrap() < start);
    for want in [
        "cache_hit_rate",
        "0.125 (0.1–0.16, 9 runs)",
        "0.813 (0.79–0.84, 9 runs)",
        "12345 (12300–12400, 9 runs)",
        "7 (2 runs)",
        ">gauge<",
        ">counter<",
    ] {
        assert!(section.contains(want), "{want:?} missing: {section}");
    }
    assert!(section.contains(HOSTILE_ESCAPED), "{section}");
    assert!(!html.contains(HOSTILE_NAME), "a raw reported name");
    // The skeleton's three script elements, none injected.
    assert_eq!(html.matches("<script").count(), 3);
    assert_offline(&html);
}

/// A monitored session's header names the program's version it
/// measured, as the terminal's does.
#[test]
fn session_page_header_names_the_program_version() {
    let mut s = session_with_app_metrics();
    s.session.program_version = Some("1.4.2<b>".into());
    let html = report(s);
    assert!(
        html.contains("<dt>Version</dt><dd><code>1.4.2&lt;b&gt;</code></dd>"),
        "{html}"
    );
    assert!(!report(fixture_session()).contains("<dt>Version</dt>"));
}

#[test]
fn session_page_without_application_metrics_has_no_section() {
    let html = report(fixture_session());
    assert!(!html.contains("Application metrics"));
}

#[test]
fn app_history_series_get_charts_of_their_own_titled_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let sessions = synthetic_sessions(12);
    let history = history_with_app_series(&sessions);
    let index = render_dashboard(&sessions, &history, dir.path()).unwrap();
    let html = std::fs::read_to_string(index).unwrap();
    assert_offline(&html);
    // Two wall-time charts and the three application metrics, none of
    // them taken for a stage that follows wall time or barely moved.
    assert_eq!(html.matches("data-chart=\"history\"").count(), 5);
    assert!(!html.contains("Not charted:"), "{html}");
    let data: serde_json::Value = serde_json::from_str(island(&html)).unwrap();
    let charted: Vec<(&str, &str, &str)> = data["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["variant"].as_str().unwrap(),
                h["metric"].as_str().unwrap(),
                h["unit"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        charted,
        [
            ("baseline", "wall_s", "s"),
            ("baseline", "app:cache_hit_rate", "count"),
            ("baseline", "app:queue_depth_s", "count"),
            ("baseline", "app:<script>alert(1)</script>", "count"),
            ("cached", "wall_s", "s"),
        ]
    );
    // Titled by the name as reported, the latest figure a plain number
    // (not seconds, though the name ends in `_s`).
    assert!(html.contains("<h3>pipeline · baseline · cache_hit_rate</h3>"));
    assert!(html.contains("latest <strong>0.813</strong>"), "{html}");
    assert!(html.contains("<h3>pipeline · baseline · queue_depth_s</h3>"));
    assert!(html.contains("latest <strong>51</strong>"));
    assert!(html.contains(&format!("<h3>pipeline · baseline · {HOSTILE_ESCAPED}</h3>")));
    assert_eq!(html.matches("<script").count(), 3);
}

#[test]
#[ignore = "writes pages to /tmp/appm for a screenshot"]
fn write_app_metrics_pages() {
    let dir = std::path::Path::new("/tmp/appm");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("report.html"), report(session_with_app_metrics())).unwrap();
    let sessions = synthetic_sessions(12);
    let history = history_with_app_series(&sessions);
    render_dashboard(&sessions, &history, &dir.join("dashboard")).unwrap();
}
