//! The terminal summary of the README's main job fits a screen: at most
//! 62 lines (its health score included, which this fixture lacks) of at
//! most 100 columns, by default; `--verbose` adds the evidence.

use crate::demo_fixture;
use perfwatch_report::{Render, TerminalOptions, TerminalRenderer};

/// Lines the analysis's health takes for this session (the score, its
/// three deductions and a blank line), counted into the budget.
const HEALTH_LINES: usize = 5;
/// The most lines `perfwatch ab` may print for the demo: a screen of 60,
/// and the relative summary's answer (a title and a line) that ends it.
const LINE_BUDGET: usize = 62;

fn render(options: TerminalOptions) -> String {
    TerminalRenderer::new(options)
        .render_to_string(&demo_fixture::export())
        .unwrap()
}

fn widest(text: &str) -> usize {
    text.lines()
        .map(console::measure_text_width)
        .max()
        .unwrap_or(0)
}

#[test]
fn demo_summary() {
    let text = render(TerminalOptions::default());
    insta::assert_snapshot!(text);
}

#[test]
fn demo_summary_fits_sixty_lines_of_a_hundred_columns() {
    let text = render(TerminalOptions::default());
    let lines = text.lines().count();
    assert!(
        lines + HEALTH_LINES <= LINE_BUDGET,
        "{lines} lines + {HEALTH_LINES} of health > {LINE_BUDGET}:\n{text}"
    );
    assert!(
        widest(&text) <= 100,
        "a line is wider than 100 columns:\n{text}"
    );
    // Nothing is lost that decides: the verdict, the stages that moved, the
    // secondary metric that rose, the top finding.
    for needle in [
        "5 improved, no regression",
        "job/track/activate",
        "voluntary_cs +260.4%",
        "waits a fixed 200 ms",
        "saves 475 ms/run",
    ] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
    assert!(!text.contains("evidence: "), "evidence only when verbose");
    assert!(
        !text.contains("regressed"),
        "secondary metrics are not judged"
    );
}

#[test]
fn demo_summary_in_colour_has_the_same_shape() {
    let plain = render(TerminalOptions::default());
    let colored = render(TerminalOptions {
        color: true,
        ..TerminalOptions::default()
    });
    assert_eq!(console::strip_ansi_codes(&colored), plain);
}

#[test]
fn verbose_adds_every_finding_with_its_evidence_within_the_width() {
    let text = render(TerminalOptions {
        verbose: true,
        ..TerminalOptions::default()
    });
    assert_eq!(text.matches("evidence: ").count(), 8, "{text}");
    assert!(text.contains("wait_s=200 ms"), "{text}");
    assert!(text.contains("p95 "), "{text}");
    assert!(widest(&text) <= 100, "{text}");
}

#[test]
fn narrower_widths_are_honoured() {
    for width in [80, 90] {
        let text = render(TerminalOptions {
            width,
            ..TerminalOptions::default()
        });
        assert!(widest(&text) <= width, "width {width}:\n{text}");
    }
}
