//! `render_bisect`: the page of a statistical bisection. The conclusion
//! first, the range and the endpoints' comparison, the steps on a commit
//! axis ([`commit_axis_plot`]) and as a table.

use crate::bisect_plot::commit_axis_plot;
use crate::labels::short_commit;
use crate::page::page;
use crate::stages_view::num;
use maud::{html, Markup};
use perfwatch_model::investigation::{BisectOutcome, BisectReport};
use perfwatch_report::investigation::{
    adaptive_sentence, bisect_conclusion, bisect_effort, capitalised, metric_name, metric_unit,
    short_endpoints, suspect_reason,
};
use perfwatch_report::printable::printable;
use perfwatch_report::units::{format_count, format_opt, format_ratio, format_ratio_ci};
use std::io;

/// The whole page of a bisection: self-contained, offline, the report
/// itself as the page's JSON data. Every commit subject, name and reason
/// is escaped.
pub fn render_bisect(r: &BisectReport) -> io::Result<String> {
    let title = format!("{} · bisect", r.benchmark);
    page(&title, body(r), r)
}

fn headline_class(outcome: BisectOutcome) -> &'static str {
    match outcome {
        BisectOutcome::FirstBad => "headline headline-regressed",
        BisectOutcome::NoDifference => "headline headline-improved",
        BisectOutcome::Ambiguous | BisectOutcome::Interrupted => "headline headline-neutral",
    }
}

fn body(r: &BisectReport) -> Markup {
    let unit = metric_unit(&r.metric);
    html! {
        section.bisect {
            h2 { "Bisect · " (r.benchmark) " · " (metric_name(&r.metric)) }
            p class=(headline_class(r.outcome)) { (capitalised(&bisect_conclusion(r))) }
            @if let (BisectOutcome::FirstBad, Some(e)) = (r.outcome, r.effect) {
                p {
                    "Effect " strong { (format_ratio(e.ratio)) } " " (format_ratio_ci(e.ci_low, e.ci_high))
                    ": the first bad commit's runs against those of the last good commit (ratio of geometric means, 95% interval)."
                }
            }
            @if r.outcome == BisectOutcome::Ambiguous {
                ul.suspects {
                    @for c in &r.suspects {
                        li { code { (short_commit(&c.id)) } " " (printable(&c.subject)) span.sub { " · " (suspect_reason(r, c)) } }
                    }
                }
            }
            dl.meta {
                dt { "Range" }
                dd {
                    (r.commits.len()) " commits"
                    @if let (Some(good), Some(bad)) = (r.commits.first(), r.commits.last()) {
                        ", " code { (short_commit(&good.id)) } " (good) … " code { (short_commit(&bad.id)) } " (bad)"
                    }
                }
                dt { "Endpoints" }
                dd {
                    @match short_endpoints(r) {
                        Some(v) => (adaptive_sentence(&v, &|n| n.to_string(), &|t| t.to_string())),
                        None => "not compared",
                    }
                }
                dt { "Medians" }
                dd { "good " (format_opt(unit, r.good_median)) " · bad " (format_opt(unit, r.bad_median)) }
                @if !r.steps.is_empty() {
                    dt { "Effort" }
                    dd { (bisect_effort(r)) }
                }
            }
            @if !r.steps.is_empty() {
                @if let Some(plot) = commit_axis_plot(r) {
                    div.panel {
                        h3 { "Steps on the commit axis" }
                        p.hint {
                            "Each measured commit at its position in the range (good endpoint left, bad right) and its median "
                            (metric_name(&r.metric)) "; dashed lines mark the endpoints' medians. Hover a point for its commit."
                        }
                        div.chart { (plot) }
                        (legend())
                    }
                }
                h3 { "Steps" }
                (steps_table(r))
            }
        }
    }
}

fn legend() -> Markup {
    html! {
        div.stage-legend.bisect-legend {
            @for (class, text) in [
                ("good", "good"),
                ("bad", "bad"),
                ("ambiguous", "ambiguous"),
                ("skipped", "skipped (drawn on the axis)"),
                ("endpoint", "endpoint"),
            ] {
                span.chip { span class=(format!("swatch key-{class}")) {} (text) }
            }
        }
    }
}

fn steps_table(r: &BisectReport) -> Markup {
    let unit = metric_unit(&r.metric);
    html! {
        div.table-wrap {
            table.sortable.steps {
                thead {
                    tr {
                        th.num data-sort="num" { "Step" }
                        th.num data-sort="num" { "Position" }
                        th data-sort="text" { "Commit" }
                        th data-sort="text" { "Subject" }
                        th.num data-sort="num" { "Runs" }
                        th.num data-sort="num" { "Median" }
                        th.num data-sort="num" { "LLR" }
                        th data-sort="text" { "Verdict" }
                    }
                }
                tbody {
                    @for (i, s) in r.steps.iter().enumerate() {
                        @let verdict = s.verdict.label();
                        tr {
                            td.num data-v=(i + 1) { (i + 1) }
                            td.num data-v=(s.position) { (s.position) }
                            td { code title=(s.commit.id) { (short_commit(&s.commit.id)) } }
                            td.subject { (printable(&s.commit.subject)) }
                            td.num data-v=(s.runs) { (s.runs) }
                            td.num data-v=(s.median.map(num).unwrap_or_default()) { (format_opt(unit, s.median)) }
                            td.num data-v=(num(s.llr)) { (format_count(s.llr)) }
                            td {
                                span class=(format!("badge step-{verdict}")) { (verdict) }
                                @if let Some(reason) = &s.reason { span.sub { " " (printable(reason)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}
