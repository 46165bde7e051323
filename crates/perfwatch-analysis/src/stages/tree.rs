//! The stage tree of one iteration: its spans grouped by path.
//!
//! Rules, in order:
//!
//! * A span's parent is the first span with its `parent` id. A span whose
//!   parent is missing, or is the span itself, is a root. A span that is
//!   its own ancestor (a parent cycle) is cut loose: walking up from the
//!   spans in record order, the link that closes the cycle is dropped, so
//!   the span met last on the walk becomes a root.
//! * A span's path is the names from its root down to it
//!   ([`join_path`](super::join_path)); the spans of one path are one node.
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
use super::path::child_path;
use perfwatch_model::{Iteration, Span, Tier};
use std::collections::HashMap;

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
}

/// The stage tree of one iteration, in depth-first order: each node is
/// followed by its children, siblings ordered by their first start (then
/// by name). Empty when the iteration has no spans.
pub fn stage_tree(iteration: &Iteration) -> Vec<StageNode> {
    let spans = &iteration.stages;
    let parents = parent_links(spans);
    let (paths, depths) = paths_of(spans, &parents);
    let timeline = CpuTimeline::new(&iteration.timeline);

    let mut children: Vec<Vec<usize>> = vec![Vec::new(); spans.len()];
    for (i, p) in parents.iter().enumerate() {
        if let Some(p) = *p {
            children[p].push(i);
        }
    }
    // Records grouped by path, paths in order of first appearance.
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let g = *index.entry(path.as_str()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    let nodes: Vec<StageNode> = groups
        .iter()
        .map(|records| {
            let parent = parents[records[0]].map(|p| paths[p].clone());
            node(
                spans,
                records,
                &children,
                &timeline,
                paths[records[0]].clone(),
                parent,
                depths[records[0]],
            )
        })
        .collect();
    preorder(nodes)
}

/// The path of each span, in record order, by the rules of
/// [`stage_tree`] (missing parents and cycles cut the same way).
pub fn span_paths(spans: &[Span]) -> Vec<String> {
    paths_of(spans, &parent_links(spans)).0
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

/// Each span's parent index, with missing parents, self-parents and
/// cycles cut.
fn parent_links(spans: &[Span]) -> Vec<Option<usize>> {
    let mut by_id: HashMap<u64, usize> = HashMap::with_capacity(spans.len());
    for (i, s) in spans.iter().enumerate() {
        by_id.entry(s.id).or_insert(i);
    }
    let mut parents: Vec<Option<usize>> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.parent
                .and_then(|p| by_id.get(&p).copied())
                .filter(|&p| p != i)
        })
        .collect();
    // 0 = unvisited, 1 = on the current walk, 2 = done.
    let mut state = vec![0u8; spans.len()];
    let mut walk = Vec::new();
    for start in 0..spans.len() {
        let mut at = Some(start);
        while let Some(i) = at {
            match state[i] {
                2 => break,
                1 => {
                    // `i` is already on this walk: the last span walked
                    // links back into it. Cut that link.
                    if let Some(&last) = walk.last() {
                        parents[last] = None;
                    }
                    break;
                }
                _ => {
                    state[i] = 1;
                    walk.push(i);
                    at = parents[i];
                }
            }
        }
        for i in walk.drain(..) {
            state[i] = 2;
        }
    }
    parents
}

/// Each span's path and depth, given acyclic parent links.
fn paths_of(spans: &[Span], parents: &[Option<usize>]) -> (Vec<String>, Vec<u32>) {
    let mut paths: Vec<Option<String>> = vec![None; spans.len()];
    let mut depths = vec![0u32; spans.len()];
    let mut chain = Vec::new();
    for start in 0..spans.len() {
        // Walk up to a span whose path is known (or a root), then down.
        let mut at = Some(start);
        while let Some(i) = at {
            if paths[i].is_some() {
                break;
            }
            chain.push(i);
            at = parents[i];
        }
        while let Some(i) = chain.pop() {
            let parent = parents[i];
            let parent_path = parent.and_then(|p| paths[p].as_deref());
            paths[i] = Some(child_path(parent_path, &spans[i].name));
            depths[i] = parent.map_or(0, |p| depths[p].saturating_add(1));
        }
    }
    (
        paths.into_iter().map(Option::unwrap_or_default).collect(),
        depths,
    )
}

/// One node from its records (indices into `spans`, in record order).
fn node(
    spans: &[Span],
    records: &[usize],
    children: &[Vec<usize>],
    timeline: &CpuTimeline,
    path: String,
    parent: Option<String>,
    depth: u32,
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
        path,
        parent,
        depth,
        tier: first_record.tier,
        component: records.iter().find_map(|&i| spans[i].component.clone()),
        start_s: earliest.map_or(0.0, |s| s.start_s),
        calls,
        failed_calls: failed.min(calls.max(1)),
        total_s: total,
        self_s: self_s.max(0.0),
        first_call_s,
        later_call_s,
        cpu_pct: timeline.cpu_during(&intervals),
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

/// Nodes in depth-first order, siblings by first start then name.
fn preorder(nodes: Vec<StageNode>) -> Vec<StageNode> {
    let mut kids: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        kids.entry(n.parent.as_deref()).or_default().push(i);
    }
    for list in kids.values_mut() {
        list.sort_by(|&a, &b| {
            let (a, b) = (&nodes[a], &nodes[b]);
            a.start_s
                .total_cmp(&b.start_s)
                .then_with(|| a.name.cmp(&b.name))
        });
    }
    let mut order = Vec::with_capacity(nodes.len());
    // A stack of roots and children, pushed in reverse to pop in order.
    let mut stack: Vec<usize> = kids
        .get(&None)
        .into_iter()
        .flatten()
        .rev()
        .copied()
        .collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        if let Some(list) = kids.get(&Some(nodes[i].path.as_str())) {
            stack.extend(list.iter().rev());
        }
    }
    let mut slots: Vec<Option<StageNode>> = nodes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}
