//! The stage tree of one iteration: its spans grouped by path.
//!
//! Rules, in order:
//!
//! * Each span is placed — parent, path, depth — by the rules every
//!   perfwatch crate shares ([`perfwatch_model::span_tree`]: unknown
//!   parents make roots, a cycle is cut at its smallest id, duplicate ids
//!   resolved whatever the record order). The spans of one path are one
//!   node. Spans folded into an ancestor's stage (nested past
//!   [`MAX_STAGE_DEPTH`](perfwatch_model::span_tree::MAX_STAGE_DEPTH)
//!   levels, or with too long a path) are no node's records and no node's
//!   children: their time is their ancestor's own, and the ancestor's
//!   node says how many levels were folded into it.
//! * **Calls** and **failed calls** are summed over the node's records (a
//!   single call that is not `ok` counts as one failed call; an aggregated
//!   record brings its `failed_calls`).
//! * **Total time** is the sum of the records' durations
//!   ([`Span::duration_s`]); concurrent calls add up, so it may exceed the
//!   wall time that passed.
//! * **Self time** is computed per record and summed: the record's
//!   duration minus the time its direct children cover. Single-call
//!   children cover the union of their intervals clipped to the parent's
//!   `[start_s, end_s]` (children running concurrently count once, children
//!   outside the parent not at all); aggregated children cover their summed
//!   `total_s` (their calls have no intervals). The covered time is
//!   clamped to the record's duration, so self time lies in
//!   `[0, duration]` and a node's self time never exceeds its total.
//! * **First call**: the duration of the node's earliest record by
//!   `start_s` (record order breaks ties) when that record is a single call;
//!   unknown when it folds several calls. **Later calls**: the mean
//!   duration of the other calls, `(total − first) / (calls − 1)`, when the
//!   first call is known and there are others.
//! * **CPU %**: see [`cpu`](super::cpu) for the alignment with the timeline.
//!
//! Durations that are not finite count as 0.

use super::cpu::{length, union, CpuTimeline, Interval};
use crate::findings::timeline::peak_gpu_memory;
use perfwatch_model::span_tree::{place_spans, preorder, StagePath};
use perfwatch_model::{Iteration, Span, Tier};

/// One stage path within one iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct StageNode {
    /// Path of names from the root, joined by `/` (the key).
    pub path: String,
    /// The stage's own name (the last element of `path`).
    pub name: String,
    /// Path of the enclosing node; `None` for a root.
    pub parent: Option<String>,
    /// Nesting depth, 0 for a root.
    pub depth: u32,
    /// Tier of the node's first record.
    pub tier: Tier,
    /// The first component named by the node's records.
    pub component: Option<String>,
    /// Earliest start of the node's calls, seconds since spawn.
    pub start_s: f64,
    /// Calls, summed over records.
    pub calls: u64,
    /// Failed calls, summed over records.
    pub failed_calls: u64,
    /// Summed duration of the calls, seconds.
    pub total_s: f64,
    /// Total minus the time covered by direct children, seconds.
    pub self_s: f64,
    /// Duration of the first call, when it is known.
    pub first_call_s: Option<f64>,
    /// Mean duration of the calls after the first, when there are any.
    pub later_call_s: Option<f64>,
    /// Time-weighted mean CPU % of the process tree during the calls.
    pub cpu_pct: Option<f64>,
    /// Time-weighted mean GPU busy % during the calls.
    pub gpu_busy_pct: Option<f64>,
    /// Peak GPU memory of the tree during the calls, bytes.
    pub peak_gpu_memory_bytes: Option<u64>,
    /// Levels of spans folded into this node (0 when none).
    pub folded_levels: u32,
}

/// The stage tree of one iteration, in depth-first order: each node is
/// followed by its children, siblings ordered by their first start (then
/// by name). Empty when the iteration has no spans.
pub fn stage_tree(iteration: &Iteration) -> Vec<StageNode> {
    let spans = &iteration.stages;
    let placed = place_spans(spans);
    let timeline = Timelines {
        cpu: CpuTimeline::new(&iteration.timeline),
        gpu: CpuTimeline::gpu_busy(&iteration.timeline),
        samples: &iteration.timeline,
    };

    let mut children: Vec<Vec<usize>> = vec![Vec::new(); spans.len()];
    // Records grouped by stage, stages in order of first appearance.
    let mut group_of: Vec<Option<usize>> = vec![None; placed.stages.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, p) in placed.placements.iter().enumerate() {
        if p.folded {
            continue;
        }
        if let Some(parent) = p.parent {
            children[parent].push(i);
        }
        let g = *group_of[p.stage].get_or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    // Each group's stage; a stage's parent stage is a group too (its
    // spans are never folded).
    let stages: Vec<&StagePath> = groups
        .iter()
        .map(|records| &placed.stages[placed.placements[records[0]].stage])
        .collect();
    let nodes: Vec<StageNode> = groups
        .iter()
        .zip(&stages)
        .map(|(records, stage)| {
            let parent = stage.parent.map(|p| placed.stages[p].path.clone());
            node(spans, records, &children, &timeline, stage, parent)
        })
        .collect();
    let node_parents: Vec<Option<usize>> = stages
        .iter()
        .map(|stage| stage.parent.and_then(|p| group_of[p]))
        .collect();
    let order = preorder(&node_parents, |a, b| {
        let (a, b) = (&nodes[a], &nodes[b]);
        a.start_s
            .total_cmp(&b.start_s)
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut slots: Vec<Option<StageNode>> = nodes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The stage path of each span, in record order, by the rules of
/// [`stage_tree`] (a folded span has its ancestor's).
pub fn span_paths(spans: &[Span]) -> Vec<String> {
    let placed = place_spans(spans);
    placed.paths().map(str::to_string).collect()
}

/// Duration of a record; non-finite durations count as 0.
pub(crate) fn duration(span: &Span) -> f64 {
    let d = span.duration_s();
    if d.is_finite() {
        d
    } else {
        0.0
    }
}

/// An iteration's timeline as the nodes read it.
struct Timelines<'a> {
    cpu: CpuTimeline,
    gpu: CpuTimeline,
    samples: &'a [perfwatch_model::Sample],
}

/// One node from its records (indices into `spans`, in record order).
fn node(
    spans: &[Span],
    records: &[usize],
    children: &[Vec<usize>],
    timeline: &Timelines<'_>,
    stage: &StagePath,
    parent: Option<String>,
) -> StageNode {
    let first_record = &spans[records[0]];
    let (mut calls, mut failed, mut total, mut self_s) = (0u64, 0u64, 0.0, 0.0);
    for &i in records {
        let s = &spans[i];
        calls = calls.saturating_add(s.calls);
        failed = failed.saturating_add(s.failed_calls.max(u64::from(!s.ok)));
        let d = duration(s);
        total += d;
        self_s += d - covered_by_children(s, d, &children[i], spans);
    }
    let earliest = records
        .iter()
        .copied()
        .min_by(|&a, &b| spans[a].start_s.total_cmp(&spans[b].start_s))
        .map(|i| &spans[i]);
    let first_call_s = earliest.filter(|s| s.calls == 1).map(duration);
    let later_call_s = first_call_s
        .filter(|_| calls > 1)
        .map(|first| ((total - first) / (calls - 1) as f64).max(0.0));
    let intervals = union(records.iter().map(|&i| (spans[i].start_s, spans[i].end_s)));
    StageNode {
        name: first_record.name.clone(),
        path: stage.path.clone(),
        parent,
        depth: stage.depth,
        tier: first_record.tier,
        component: records.iter().find_map(|&i| spans[i].component.clone()),
        start_s: earliest.map_or(0.0, |s| s.start_s),
        calls,
        failed_calls: failed.min(calls.max(1)),
        total_s: total,
        self_s: self_s.max(0.0),
        first_call_s,
        later_call_s,
        cpu_pct: timeline.cpu.cpu_during(&intervals),
        gpu_busy_pct: timeline.gpu.cpu_during(&intervals),
        peak_gpu_memory_bytes: intervals
            .iter()
            .filter_map(|&(a, b)| peak_gpu_memory(timeline.samples, a, b))
            .max(),
        folded_levels: stage.folded_levels,
    }
}

/// The part of `span`'s duration `d` covered by its direct children.
fn covered_by_children(span: &Span, d: f64, children: &[usize], spans: &[Span]) -> f64 {
    let (lo, hi) = (span.start_s, span.end_s);
    let mut aggregated = 0.0;
    let mut singles: Vec<Interval> = Vec::new();
    for &c in children {
        let child = &spans[c];
        if child.total_s.is_some() {
            aggregated += duration(child);
        } else {
            singles.push((child.start_s.max(lo), child.end_s.min(hi)));
        }
    }
    (length(&union(singles)) + aggregated).clamp(0.0, d)
}
