//! Rendering tests: the page skeleton and data island as snapshots, the
//! escaping of hostile stage names, the absence of network references, and
//! the dashboard's files and links.

#[path = "render/app_metrics.rs"]
mod app_metrics;
#[path = "support/fixture.rs"]
mod fixture;
#[path = "render/investigation.rs"]
mod investigation;
#[path = "render/service.rs"]
mod service;
/// The service session, shared with the Markdown and terminal tests.
#[path = "../../perfwatch-report/tests/service_fixture.rs"]
mod service_fixture;

use fixture::{
    fixture_session, synthetic_history, synthetic_sessions, synthetic_stage_history,
    unbounded_session, EVIL,
};
use perfwatch_html::assets::{REPORT_CSS, REPORT_JS, UPLOT_CSS, UPLOT_JS, UPLOT_LICENSE};
use perfwatch_html::{
    render_dashboard, render_dashboard_with, render_report, DashboardOptions, HistorySeries,
    HtmlOptions, CONTENT_SECURITY_POLICY,
};

const ISLAND_OPEN: &str = "<script type=\"application/json\" id=\"perfwatch-data\">";

fn report_html() -> String {
    let opts = HtmlOptions {
        title: None,
        health_score: Some(72),
    };
    let mut out = Vec::new();
    render_report(&[fixture_session()], &opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The raw text of the JSON data island.
fn island(html: &str) -> &str {
    let start = html.find(ISLAND_OPEN).expect("data island") + ISLAND_OPEN.len();
    let len = html[start..].find("</script>").expect("island end");
    &html[start..start + len]
}

/// The page with the inlined assets and the data island replaced by markers.
fn skeleton(html: &str) -> String {
    let data = island(html).to_string();
    html.replace(UPLOT_JS, "/* uPlot elided */")
        .replace(UPLOT_LICENSE, "/* uPlot licence elided */\n")
        .replace(UPLOT_CSS, "/* uPlot CSS elided */")
        .replace(REPORT_JS, "/* report.js elided */")
        .replace(REPORT_CSS, "/* report.css elided */")
        .replace(&data, "/* data island elided: see the data snapshot */")
        .replace("><", ">\n<")
}

/// Long timeline columns shortened so that the data snapshot stays readable.
fn shorten(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Array(a) => {
            if a.len() > 4 && a.iter().all(|x| x.is_number()) {
                let n = a.len();
                a.truncate(3);
                a.push(serde_json::Value::String(format!("… {n} values")));
            }
            a.iter_mut().for_each(shorten);
        }
        serde_json::Value::Object(o) => o.values_mut().for_each(shorten),
        _ => {}
    }
}

#[test]
fn report_skeleton_snapshot() {
    insta::assert_snapshot!(skeleton(&report_html()));
}

#[test]
fn report_data_snapshot() {
    let html = report_html();
    let mut data: serde_json::Value = serde_json::from_str(island(&html)).unwrap();
    shorten(&mut data);
    insta::assert_json_snapshot!(data);
}

#[test]
fn hostile_stage_name_is_escaped_everywhere() {
    let html = report_html();
    assert!(!html.contains(EVIL), "raw hostile name in the page");
    assert!(
        !html.contains("<script>alert"),
        "an injected script element"
    );
    let text = "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;";
    assert!(
        html.matches(text).count() >= 3,
        "escaped name shown in tables and findings"
    );
    let data = island(&html);
    for c in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
        assert!(!data.contains(c), "{c:?} unescaped in the data island");
    }
    assert!(data.contains(r"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e"));
    // Exactly the three script elements of the skeleton, none injected.
    assert_eq!(html.matches("<script").count(), 3);
    assert_eq!(html.matches("</script>").count(), 3);
}

/// Values of every `name=` attribute, quoted or not.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest.split([' ', '>']).next().unwrap_or(""),
            }
        })
        .collect()
}

fn assert_offline(html: &str) {
    let allowed = [
        // uPlot's banner comment, part of the vendored licence notice.
        "/*! https://github.com/leeoniya/uPlot (v1.6.32) */",
        // The SVG namespace name in report.js, an identifier never fetched.
        "\"http://www.w3.org/2000/svg\"",
    ];
    let data = island(html).to_string();
    let mut rest = html.replace(&data, "");
    for a in allowed {
        rest = rest.replace(a, "");
    }
    for scheme in ["http://", "https://", "ftp://", "ws://", "wss://"] {
        assert!(!rest.contains(scheme), "page refers to a {scheme} URL");
    }
    let lower = rest.to_ascii_lowercase();
    for bad in [
        "@import",
        "<img",
        "<iframe",
        "<link rel=\"stylesheet\"",
        "srcset=",
    ] {
        assert!(!lower.contains(bad), "page contains {bad}");
    }
    assert!(
        !lower.contains("url(")
            || lower.matches("url(").count() == lower.matches("url(data:").count()
    );
    for name in ["src", "href", "action", "poster", "xlink:href"] {
        for v in attribute_values(html, name) {
            let ok = v.starts_with('#')
                || v.starts_with("data:")
                || (!v.contains(':') && !v.starts_with("//") && !v.is_empty());
            assert!(ok, "{name}={v:?} is not local");
        }
    }
    assert!(html.contains(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">"
    )));
}

#[test]
fn report_makes_no_network_reference() {
    assert_offline(&report_html());
}

#[test]
fn report_without_sessions_is_a_valid_page() {
    let mut out = Vec::new();
    render_report(&[], &HtmlOptions::default(), &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    assert!(html.contains("No sessions to show."));
    assert_offline(&html);
}

#[test]
fn dashboard_writes_index_and_linked_session_pages() {
    let dir = tempfile::tempdir().unwrap();
    let sessions = synthetic_sessions(12);
    let history = synthetic_history(&sessions);
    let index = render_dashboard(&sessions, &history, dir.path()).unwrap();
    assert_eq!(index, dir.path().join("index.html"));
    let html = std::fs::read_to_string(&index).unwrap();
    assert_offline(&html);
    let links: Vec<&str> = attribute_values(&html, "href")
        .into_iter()
        .filter(|h| h.starts_with("sessions/"))
        .collect();
    assert_eq!(links.len(), 12);
    for link in links {
        let page = std::fs::read_to_string(dir.path().join(link)).unwrap();
        assert_offline(&page);
        assert!(page.contains("href=\"../index.html\""));
        assert!(page.contains("data-chart=\"timeline\""));
    }
    // The index carries summaries only: history points, no timelines.
    let data: serde_json::Value = serde_json::from_str(island(&html)).unwrap();
    assert_eq!(data["sessions"].as_array().unwrap().len(), 0);
    assert_eq!(data["history"].as_array().unwrap().len(), 2);
    assert_eq!(data["history"][0]["points"].as_array().unwrap().len(), 12);
    assert_eq!(data["history"][0]["unit"], "s");
    assert_eq!(html.matches("data-chart=\"history\"").count(), 2);
}

#[test]
fn dashboard_pages_are_bounded_but_keep_change_points_and_baselines() {
    let dir = tempfile::tempdir().unwrap();
    let sessions = synthetic_sessions(60);
    let history = synthetic_history(&sessions); // change point at 30, baseline 0
    let opts = DashboardOptions {
        title: Some("nightly".into()),
        session_pages: Some(10),
    };
    let index = render_dashboard_with(&sessions, &history, &opts, dir.path()).unwrap();
    let html = std::fs::read_to_string(index).unwrap();
    assert!(html.contains("<title>nightly</title>"));
    let pages = std::fs::read_dir(dir.path().join("sessions"))
        .unwrap()
        .count();
    assert_eq!(pages, 12, "10 newest + the change point + the baseline");
    for i in [0, 30, 50, 59] {
        let file = perfwatch_html::session_file_name(&sessions[i].session.id);
        assert!(
            html.contains(&format!("href=\"sessions/{file}\"")),
            "session {i} linked"
        );
    }
    let file = perfwatch_html::session_file_name(&sessions[49].session.id);
    assert!(!html.contains(&file), "session 49 has no page");
    assert_eq!(html.matches("<tr>").count(), 61, "every session listed");
}

#[test]
fn dashboard_without_data_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let empty: [HistorySeries; 0] = [];
    let index = render_dashboard(&[], &empty, &dir.path().join("new")).unwrap();
    let html = std::fs::read_to_string(index).unwrap();
    assert!(html.contains("No history yet"));
    assert_offline(&html);
}

#[test]
fn duplicate_session_ids_get_distinct_pages() {
    let dir = tempfile::tempdir().unwrap();
    let s = fixture_session();
    render_dashboard(&[s.clone(), s], &[], dir.path()).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["5e55101d00c0ffee-2.html", "5e55101d00c0ffee.html"]);
}

#[test]
fn dashboard_charts_wall_time_and_the_stages_that_moved() {
    let dir = tempfile::tempdir().unwrap();
    let sessions = synthetic_sessions(24);
    let mut history = synthetic_history(&sessions);
    history.extend(synthetic_stage_history(&sessions));
    let index = render_dashboard(&sessions, &history, dir.path()).unwrap();
    let html = std::fs::read_to_string(index).unwrap();
    // Per variant: wall time and the stage that stepped on its own; the
    // stages that only follow wall time are named, not charted.
    assert_eq!(html.matches("data-chart=\"history\"").count(), 4);
    let data: serde_json::Value = serde_json::from_str(island(&html)).unwrap();
    let charted: Vec<(&str, Option<&str>)> = data["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["variant"].as_str().unwrap(), h["stage"].as_str()))
        .collect();
    assert_eq!(
        charted,
        [
            ("baseline", None),
            ("baseline", Some("pipeline/transform")),
            ("cached", None),
            ("cached", Some("pipeline/transform")),
        ]
    );
    assert!(html.contains("Not charted:"), "no list of the others");
    assert_eq!(html.matches("(follows wall time)").count(), 6);
}

#[test]
fn every_renderer_prints_the_reference_figures_alike() {
    use perfwatch_report::units::{format_duration, samples};
    use perfwatch_report::{MarkdownRenderer, Render, TerminalOptions, TerminalRenderer};
    let seconds: Vec<f64> = samples()
        .into_iter()
        .filter(|s| s.unit == perfwatch_model::metric::Unit::Seconds)
        .map(|s| s.value)
        .take(26)
        .collect();
    assert!(seconds.contains(&0.000_999_96));
    for v in seconds {
        let mut s = fixture_session();
        let wall = s.variants[0].summary.get_mut("wall_s").unwrap();
        wall.median = v;
        let want = format_duration(v);
        let terminal = TerminalRenderer::new(TerminalOptions::default())
            .render_to_string(&s)
            .unwrap();
        let markdown = MarkdownRenderer.render_to_string(&s).unwrap();
        let mut page = Vec::new();
        render_report(&[s], &HtmlOptions::default(), &mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(
            terminal.contains(&format!("time     {want} median")),
            "{v:e}: {terminal}"
        );
        assert!(
            markdown.contains(&format!("| {want} [")),
            "{v:e}: {markdown}"
        );
        assert!(
            page.contains(&format!("title=\"median wall time\">{want}</div>")),
            "{v:e} → {want}"
        );
    }
    assert_eq!(format_duration(0.000_999_96), "1.00 ms");
}

#[test]
fn unbounded_intervals_never_print_as_numbers() {
    let mut out = Vec::new();
    render_report(&[unbounded_session()], &HtmlOptions::default(), &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    let view = &html[html.find("class=\"comparison\"").unwrap()..];
    let view = &view[..view.find("</section>").unwrap()];
    assert!(view.contains("[+40.0%, unbounded]"), "{view}");
    assert!(view.contains("&lt; 0.001"));
    assert!(!view.contains("0.000<"), "p printed as 0.000");
    // Figures shown as text, not the sort keys in attributes.
    let text: String = view
        .split('<')
        .filter_map(|tag| tag.split_once('>').map(|(_, t)| t))
        .collect();
    let longest_digits = text
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_digits <= 6, "{text}");
}

#[test]
fn the_confidence_level_printed_is_the_one_used() {
    let mut s = fixture_session();
    for v in &mut s.variants {
        v.summary.values_mut().for_each(|x| x.confidence = 0.9);
        for st in &mut v.stages {
            st.total_s.confidence = 0.9;
        }
    }
    s.comparisons.iter_mut().for_each(|c| c.confidence = 0.9);
    let mut out = Vec::new();
    render_report(&[s], &HtmlOptions::default(), &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    let body = &html[..html.find(ISLAND_OPEN).unwrap()];
    assert!(!body.contains("95%"), "a hard-coded level");
    assert!(body.contains("90% CI of median"));
    assert!(body.contains("Change [90% CI]"));
    assert!(body.contains("with its 90% confidence interval"));
}
