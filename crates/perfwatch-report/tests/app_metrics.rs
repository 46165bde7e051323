//! The application metrics a program reported about itself, side by side
//! per variant: the terminal table at 80 columns and the Markdown table,
//! names from the program escaped, nothing shown when none was reported.

use crate::fixture;
use crate::widths::render_at;
use perfwatch_model::{AppMetricKind, AppMetricSummary, SessionExport};
use perfwatch_report::{MarkdownRenderer, Render, TerminalOptions};

/// A name a hostile or careless program may report: Markdown and HTML
/// markup, a table cell's bar, a terminal escape sequence.
const HOSTILE_NAME: &str = "<script>|q\x1b[2J";

fn metric(kind: AppMetricKind, runs: u32, median: f64, min: f64, max: f64) -> AppMetricSummary {
    AppMetricSummary {
        kind,
        runs,
        median,
        min,
        max,
    }
}

/// The fixture's two variants with application metrics: a hit rate both
/// report, a counter only the first reports, a long name and a hostile one.
fn export_with_app_metrics() -> SessionExport {
    let mut export = fixture::export();
    let before = &mut export.variants[0].app_metrics;
    before.insert(
        "cache_hit_rate".into(),
        metric(AppMetricKind::Gauge, 4, 0.8125, 0.79, 0.84),
    );
    before.insert(
        "rows_written".into(),
        metric(AppMetricKind::Counter, 4, 12345.0, 12345.0, 12345.0),
    );
    before.insert(
        "connection_pool.checked_out_connections_at_exit".into(),
        metric(AppMetricKind::Gauge, 4, 3.0, 2.0, 8.0),
    );
    let after = &mut export.variants[1].app_metrics;
    after.insert(
        "cache_hit_rate".into(),
        metric(AppMetricKind::Gauge, 3, 0.97, 0.962, 0.981),
    );
    after.insert(
        HOSTILE_NAME.into(),
        metric(AppMetricKind::Counter, 1, 1.5e9, 1.5e9, 1.5e9),
    );
    export
}

/// The lines of the terminal view from the application metrics' title to
/// the next blank line.
fn app_metrics_block(text: &str) -> String {
    let start = text
        .find("Application metrics")
        .expect("an application metrics table");
    let block = &text[start..];
    let end = block.find("\n\n").unwrap_or(block.len());
    block[..end].to_string()
}

#[test]
fn terminal_app_metrics_are_one_line_per_variant_unless_verbose() {
    let options = TerminalOptions {
        width: 80,
        ..TerminalOptions::default()
    };
    let text = render_at(&export_with_app_metrics(), options);
    assert!(!text.contains("Application metrics"), "{text}");
    assert!(
        text.lines().all(|l| console::measure_text_width(l) <= 80),
        "{text}"
    );
    // Per variant, under its label: the median and the range when there is
    // one, wrapped, two lines at most (the rest said to be left out).
    let blocks: Vec<Vec<&str>> = text
        .split("  metrics  ")
        .skip(1)
        .map(|b| {
            let mut lines = vec![b.lines().next().unwrap()];
            lines.extend(
                b.lines()
                    .skip(1)
                    .take_while(|l| l.starts_with("           ")),
            );
            lines
        })
        .collect();
    assert_eq!(blocks.len(), 2, "one block per variant:\n{text}");
    let first = blocks[0].join("\n");
    assert!(
        first.contains("cache_hit_rate 0.813 (0.79–0.84)"),
        "{first}"
    );
    assert!(blocks[0].len() <= 2, "{first}");
    assert!(
        first.contains("rows_written 12345") || first.ends_with('…'),
        "{first}"
    );
    assert!(blocks[1].join(" ").contains("1 of 3 runs"), "{blocks:#?}");
    assert!(!text.contains('\x1b'), "a raw escape sequence: {text}");
}

#[test]
fn terminal_app_metrics_table_of_two_variants_at_80_columns() {
    let options = TerminalOptions {
        width: 80,
        verbose: true,
        ..TerminalOptions::default()
    };
    let text = render_at(&export_with_app_metrics(), options);
    // After the stage table, before the comparisons.
    let stages = text.find("Stages (").unwrap();
    let metrics = text.find("Application metrics").unwrap();
    let comparison = text.find("Comparison:").unwrap();
    assert!(stages < metrics && metrics < comparison, "{text}");
    assert!(!text.contains('\x1b'), "a raw escape sequence: {text}");
    insta::assert_snapshot!(app_metrics_block(&text));
}

#[test]
fn terminal_app_metrics_of_many_variants_leave_the_last_out_to_fit() {
    let mut export = export_with_app_metrics();
    for k in 0..3 {
        let mut extra = export.variants[0].clone();
        extra.name = format!("variant number {k}");
        export.variants.push(extra);
    }
    let options = TerminalOptions {
        width: 80,
        verbose: true,
        ..TerminalOptions::default()
    };
    let block = app_metrics_block(&render_at(&export, options));
    assert!(block.contains("before"), "{block}");
    assert!(
        block.contains("more variants, left out to fit 80 columns"),
        "{block}"
    );
}

#[test]
fn markdown_app_metrics_table_escapes_reported_names() {
    let text = MarkdownRenderer
        .render_to_string(&export_with_app_metrics())
        .unwrap();
    let start = text.find("### Application metrics").unwrap();
    let section = &text[start..];
    let section = &section[..section[4..].find("\n### ").map_or(section.len(), |e| e + 4)];
    assert!(!section.contains("<script>"), "{section}");
    assert!(!section.contains('\x1b'), "{section}");
    insta::assert_snapshot!(section);
}

#[test]
fn no_app_metrics_no_table() {
    let export = fixture::export();
    let verbose = TerminalOptions {
        verbose: true,
        ..TerminalOptions::default()
    };
    let terminal = perfwatch_report::TerminalRenderer::new(verbose)
        .render_to_string(&export)
        .unwrap();
    let markdown = MarkdownRenderer.render_to_string(&export).unwrap();
    assert!(!terminal.contains("Application metrics"));
    assert!(!markdown.contains("Application metrics"));
}
