//! The comparison view: the verdict of the primary comparisons, then
//! metric by metric and stage by stage the ratio of medians with its
//! confidence interval drawn as an error bar, coloured by verdict and
//! severity; secondary metrics follow in a small table of information that
//! is never judged.

use crate::labels::metric_label;
use crate::ratio_plot::{error_bar, LogScale};
use crate::stages_view::num;
use maud::{html, Markup};
use perfwatch_model::{short_id, Comparison, SessionExport};
use perfwatch_report::format::change_cell;
use perfwatch_report::units::{
    format_change_ci, format_change_pct, format_level, format_p, format_ratio, format_value,
    unit_for_key,
};
use perfwatch_report::Headline;

/// The anchor of the comparison view of session `idx`.
pub(crate) fn compare_anchor(idx: usize) -> String {
    format!("compare-{idx}")
}

/// The comparison view of a session; empty without comparisons.
pub(crate) fn compare_section(idx: usize, s: &SessionExport) -> Markup {
    if s.comparisons.is_empty() {
        return html! {};
    }
    let ordered = |primary: bool| -> Vec<&Comparison> {
        let mine = || s.comparisons.iter().filter(move |c| c.primary == primary);
        let mut rows: Vec<&Comparison> = mine().filter(|c| c.stage.is_none()).collect();
        rows.extend(mine().filter(|c| c.stage.is_some()));
        rows
    };
    let (primary, secondary) = (ordered(true), ordered(false));
    let one_pair = s.comparisons.iter().all(|c| {
        (&c.baseline, &c.candidate) == (&s.comparisons[0].baseline, &s.comparisons[0].candidate)
    });
    let level = format_level(s.comparisons[0].confidence);
    let headline = Headline::of(&s.comparisons);
    html! {
        section.comparison id=(compare_anchor(idx)) {
            h2 { "Comparison · " (s.session.benchmark) " · session " code { (short_id(&s.session.id)) } }
            @if !primary.is_empty() {
                p class=(format!("headline {}", headline_class(&headline))) {
                    (headline.icon()) " " (headline.text())
                    @if one_pair {
                        span.sub { " · " (s.comparisons[0].candidate) " vs " (s.comparisons[0].baseline) " (baseline)" }
                    }
                }
            }
            p.hint {
                "Ratio of medians, candidate ÷ baseline, with its " (level) " confidence interval on a log scale "
                "(the line marks 1×; a bound beyond the axis, or unbounded, ends in an arrow). "
                "Wall time and stage times are judged; other metrics are information. Click a header to sort."
            }
            @if !primary.is_empty() {
                (table("compare", &primary, !one_pair, true))
            }
            @if !secondary.is_empty() {
                h3.info-title { "Information (not judged)" }
                p.hint { "Secondary metrics, shown with their change and interval; they never count as a regression." }
                (table("compare info", &secondary, !one_pair, false))
            }
        }
    }
}

fn headline_class(h: &Headline) -> &'static str {
    if h.has_regression() {
        "headline-regressed"
    } else if h.improved > 0 {
        "headline-improved"
    } else {
        "headline-neutral"
    }
}

/// A sortable table of `rows`; `judged` adds the severity and verdict.
fn table(class: &str, rows: &[&Comparison], with_pair: bool, judged: bool) -> Markup {
    let scale = LogScale::fit(rows);
    let change = format!("Change [{} CI]", format_level(rows[0].confidence));
    html! {
        div.table-wrap {
            table class=(format!("sortable {class}")) {
                thead {
                    tr {
                        th data-sort="num" { "What" }
                        @if with_pair { th data-sort="text" { "Baseline → candidate" } }
                        th.num data-sort="num" { "Baseline" }
                        th.num data-sort="num" { "Candidate" }
                        th data-sort="num" { "Ratio" }
                        th.num data-sort="num" { (change) }
                        th.num data-sort="num" { "p" }
                        @if judged {
                            th data-sort="num" { "Severity" }
                            th data-sort="text" { "Verdict" }
                        }
                    }
                }
                tbody {
                    @for (i, c) in rows.iter().enumerate() {
                        (row(i, c, scale, with_pair, judged))
                    }
                }
            }
        }
    }
}

fn row(i: usize, c: &Comparison, scale: LogScale, with_pair: bool, judged: bool) -> Markup {
    let unit = unit_for_key(&c.metric);
    let sev = c.severity.key();
    let verdict = c.verdict.key();
    let class = if judged {
        format!("verdict-{verdict}")
    } else {
        "info".to_string()
    };
    html! {
        tr class=(class) {
            td data-v=(i) {
                @match &c.stage {
                    Some(st) => { "stage " code { (st) } " · " (metric_label(&c.metric)) }
                    None => { (metric_label(&c.metric)) }
                }
            }
            @if with_pair { td { (c.baseline) " → " (c.candidate) } }
            td.num data-v=(num(c.baseline_median)) title=(format!("n = {}", c.baseline_n)) { (format_value(unit, c.baseline_median)) }
            td.num data-v=(num(c.candidate_median)) title=(format!("n = {}", c.candidate_n)) { (format_value(unit, c.candidate_median)) }
            td.ratio data-v=(num(c.ratio)) {
                (error_bar(c, scale))
                span.ratio-text { (format_ratio(c.ratio)) }
            }
            td.num.change data-v=(num(c.change_pct)) {
                @if judged {
                    (change_cell(c))
                } @else {
                    (format_change_pct(c.change_pct))
                    span.sub { (format_change_ci(c.ci_low, c.ci_high)) }
                }
            }
            td.num data-v=(num(c.p_value)) { (format_p(c.p_value)) }
            @if judged {
                td data-v=(c.severity as u8) { span class=(format!("badge sev-{sev}")) { (sev) } }
                td.verdict title=[c.note.as_deref()] {
                    span class=(format!("badge verdict-{verdict}")) { (verdict) }
                    @if let Some(n) = &c.note { span.sub { (n) } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Reference, Severity, Verdict};

    fn cmp(primary: bool, verdict: Verdict, hi: f64) -> Comparison {
        Comparison {
            metric: if primary { "wall_s" } else { "voluntary_cs" }.into(),
            stage: None,
            baseline: "before".into(),
            candidate: "after".into(),
            baseline_median: 24.0,
            candidate_median: 86.5,
            baseline_n: 10,
            candidate_n: 10,
            ratio: 3.6,
            ci_low: 3.5,
            ci_high: hi,
            p_value: 0.0,
            change_pct: 260.4,
            severity: Severity::None,
            verdict,
            note: None,
            confidence: 0.9,
            primary,
            reference: Reference::Variant,
        }
    }

    #[test]
    fn secondary_metrics_are_information_without_a_verdict() {
        let s = SessionExport {
            schema: perfwatch_model::SCHEMA_V1.into(),
            session: perfwatch_model::Session {
                id: "0123456789abcdef".into(),
                started_at: "2026-01-01T00:00:00Z".into(),
                finished_at: None,
                benchmark: "b".into(),
                command: perfwatch_model::CommandSpec {
                    argv: vec!["true".into()],
                    shell: false,
                },
                variants: vec![],
                git: None,
                host: perfwatch_model::HostInfo::default(),
                perfwatch_version: "0".into(),
                status: perfwatch_model::SessionStatus::Complete,
                baseline: None,
                shell_correction: None,
                imported: None,
                owner: None,
                adaptive: None,
                program_version: None,
            },
            variants: vec![],
            comparisons: vec![
                cmp(true, Verdict::Improved, 3.7),
                cmp(false, Verdict::Regressed, f64::MAX),
            ],
            findings: vec![],
            health: None,
            gate: None,
            notes: Vec::new(),
            adaptive: None,
        };
        let html = compare_section(0, &s).into_string();
        assert!(html.contains("1 improved, no regression"), "{html}");
        let info = &html[html.find("Information (not judged)").unwrap()..];
        assert!(!info.contains("regressed"), "{info}");
        assert!(!info.contains("Severity"), "{info}");
        assert!(info.contains("[+250.0%, unbounded]"), "{info}");
        assert!(html.contains("90% CI"), "{html}");
        assert!(!html.contains("95%"), "{html}");
        assert!(html.contains("&lt; 0.001"), "{html}");
        assert!(info.contains("+260.4%"), "{info}");
    }
}
