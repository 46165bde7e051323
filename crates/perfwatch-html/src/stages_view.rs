//! The stage breakdown: one row per stage path, for every variant its
//! median time, calls and share of the wall time as a bar.

use maud::{html, Markup};
use perfwatch_model::{SessionExport, StageSummary};
use perfwatch_report::units::{ci_label, format_count, format_duration, format_share, NA};

/// One stage path and its summary in each variant.
struct Row<'a> {
    path: &'a str,
    name: &'a str,
    tier: &'static str,
    depth: usize,
    per_variant: Vec<Option<&'a StageSummary>>,
}

/// Stage paths in order of first appearance over the variants, with the
/// number of listed ancestors as depth. Paths are joined by `/`, but names
/// may contain `/` too, so ancestry is decided by listed prefixes.
fn rows(s: &SessionExport) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> = Vec::new();
    for (vi, v) in s.variants.iter().enumerate() {
        for st in &v.stages {
            let pos = match rows.iter().position(|r| r.path == st.path) {
                Some(p) => p,
                None => {
                    rows.push(Row {
                        path: &st.path,
                        name: &st.name,
                        tier: st.tier.key(),
                        depth: 0,
                        per_variant: vec![None; s.variants.len()],
                    });
                    rows.len() - 1
                }
            };
            if rows[pos].per_variant[vi].is_none() {
                rows[pos].per_variant[vi] = Some(st);
            }
        }
    }
    let paths: Vec<&str> = rows.iter().map(|r| r.path).collect();
    for r in &mut rows {
        r.depth = paths
            .iter()
            .filter(|p| {
                r.path.len() > p.len() + 1
                    && r.path.starts_with(**p)
                    && r.path.as_bytes()[p.len()] == b'/'
            })
            .count();
    }
    rows
}

/// The stage table of a session.
pub(crate) fn stage_table(s: &SessionExport) -> Markup {
    let rows = rows(s);
    html! {
        div.table-wrap {
            table.sortable.stages {
                thead {
                    tr {
                        th data-sort="num" { "Stage" }
                        th data-sort="text" { "Tier" }
                        @for v in &s.variants {
                            th.num data-sort="num" { (v.name) br; span.sub { "median" } }
                            th.num data-sort="num" { (v.name) br; span.sub { "calls" } }
                            th data-sort="num" { (v.name) br; span.sub { "share of wall" } }
                        }
                    }
                }
                tbody {
                    @for (i, r) in rows.iter().enumerate() {
                        tr {
                            td.stage data-v=(i) title=(r.path) {
                                span class=(format!("indent depth-{}", r.depth.min(6))) {}
                                (r.name)
                                @if r.per_variant.iter().flatten().any(|st| st.failed_calls > 0) {
                                    " " span.badge.sev-high title="some calls failed" { "failed calls" }
                                }
                            }
                            td { span.tier { (r.tier) } }
                            @for st in &r.per_variant {
                                @match st {
                                    Some(st) => {
                                        td.num data-v=(num(st.total_s.median))
                                            title=(format!("{} of median [{}, {}]", ci_label(st.total_s.confidence), format_duration(st.total_s.ci_low), format_duration(st.total_s.ci_high))) {
                                            (format_duration(st.total_s.median))
                                        }
                                        td.num data-v=(num(st.calls)) { (format_count(st.calls)) }
                                        td data-v=(num(st.share)) {
                                            div.sharebar {
                                                span.fill style=(bar_width(st.share)) {}
                                                span.text { (format_share(st.share)) }
                                            }
                                        }
                                    }
                                    None => { td.num data-v="" { (NA) } td.num data-v="" { (NA) } td data-v="" { (NA) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The CSS width of a share bar, clamped to 0..100 %.
pub(crate) fn bar_width(share: f64) -> String {
    let pct = if share.is_finite() {
        (share * 100.0).clamp(0.0, 100.0)
    } else {
        0.0
    };
    format!("width:{pct:.1}%")
}

/// A number for a `data-v` sort key; empty when not finite.
pub(crate) fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}
