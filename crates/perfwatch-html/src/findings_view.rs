//! Findings with their evidence, and the warnings about each variant's
//! sample.

use maud::{html, Markup};
use perfwatch_model::SessionExport;
use perfwatch_report::units::{format_duration, format_evidence, format_share};

/// The findings of a session, ranked as the analysis ranked them.
pub(crate) fn findings(s: &SessionExport) -> Markup {
    if s.findings.is_empty() {
        return html! {};
    }
    html! {
        div.panel {
            h3 { "Findings" }
            @for f in &s.findings {
                article.finding {
                    h4 { (f.title) }
                    p.finding-meta {
                        span.tier { (f.kind) }
                        @if let Some(st) = &f.stage { " stage " code { (st) } }
                        @if f.variants.len() > 1 {
                            " · seen in "
                            @for (i, v) in f.variants.iter().enumerate() {
                                @if i > 0 { ", " }
                                (v.name) " (" (format_duration(v.impact_s)) ")"
                            }
                        } @else if let Some(v) = &f.variant { " · variant " (v) }
                        " · saves about " strong { (format_duration(f.impact_s)) } " per run"
                        " · confidence " (format_share(f.confidence))
                        @if let Some(e) = &f.effort { " · effort " (e) }
                    }
                    p.recommendation { (f.recommendation) }
                    @if !f.evidence.is_empty() {
                        table.evidence {
                            caption { "Evidence" }
                            tbody {
                                @for (k, v) in &f.evidence {
                                    tr { th scope="row" { (k) } td.num { (format_evidence(k, *v)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Warnings about the samples, per variant.
pub(crate) fn warnings(s: &SessionExport) -> Markup {
    if s.variants.iter().all(|v| v.warnings.is_empty()) {
        return html! {};
    }
    html! {
        div.panel.warnings {
            h3 { "Warnings" }
            ul {
                @for v in &s.variants {
                    @for w in &v.warnings {
                        li { strong { (v.name) } ": " (w) }
                    }
                }
            }
        }
    }
}
