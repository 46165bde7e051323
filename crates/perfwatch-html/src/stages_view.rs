//! The stage breakdown: one row per stage path, for every variant its
//! median time, calls and share of the wall time as a bar.

use maud::{html, Markup};
use perfwatch_model::span_tree::{place, preorder, TreeNode};
use perfwatch_model::stage_path::parent_path;
use perfwatch_model::{SessionExport, StageSummary};
use perfwatch_report::units::{ci_label, format_count, format_duration, format_share, NA};
use std::collections::HashMap;

/// One stage path and its summary in each variant.
struct Row<'a> {
    path: &'a str,
    name: &'a str,
    tier: &'static str,
    depth: usize,
    per_variant: Vec<Option<&'a StageSummary>>,
}

/// Stage paths as a tree: every stage under its parent (the summaries'
/// `parent`, else the path minus its last name, up to the nearest listed
/// ancestor), roots and siblings by share of wall time, largest first
/// (the largest over the variants; then the largest median total, then
/// the path). Depth counts the listed ancestors.
fn rows(s: &SessionExport) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut parents: Vec<Option<&str>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (vi, v) in s.variants.iter().enumerate() {
        for st in &v.stages {
            let pos = *index.entry(st.path.as_str()).or_insert_with(|| {
                rows.push(Row {
                    path: &st.path,
                    name: &st.name,
                    tier: st.tier.key(),
                    depth: 0,
                    per_variant: vec![None; s.variants.len()],
                });
                parents.push(None);
                rows.len() - 1
            });
            if rows[pos].per_variant[vi].is_none() {
                rows[pos].per_variant[vi] = Some(st);
            }
            if parents[pos].is_none() {
                parents[pos] = st.parent.as_deref();
            }
        }
    }
    let parent_of: Vec<Option<usize>> = rows
        .iter()
        .zip(&parents)
        .map(|(r, p)| {
            let mut up = p.or_else(|| parent_path(r.path));
            while let Some(path) = up {
                if let Some(&i) = index.get(path) {
                    return Some(i);
                }
                up = parent_path(path);
            }
            None
        })
        .collect();
    let nodes: Vec<TreeNode<'_>> = rows
        .iter()
        .zip(&parent_of)
        .enumerate()
        .map(|(i, (r, p))| TreeNode {
            id: i as u64,
            parent: p.map(|p| p as u64),
            name: r.name,
        })
        .collect();
    let tree = place(&nodes);
    let weight = |r: &Row<'_>| {
        let best = |f: fn(&StageSummary) -> f64| {
            r.per_variant
                .iter()
                .flatten()
                .map(|st| f(st))
                .filter(|x| x.is_finite())
                .fold(f64::NEG_INFINITY, f64::max)
        };
        (best(|st| st.share), best(|st| st.total_s.median))
    };
    let weights: Vec<(f64, f64)> = rows.iter().map(weight).collect();
    let order = preorder(&tree.parents(), |a, b| {
        let ((sa, ta), (sb, tb)) = (weights[a], weights[b]);
        sb.total_cmp(&sa)
            .then(tb.total_cmp(&ta))
            .then_with(|| rows[a].path.cmp(rows[b].path))
    });
    for (r, p) in rows.iter_mut().zip(&tree.placements) {
        r.depth = p.depth as usize;
    }
    let mut slots: Vec<Option<Row<'_>>> = rows.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// What the badge of a stage with folded levels explains.
const FOLDED_TITLE: &str = "spans nested past the depth limit are folded into this stage: their \
     time counts as its own; every span is kept in the store and the JSON export";

/// The most levels folded into a row's stage in any variant.
fn folded_levels(r: &Row<'_>) -> Option<u32> {
    r.per_variant
        .iter()
        .flatten()
        .map(|st| st.folded_levels)
        .max()
        .filter(|&l| l > 0)
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
                                @if let Some(levels) = folded_levels(r) {
                                    " " span.badge title=(FOLDED_TITLE) {
                                        "… " (levels) " deeper " (if levels == 1 { "level" } else { "levels" }) " folded in"
                                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{Summary, Tier, VariantExport};

    fn stage(path: &str, parent: Option<&str>, share: f64) -> StageSummary {
        StageSummary {
            gpu_busy_pct: None,
            peak_gpu_memory_bytes: None,
            name: path.rsplit('/').next().unwrap_or(path).to_string(),
            path: path.to_string(),
            tier: Tier::Method,
            component: None,
            calls: 1.0,
            failed_calls: 0,
            total_s: Summary {
                n: 5,
                median: share,
                ..Summary::default()
            },
            self_s: None,
            share,
            parent: parent.map(str::to_string),
            depth: Some(path.matches('/').count() as u32),
            first_call_s: None,
            later_call_s: None,
            cpu_pct: None,
            folded_levels: 0,
        }
    }

    fn export(variants: Vec<(&str, Vec<StageSummary>)>) -> SessionExport {
        let mut s: SessionExport = serde_json::from_str(
            r#"{"schema":"perfwatch.session.v1",
                "session":{"id":"1","started_at":"","benchmark":"b","command":{"argv":["x"]},
                "git":null,"host":{"os":"linux"},"perfwatch_version":"0","status":"complete"},
                "variants":[]}"#,
        )
        .unwrap();
        s.variants = variants
            .into_iter()
            .map(|(name, stages)| VariantExport {
                gpu: None,
                app_metrics: Default::default(),
                service: None,
                name: name.into(),
                description: None,
                iterations: vec![],
                summary: Default::default(),
                stages,
                warnings: vec![],
            })
            .collect();
        s
    }

    fn listed<'a>(rows: &'a [Row<'a>]) -> Vec<(&'a str, usize)> {
        rows.iter().map(|r| (r.path, r.depth)).collect()
    }

    #[test]
    fn children_sit_under_their_parent_sorted_by_share() {
        // In share order the children of `transform` (hash, flaky) are
        // interleaved with `load`, a child of `job`: they must still be
        // listed under `transform`, not under `load`.
        let s = export(vec![(
            "v",
            vec![
                stage("job", None, 1.0),
                stage("job/transform", Some("job"), 0.6),
                stage("job/load", Some("job"), 0.35),
                stage("job/transform/hash", Some("job/transform"), 0.30),
                stage("job/write", Some("job"), 0.05),
                stage("job/transform/flaky", Some("job/transform"), 0.20),
            ],
        )]);
        assert_eq!(
            listed(&rows(&s)),
            [
                ("job", 0),
                ("job/transform", 1),
                ("job/transform/hash", 2),
                ("job/transform/flaky", 2),
                ("job/load", 1),
                ("job/write", 1),
            ]
        );
    }

    #[test]
    fn siblings_take_the_largest_share_over_variants_and_parents_the_nearest_listed() {
        let s = export(vec![
            (
                "a",
                vec![
                    stage("job", None, 1.0),
                    stage("job/x", Some("job"), 0.5),
                    stage("job/y", Some("job"), 0.4),
                ],
            ),
            (
                "b",
                vec![
                    stage("job/y", Some("job"), 0.7),
                    // Its parent is not listed, nor given: the nearest
                    // listed ancestor by path is `job`.
                    stage(r"job/gone/GET \/api", None, 0.1),
                ],
            ),
        ]);
        assert_eq!(
            listed(&rows(&s)),
            [
                ("job", 0),
                ("job/y", 1),
                ("job/x", 1),
                (r"job/gone/GET \/api", 1),
            ]
        );
    }
}
