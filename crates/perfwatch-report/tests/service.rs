//! Service benchmarks in the terminal view and the Markdown report: the
//! service lines lead each service variant's block (wall time after the
//! runs, as context), only the failures that happened are listed, the
//! closed model carries its caveat, and everything fits 80 columns.

use crate::service_fixture;
use crate::widths::render_at;
use perfwatch_report::service::CLOSED_MODEL_CAVEAT;
use perfwatch_report::{MarkdownRenderer, Render, TerminalOptions};

fn at_80() -> TerminalOptions {
    TerminalOptions {
        width: 80,
        ..TerminalOptions::default()
    }
}

/// The block of the variant named `name`: from its title to the next blank
/// line.
fn variant_block(text: &str, name: &str) -> String {
    let start = text
        .find(&format!("Variant {name}\n"))
        .unwrap_or_else(|| panic!("no block for {name}:\n{text}"));
    let block = &text[start..];
    let end = block.find("\n\n").unwrap_or(block.len());
    block[..end].to_string()
}

/// The text of the labelled line `label` and its continuation lines.
fn labelled(block: &str, label: &str) -> String {
    let mut lines = block
        .lines()
        .skip_while(|l| !l.starts_with(&format!("  {label:<9}")));
    let mut text = vec![lines.next().unwrap_or_default().to_string()];
    text.extend(
        lines
            .take_while(|l| l.starts_with("           "))
            .map(|l| l.trim().to_string()),
    );
    text.join(" ")
}

#[test]
fn terminal_service_session_at_80_columns() {
    let text = render_at(&service_fixture::export(), at_80());
    assert!(!text.contains('\x1b'), "{text}");
    let blocks: String = service_fixture::NAMES
        .iter()
        .map(|name| variant_block(&text, name))
        .collect::<Vec<_>>()
        .join("\n\n");
    insta::assert_snapshot!(blocks);
}

#[test]
fn terminal_service_lines_lead_and_wall_time_follows() {
    let text = render_at(&service_fixture::export(), at_80());
    for name in service_fixture::NAMES {
        let block = variant_block(&text, name);
        let labels: Vec<&str> = block
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with("           "))
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        let want: &[&str] = if name == "closed-8" {
            &[
                "start-up", "latency", "caveat", "load", "errors", "shutdown", "runs", "wall",
            ]
        } else {
            &[
                "start-up", "latency", "load", "errors", "shutdown", "runs", "wall",
            ]
        };
        assert_eq!(labels, want, "{block}");
        assert!(!block.contains("  time "), "{block}");
        assert!(
            labelled(&block, "wall").contains("as long as the load ran, not a result"),
            "{block}"
        );
    }
}

#[test]
fn terminal_lists_only_the_failures_that_happened() {
    let text = render_at(&service_fixture::export(), at_80());
    let clean = variant_block(&text, "baseline");
    assert_eq!(labelled(&clean, "errors"), "  errors   rate 0 %", "{clean}");
    assert_eq!(
        labelled(&clean, "load"),
        "  load     open model · throughput 200/s · 6000 sent"
    );
    assert!(!clean.contains("killed"), "{clean}");
    let pooled = variant_block(&text, "pooled");
    let errors = labelled(&pooled, "errors");
    for part in [
        "4xx 3",
        "5xx 20",
        "other 1",
        "10 timeouts",
        "2 connect errors",
        "1 transport error",
    ] {
        assert!(errors.contains(part), "{part} missing: {errors}");
    }
    let load = labelled(&pooled, "load");
    assert!(
        load.contains("12 late") && load.contains("43 dropped"),
        "{load}"
    );
    assert!(
        labelled(&pooled, "shutdown").contains("killed after the stop timeout in 2 runs"),
        "{pooled}"
    );
    // The caveat only where the closed model measured.
    assert!(!clean.contains("coordinated omission"), "{clean}");
    let closed = variant_block(&text, "closed-8");
    assert_eq!(
        labelled(&closed, "caveat"),
        format!("  caveat   {CLOSED_MODEL_CAVEAT}"),
        "{closed}"
    );
}

#[test]
fn terminal_service_figures_in_verbose_and_wide_views() {
    for options in [
        TerminalOptions {
            width: 120,
            ..TerminalOptions::default()
        },
        TerminalOptions {
            width: 80,
            verbose: true,
            ..TerminalOptions::default()
        },
    ] {
        let text = render_at(&service_fixture::export(), options);
        let block = variant_block(&text, "baseline");
        assert!(
            block.contains("p50 2.10 ms · p90 4.20 ms · p99 9.80 ms · p99.9 21.4 ms · max 48.2 ms"),
            "{block}"
        );
        assert!(block.contains("throughput 200/s · 6000 sent"), "{block}");
    }
}

#[test]
fn markdown_service_table_and_caveat() {
    let text = MarkdownRenderer
        .render_to_string(&service_fixture::export())
        .unwrap();
    let start = text.find("### Service").expect("a service section");
    let section = &text[start..];
    let section = &section[..section[4..].find("\n### ").map_or(section.len(), |e| e + 4)];
    assert!(section.contains("closed model: latency counts from each actual send"));
    assert!(section.contains("(`rate`)"), "{section}");
    assert!(
        section.contains("- **pooled**: 4xx 3 · 5xx 20 · other 1 · 10 timeouts · 2 connect errors · 1 transport error · killed after the stop timeout in 2 runs\n"),
        "{section}"
    );
    insta::assert_snapshot!(section);
}

/// As in the terminal, a service's figures lead the Markdown report and
/// its wall time follows under a title that says what it holds.
#[test]
fn markdown_service_section_leads_and_wall_time_follows_titled() {
    let text = MarkdownRenderer
        .render_to_string(&service_fixture::export())
        .unwrap();
    let service = text.find("### Service").expect("a service section");
    let wall = text
        .find("### Wall time per run")
        .expect("a wall-time title");
    let table = text
        .find("| Variant | Runs | Mean ± σ")
        .expect("the wall table");
    assert!(service < wall && wall < table, "{text}");
    assert!(text[wall..table].contains("information, not judged"));
}

#[test]
fn markdown_service_names_are_escaped() {
    let mut export = service_fixture::export();
    export.variants[2].name = "<script>|x".into();
    let text = MarkdownRenderer.render_to_string(&export).unwrap();
    let section = &text[text.find("### Service").unwrap()..];
    assert!(!section.contains("<script>"), "{section}");
    assert!(
        section.contains("| \\<script\\>\\|x | closed |"),
        "{section}"
    );
    assert!(
        section.contains("> **Caveat** (\\<script\\>\\|x):"),
        "{section}"
    );
}

#[test]
fn no_service_no_service_section() {
    let export = crate::fixture::export();
    let terminal = perfwatch_report::TerminalRenderer::new(at_80())
        .render_to_string(&export)
        .unwrap();
    let markdown = MarkdownRenderer.render_to_string(&export).unwrap();
    assert!(!terminal.contains("start-up") && !terminal.contains("  wall "));
    assert!(terminal.contains("  time     "));
    assert!(!markdown.contains("### Service"));
}
