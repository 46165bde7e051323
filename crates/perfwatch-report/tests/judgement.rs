//! What every text renderer must get right about judgement: primary
//! comparisons decide the headline, secondary ones are information; the
//! confidence level printed is the one used; p-values never print as
//! `0.000`; unbounded intervals never print as numbers.

use crate::{demo_fixture, fixture};
use perfwatch_model::{Comparison, Severity, Verdict};
use perfwatch_report::markdown::render_comparisons_markdown;
use perfwatch_report::terminal::render_comparisons;
use perfwatch_report::{MarkdownRenderer, Render, TerminalOptions, TerminalRenderer};

fn terminal(export: &perfwatch_model::SessionExport) -> String {
    TerminalRenderer::new(TerminalOptions::default())
        .render_to_string(export)
        .unwrap()
}

fn markdown(export: &perfwatch_model::SessionExport) -> String {
    MarkdownRenderer.render_to_string(export).unwrap()
}

/// A session where the candidate is 50 % faster in wall time and every
/// stage, while its voluntary context switches rose 280 % (a secondary
/// metric, significant).
fn speed_up() -> perfwatch_model::SessionExport {
    let mut export = demo_fixture::export();
    export.findings.clear();
    for c in &mut export.comparisons {
        if c.primary {
            c.candidate_median = c.baseline_median * 0.5;
            c.ratio = 0.5;
            c.change_pct = -50.0;
            c.ci_low = 0.47;
            c.ci_high = 0.53;
            c.p_value = 0.00001;
            c.verdict = Verdict::Improved;
            c.note = None;
        } else if c.metric == "voluntary_cs" {
            c.candidate_median = c.baseline_median * 3.8;
            c.ratio = 3.8;
            c.change_pct = 280.0;
            c.ci_low = 3.5;
            c.ci_high = 4.1;
            c.p_value = 0.00001;
            c.verdict = Verdict::Regressed;
        }
    }
    export
}

#[test]
fn markdown_of_a_speed_up() {
    let text = markdown(&speed_up());
    insta::assert_snapshot!(text);
}

#[test]
fn a_speed_up_with_more_context_switches_headlines_an_improvement() {
    let export = speed_up();
    let md = markdown(&export);
    assert!(
        md.contains("- Verdict: **✅ 7 improved, no regression**"),
        "{md}"
    );
    assert!(!md.to_lowercase().contains("regressed"), "{md}");
    assert!(
        !md.contains("regression(s)") && !md.contains("1 regression"),
        "{md}"
    );
    let secondary = md
        .lines()
        .find(|l| l.starts_with("| voluntary\\_cs"))
        .unwrap();
    assert!(
        secondary.contains("+280.0% [+250.0%, +310.0%]"),
        "{secondary}"
    );
    let text = terminal(&export);
    assert!(text.contains("7 improved, no regression"), "{text}");
    assert!(!text.contains("regressed"), "{text}");
    assert!(
        text.contains("voluntary_cs +280.0% [+250.0%, +310.0%]"),
        "{text}"
    );
}

#[test]
fn the_confidence_level_printed_is_the_one_used() {
    let mut export = fixture::export();
    for v in &mut export.variants {
        for s in v.summary.values_mut() {
            s.confidence = 0.9;
        }
    }
    for c in &mut export.comparisons {
        c.confidence = 0.9;
    }
    for text in [terminal(&export), markdown(&export)] {
        assert!(!text.contains("95%"), "{text}");
        assert!(text.contains("90% CI"), "{text}");
    }
    assert!(terminal(&export).contains("change [90% CI]"));
    assert!(markdown(&export).contains("Median [90% CI]"));
    assert!(markdown(&export).contains("Change [90% CI]"));
}

fn tiny_p_unbounded() -> Vec<Comparison> {
    let mut c = fixture::export().comparisons.remove(3);
    c.p_value = 0.0;
    c.ci_high = f64::MAX;
    c.ratio = 1.9;
    c.change_pct = 90.0;
    c.severity = Severity::High;
    vec![c]
}

#[test]
fn tiny_p_values_and_unbounded_intervals_print_in_words() {
    let cs = tiny_p_unbounded();
    let mut text = Vec::new();
    render_comparisons(&cs, &TerminalOptions::default(), &mut text).unwrap();
    render_comparisons_markdown(&cs, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("< 0.001"), "{text}");
    assert!(!text.contains("0.000"), "{text}");
    assert!(text.contains("+90.0% [+70.0%, unbounded]"), "{text}");
    // No number of more than a few digits anywhere.
    let longest_digits = text
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_digits <= 4, "{text}");
}

#[test]
fn missing_figures_print_as_a_dash_everywhere() {
    let mut export = fixture::export();
    export.variants[1].summary.clear();
    let text = terminal(&export);
    assert!(text.contains("time     – (no iteration counted)"), "{text}");
    let md = markdown(&export);
    assert!(md.contains("| after\\|fast | 0 | – | – | – | – |"), "{md}");
    for text in [text, md] {
        assert!(!text.contains("n/a"), "{text}");
    }
}
