//! `render_attribution`: the page of an attribution. The fitted wall
//! times, the settings' values, the wall-time effects as bars with their
//! intervals ([`effect_bars`]) and as a table, the effects per stage, and
//! the confirming design the same way.

use crate::effect_bars::effect_bars;
use crate::page::page;
use crate::stages_view::num;
use maud::{html, Markup};
use perfwatch_model::investigation::{AttributionReport, FactorKind, Term};
use perfwatch_model::short_id;
use perfwatch_report::investigation::{
    design_text, effect_pct, effect_seconds, signed_duration, term_name, term_where,
};
use perfwatch_report::units::{format_duration, format_p, NA};
use std::io;

/// The whole page of an attribution: self-contained, offline, the report
/// itself as the page's JSON data. Every name and value is escaped.
pub fn render_attribution(r: &AttributionReport) -> io::Result<String> {
    let title = format!("{} · attribution", r.benchmark);
    page(&title, section(r, false), r)
}

fn kind(k: FactorKind) -> &'static str {
    match k {
        FactorKind::Env => "environment variable",
        FactorKind::Args => "arguments",
        FactorKind::Command => "command",
    }
}

/// One design; the confirming one follows under its own heading.
fn section(r: &AttributionReport, confirming: bool) -> Markup {
    let runs = r.rows.len() as u64 * u64::from(r.runs_per_row);
    html! {
        section.attribution {
            @if confirming {
                h2 { "Confirmed on the top settings" }
            } @else {
                h2 { "Attribution · " (r.benchmark) " · " (r.baseline) " → " (r.candidate) }
            }
            p.headline.headline-neutral {
                "Wall time " (format_duration(r.baseline_s)) " with " code { (r.baseline) } "'s settings → "
                (format_duration(r.candidate_s)) " with " code { (r.candidate) } "'s"
            }
            dl.meta {
                dt { "Design" }
                dd { (r.factors.len()) " settings, " (design_text(r)) }
                dt { "Runs" }
                dd { (r.runs_per_row) " per row, " (runs) " in all" }
                dt { "Session" }
                dd { code title=(r.session_id) { (short_id(&r.session_id)) } }
            }
            h3 { "Settings" }
            div.table-wrap {
                table.factors {
                    thead { tr { th { "Setting" } th { "Kind" } th { (r.baseline) } th { (r.candidate) } } }
                    tbody {
                        @for f in &r.factors {
                            tr {
                                td { code { (f.name) } }
                                td { (kind(f.kind)) }
                                td { (value(f.base.as_deref())) }
                                td { (value(f.candidate.as_deref())) }
                            }
                        }
                    }
                }
            }
            @if let Some(bars) = effect_bars(&r.wall) {
                div.panel {
                    h3 { "Effects on wall time" }
                    p.hint {
                        "Change in wall time when a setting (or a pair, A × B) takes the candidate's value, with its 95% interval; "
                        "effects whose interval holds no change are muted. A bound beyond the axis ends in an arrow."
                    }
                    div.chart { (bars) }
                }
                (wall_table(&r.wall))
            }
            @if !r.stages.is_empty() {
                h3 { "Effects per stage" }
                p.hint { "Seconds of each stage's total; the baseline is the fitted total with every setting at the baseline's value." }
                (stage_table(r))
            }
        }
        @if let Some(c) = &r.confirmation {
            (section(c, true))
        }
    }
}

fn value(v: Option<&str>) -> Markup {
    match v {
        Some(v) => html! { code { (v) } },
        None => html! { span.sub { "unset" } },
    }
}

fn wall_table(terms: &[Term]) -> Markup {
    let with_where = terms.iter().any(|t| t.stage.is_some());
    html! {
        div.table-wrap {
            table.sortable.effects {
                thead {
                    tr {
                        th data-sort="text" { "Setting" }
                        th.num data-sort="num" { "Change [95% CI]" }
                        th.num data-sort="num" { "Seconds" }
                        th.num data-sort="num" { "p" }
                        @if with_where { th data-sort="text" { "Where" } }
                    }
                }
                tbody {
                    @for t in terms {
                        tr class=[(!t.significant).then_some("muted")] {
                            td { (term_name(t)) }
                            td.num data-v=(num(t.estimate)) { (effect_pct(t)) }
                            td.num data-v=(t.seconds.map(num).unwrap_or_default()) {
                                (t.seconds.map_or_else(|| NA.to_string(), signed_duration))
                            }
                            td.num data-v=(num(t.p_value)) { (format_p(t.p_value)) }
                            @if with_where { td { (term_where(t)) } }
                        }
                    }
                }
            }
        }
    }
}

fn stage_table(r: &AttributionReport) -> Markup {
    html! {
        div.table-wrap {
            table.sortable.stage-effects {
                thead {
                    tr {
                        th data-sort="text" { "Stage" }
                        th.num data-sort="num" { "Baseline" }
                        th data-sort="text" { "Setting" }
                        th.num data-sort="num" { "Effect [95% CI]" }
                        th.num data-sort="num" { "p" }
                    }
                }
                tbody {
                    @for s in &r.stages {
                        @for t in &s.terms {
                            tr class=[(!t.significant).then_some("muted")] {
                                td.stage { code { (s.path) } }
                                td.num data-v=(num(s.baseline_s)) { (format_duration(s.baseline_s)) }
                                td { (term_name(t)) }
                                td.num data-v=(num(t.estimate)) { (effect_seconds(t)) }
                                td.num data-v=(num(t.p_value)) { (format_p(t.p_value)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
