//! The relative summary and the scan table: one answer per variant against
//! the first, and a scan as one table, within 80 columns.

use crate::relative_fixture::{scan_of_one, scan_of_two, three_variants, two_commands};
use crate::widths::{assert_fits, render_at};
use perfwatch_model::{SessionExport, Verdict};
use perfwatch_report::relative::{Direction, RelativeSummary, ScanTable};
use perfwatch_report::terminal::{render_relative_summary, render_scan_table};
use perfwatch_report::{MarkdownRenderer, Render, TerminalOptions};

fn at(width: usize) -> TerminalOptions {
    TerminalOptions {
        width,
        ..TerminalOptions::default()
    }
}

fn summary_at(export: &SessionExport, width: usize) -> String {
    let summary = RelativeSummary::of(export).expect("several variants");
    let mut out = Vec::new();
    render_relative_summary(&summary, &at(width), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_fits(&text, width);
    text
}

fn scan_at(export: &SessionExport, options: TerminalOptions) -> String {
    let scan = ScanTable::of(export).expect("a scan");
    let mut out = Vec::new();
    render_scan_table(&scan, &options, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_fits(&text, options.width);
    text
}

#[test]
fn relative_summary_of_two_commands() {
    insta::assert_snapshot!(summary_at(&two_commands(), 80));
}

#[test]
fn relative_summary_of_three_variants_one_slower_one_faster() {
    let export = three_variants();
    let summary = RelativeSummary::of(&export).unwrap();
    assert_eq!(summary.reference, "baseline");
    assert_eq!(summary.metric, "wall_s");
    let directions: Vec<Direction> = summary
        .lines
        .iter()
        .map(|l| l.relation.as_ref().unwrap().direction)
        .collect();
    assert_eq!(directions, [Direction::Higher, Direction::Lower]);
    insta::assert_snapshot!(summary_at(&export, 80));
}

#[test]
fn relative_summary_ends_the_terminal_view() {
    let text = render_at(&three_variants(), at(80));
    let lines: Vec<&str> = text.lines().collect();
    let title = lines
        .iter()
        .position(|l| *l == "Summary")
        .expect("a summary");
    let rest = &lines[title + 1..];
    assert!(rest.iter().all(|l| l.starts_with("  ")), "{text}");
    // Fastest first (`--sort auto`).
    assert!(
        rest[0].starts_with("  `parallel` ran 2.00 ± 0.08 times faster"),
        "{text}"
    );
    assert!(
        rest.iter().any(|l| l.starts_with("  `no-cache` ran 1.25")),
        "{text}"
    );
}

#[test]
fn one_variant_has_no_relative_summary() {
    let mut export = two_commands();
    export.variants.truncate(1);
    export.comparisons.clear();
    assert!(RelativeSummary::of(&export).is_none());
    assert!(!render_at(&export, at(80)).contains("Summary"));
}

#[test]
fn a_variant_that_was_not_compared_says_so() {
    let mut export = three_variants();
    export.comparisons.retain(|c| c.candidate != "no-cache");
    let text = summary_at(&export, 80);
    assert!(
        text.contains("`no-cache` was not compared with `baseline`"),
        "{text}"
    );
}

#[test]
fn long_commands_wrap_within_the_width() {
    let mut export = two_commands();
    let long = "python3 -c 'import time; time.sleep(0.02)' && echo a-rather-long-tail";
    export.variants[1].name = long.into();
    export.comparisons[0].candidate = long.into();
    let text = summary_at(&export, 80);
    assert!(text.lines().count() > 2, "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn relative_summary_in_markdown() {
    let text = MarkdownRenderer
        .render_to_string(&three_variants())
        .unwrap();
    let start = text.find("### Summary").expect("a summary section");
    let section: String = text[start..].lines().take(4).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!(section);
}

#[test]
fn scan_table_of_one_parameter() {
    insta::assert_snapshot!(scan_at(&scan_of_one(), at(80)));
}

#[test]
fn scan_table_of_one_parameter_on_a_terminal_has_bars() {
    let options = TerminalOptions {
        tty: true,
        ..at(80)
    };
    let text = scan_at(&scan_of_one(), options);
    assert!(text.contains('█'), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn scan_table_of_one_parameter_at_120_columns() {
    let options = TerminalOptions {
        tty: true,
        ..at(120)
    };
    insta::assert_snapshot!(scan_at(&scan_of_one(), options));
}

#[test]
fn scan_table_of_two_parameters() {
    let export = scan_of_two();
    let scan = ScanTable::of(&export).unwrap();
    assert_eq!(scan.parameters, ["threads", "preset"]);
    assert_eq!(scan.rows[3].values, ["4", "slow"]);
    assert_eq!(scan.rows[3].comparison.unwrap().verdict, Verdict::Improved);
    insta::assert_snapshot!(scan_at(&export, at(80)));
}

#[test]
fn a_scan_shows_one_table_instead_of_a_block_per_value() {
    let text = render_at(&scan_of_one(), at(80));
    assert!(!text.contains("Variant t="), "{text}");
    assert_eq!(text.matches("Scan of t").count(), 1, "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn variants_without_parameters_are_no_scan() {
    assert!(ScanTable::of(&three_variants()).is_none());
    assert!(ScanTable::of(&two_commands()).is_none());
}

/// Seen with `run 'gzip …' 'sort …'` through the shell: a command as quick
/// as the subtracted shell start-up reads 0, and the summary said "ran
/// unbounded [0.81, unbounded] times faster".
#[test]
fn a_zero_median_gives_no_factor_rather_than_an_unbounded_one() {
    for (ratio, zero) in [(0.0, "sleep 0.02"), (f64::MAX, "sleep 0.01")] {
        let mut export = two_commands();
        let c = &mut export.comparisons[0];
        (c.ratio, c.ci_low, c.ci_high) = (ratio, ratio.min(0.8), f64::MAX);
        c.verdict = Verdict::Inconclusive;
        let text = summary_at(&export, 80);
        assert!(
            text.contains(&format!(
                "`{zero}`'s median wall_s is 0: no finite factor relates"
            )),
            "{text}"
        );
        assert!(!text.contains("unbounded"), "{text}");
        let mut md = Vec::new();
        MarkdownRenderer.render(&export, &mut md).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(md.contains("median wall_s is 0: no finite factor"), "{md}");
    }
}

/// `run 'A' 'B'` ran two commands; the header showed only the first.
#[test]
fn the_header_names_every_command_but_not_a_scan_s_values() {
    let text = render_at(&two_commands(), at(80));
    assert!(
        text.lines()
            .any(|l| l.contains("commands") && l.contains("sleep 0.01 · sleep 0.02")),
        "{text}"
    );
    let mut md = Vec::new();
    MarkdownRenderer.render(&two_commands(), &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.contains("- Commands: `sleep 0.01` · `sleep 0.02`"),
        "{md}"
    );
    // A scan's variants run the template with their values substituted:
    // the header shows the template alone.
    let mut scan = scan_of_one();
    for v in &mut scan.session.variants {
        let value = &v.parameters[0].1;
        v.command = Some(perfwatch_model::CommandSpec {
            argv: vec![format!("sleep {value}")],
            shell: true,
        });
    }
    let text = render_at(&scan, at(80));
    assert!(
        !text.contains("commands") && text.contains("sleep {t}"),
        "{text}"
    );
}
