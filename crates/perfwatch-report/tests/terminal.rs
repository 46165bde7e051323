//! The terminal renderers.

use crate::fixture;
use perfwatch_model::SessionStatus;
use perfwatch_report::terminal::{
    render_comparisons, render_findings, render_sessions, render_stages,
};
use perfwatch_report::{Render, SessionListRow, TerminalOptions, TerminalRenderer};

fn plain() -> TerminalOptions {
    TerminalOptions::default()
}

fn colored() -> TerminalOptions {
    TerminalOptions {
        color: true,
        ..TerminalOptions::default()
    }
}

fn to_string(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut buffer = Vec::new();
    write(&mut buffer).unwrap();
    String::from_utf8(buffer).unwrap()
}

#[test]
fn session_summary() {
    let text = TerminalRenderer::new(plain())
        .render_to_string(&fixture::export())
        .unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn plain_output_has_no_escape_codes() {
    let text = TerminalRenderer::new(plain())
        .render_to_string(&fixture::export())
        .unwrap();
    assert!(!text.contains('\x1b'));
}

#[test]
fn colour_changes_only_the_escape_codes() {
    let export = fixture::export();
    let plain_text = TerminalRenderer::new(plain())
        .render_to_string(&export)
        .unwrap();
    let colored_text = TerminalRenderer::new(colored())
        .render_to_string(&export)
        .unwrap();
    assert!(colored_text.contains('\x1b'));
    assert_eq!(console::strip_ansi_codes(&colored_text), plain_text);
}

#[test]
fn severities_and_warnings_are_coloured() {
    let mut export = fixture::export();
    export.comparisons[0].verdict = perfwatch_model::Verdict::Regressed;
    export.comparisons[0].severity = perfwatch_model::Severity::Low;
    let text = TerminalRenderer::new(colored())
        .render_to_string(&export)
        .unwrap();
    let style = |s: console::Style, t: &str| s.force_styling(true).apply_to(t).to_string();
    // Low: yellow; medium and high: red; critical: bold red; improved: green.
    assert!(text.contains(&style(console::Style::new().yellow(), "regressed (low)")));
    assert!(text.contains(&style(console::Style::new().red(), "regressed (medium)")));
    assert!(text.contains(&style(console::Style::new().red(), "regressed (high)")));
    assert!(text.contains(&style(
        console::Style::new().red().bold(),
        "regressed (critical)"
    )));
    let improved = fixture::export();
    let improved_text = TerminalRenderer::new(colored())
        .render_to_string(&improved)
        .unwrap();
    assert!(improved_text.contains(&style(console::Style::new().green(), "improved")));
    let warning = &export.variants[1].warnings[0];
    assert!(text.contains(&style(
        console::Style::new().yellow(),
        &format!("  warning: {warning}")
    )));
}

#[test]
fn comparisons_alone() {
    let export = fixture::export();
    let text = to_string(|out| render_comparisons(&export.comparisons, &plain(), out));
    insta::assert_snapshot!(text);
}

#[test]
fn stage_comparisons_are_named_by_their_path() {
    let export = fixture::export();
    let text = to_string(|out| render_comparisons(&export.comparisons, &plain(), out));
    let header = text.lines().nth(1).unwrap();
    assert!(
        header.trim_start().starts_with("metric / stage"),
        "{header}"
    );
    let row = text.lines().find(|l| l.contains("job/parse")).unwrap();
    assert!(row.trim_start().starts_with("job/parse "), "{row}");
    assert!(row.contains("regressed (critical)"), "{row}");
}

#[test]
fn empty_sections_write_nothing() {
    let options = plain();
    assert_eq!(to_string(|out| render_comparisons(&[], &options, out)), "");
    assert_eq!(to_string(|out| render_stages(&[], &options, out)), "");
    assert_eq!(to_string(|out| render_findings(&[], &options, out)), "");
}

#[test]
fn stages_are_capped_when_asked() {
    let export = fixture::export();
    let options = TerminalOptions {
        max_stages: Some(2),
        ..plain()
    };
    let text = to_string(|out| render_stages(&export.variants[0].stages, &options, out));
    insta::assert_snapshot!(text);
    let hidden = TerminalOptions {
        max_stages: Some(0),
        ..plain()
    };
    let summary = TerminalRenderer::new(hidden)
        .render_to_string(&export)
        .unwrap();
    assert!(!summary.contains("Stages"));
}

fn session_rows() -> Vec<SessionListRow> {
    vec![
        SessionListRow {
            id: "3f2a9c1d5e6b7a80".into(),
            started_at: "2025-01-02T03:04:05Z".into(),
            benchmark: "etl_pipeline".into(),
            variants: vec!["before".into(), "after".into()],
            iterations: 10,
            status: SessionStatus::Complete,
            commit: Some("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678".into()),
            branch: Some("main".into()),
            version: None,
            wall_median: Some(1.23),
            latency_p99_s: None,
        },
        SessionListRow {
            id: "00ff00ff00ff00ff".into(),
            started_at: "2025-01-03T10:00:00.5Z".into(),
            benchmark: "sleep 0.1".into(),
            variants: vec!["default".into()],
            iterations: 2,
            status: SessionStatus::Interrupted,
            commit: None,
            branch: None,
            version: None,
            wall_median: None,
            latency_p99_s: None,
        },
    ]
}

#[test]
fn session_list() {
    let text = to_string(|out| render_sessions(&session_rows(), &plain(), out));
    insta::assert_snapshot!(text);
}

#[test]
fn session_list_in_colour_keeps_its_layout() {
    let rows = session_rows();
    let plain_text = to_string(|out| render_sessions(&rows, &plain(), out));
    let colored_text = to_string(|out| render_sessions(&rows, &colored(), out));
    assert!(colored_text.contains('\x1b'));
    assert_eq!(console::strip_ansi_codes(&colored_text), plain_text);
}

#[test]
fn empty_session_list_says_so() {
    let text = to_string(|out| render_sessions(&[], &plain(), out));
    assert_eq!(text, "no sessions stored\n");
}

#[test]
fn control_characters_in_reported_names_are_escaped() {
    let mut export = fixture::export();
    export.variants[0].stages[0].path = "job/evil\n\x1b[2J".into();
    export.findings[0].title = "line\nbreak".into();
    let text = TerminalRenderer::new(plain())
        .render_to_string(&export)
        .unwrap();
    assert!(!text.contains('\x1b'));
    assert!(text.contains("job/evil\\n\\u{1b}[2J"), "{text}");
    assert!(text.contains("line\\nbreak"), "{text}");
}

#[test]
fn reported_cpu_means_are_shown_marked_when_runs_have_no_cpu_times() {
    let mut export = fixture::export();
    for v in &mut export.variants {
        v.summary.remove("user_s");
        v.summary.remove("sys_s");
    }
    let name = export.variants[0].name.clone();
    let spec = export
        .session
        .variants
        .iter_mut()
        .find(|v| v.name == name)
        .unwrap();
    spec.cpu_means = Some(perfwatch_model::CpuMeans {
        user_s: 0.0012,
        sys_s: 0.0034,
    });
    let text = TerminalRenderer::new(plain())
        .render_to_string(&export)
        .unwrap();
    let marked: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("(reported means)"))
        .collect();
    assert_eq!(marked.len(), 1, "{text}");
    assert!(marked[0].contains("user 1.20 ms · sys 3.40 ms"), "{text}");
}
