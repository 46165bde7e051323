//! Stage statistics of one variant, over its counted iterations.
//!
//! Each counted iteration ([`Iteration::counts`]) gives one value per stage
//! path that occurred in it ([`stage_tree`]). **A stage absent from an
//! iteration contributes nothing** rather than a zero: a stage that runs in
//! only some iterations (a cache miss, a retry) has a cost when it runs, and
//! zeros would turn its sample bimodal, its median flipping with how often
//! it happened to run. How often it ran is the sample size, `total_s.n`, to
//! be read against the number of counted iterations.
//!
//! * `total_s`, `self_s`: summaries of the per-iteration times.
//! * `calls`: mean calls per iteration in which the stage ran.
//! * `failed_calls`: failed calls over all counted iterations.
//! * `first_call_s`, `later_call_s`: summaries over the iterations where
//!   they are known (see [`stage_tree`]).
//! * `cpu_pct`: the median of the per-iteration CPU % where known;
//!   `gpu_busy_pct` likewise, of the GPU busy % (the stage's GPU time
//!   share); `peak_gpu_memory_bytes`: the largest GPU memory of the tree
//!   during the stage in any iteration.
//! * `share`: the median, over the iterations in which the stage ran and
//!   whose wall time is positive, of `total / wall`, clamped to `[0, 1]` —
//!   for nested stages too, so shares of siblings can be compared
//!   directly. Concurrent calls can add up to more than the wall time; the
//!   clamp keeps the share a fraction (the total still says how much).
//! * `tier` and `component`: those of the path's first node.
//!
//! Stages come ordered by share, largest first; equal shares by path.

use super::tree::{stage_tree, StageNode};
use perfwatch_model::{Iteration, StageSummary, Tier};
use perfwatch_stats::{median, summarize, CiOptions};
use std::collections::HashMap;

/// The per-iteration figures of one stage path over the counted iterations
/// of a variant, one entry per iteration in which the stage ran.
#[derive(Debug, Clone, PartialEq)]
pub struct StageSamples {
    /// Path (the key).
    pub path: String,
    /// Name.
    pub name: String,
    /// Path of the enclosing stage.
    pub parent: Option<String>,
    /// Nesting depth, 0 for a root.
    pub depth: u32,
    /// Tier of the first node.
    pub tier: Tier,
    /// Component of the first node.
    pub component: Option<String>,
    /// Total seconds per iteration.
    pub total_s: Vec<f64>,
    /// Self seconds per iteration.
    pub self_s: Vec<f64>,
    /// Calls per iteration.
    pub calls: Vec<u64>,
    /// Failed calls over all iterations.
    pub failed_calls: u64,
    /// First-call seconds, where known.
    pub first_call_s: Vec<f64>,
    /// Mean later-call seconds, where known.
    pub later_call_s: Vec<f64>,
    /// CPU %, where known.
    pub cpu_pct: Vec<f64>,
    /// GPU busy %, where known.
    pub gpu_busy_pct: Vec<f64>,
    /// Peak GPU memory of the tree during the stage, where known.
    pub peak_gpu_memory_bytes: Vec<u64>,
    /// `total / wall` per iteration with a positive wall time, in `[0, 1]`.
    pub shares: Vec<f64>,
    /// Median of `shares`; 0 when there is none.
    pub share: f64,
    /// Most levels folded into the stage in any iteration.
    pub folded_levels: u32,
}

impl StageSamples {
    fn new(node: &StageNode) -> StageSamples {
        StageSamples {
            path: node.path.clone(),
            name: node.name.clone(),
            parent: node.parent.clone(),
            depth: node.depth,
            tier: node.tier,
            component: node.component.clone(),
            total_s: Vec::new(),
            self_s: Vec::new(),
            calls: Vec::new(),
            failed_calls: 0,
            first_call_s: Vec::new(),
            later_call_s: Vec::new(),
            cpu_pct: Vec::new(),
            gpu_busy_pct: Vec::new(),
            peak_gpu_memory_bytes: Vec::new(),
            shares: Vec::new(),
            share: 0.0,
            folded_levels: 0,
        }
    }

    fn push(&mut self, node: StageNode, wall_s: f64) {
        self.total_s.push(node.total_s);
        self.self_s.push(node.self_s);
        self.calls.push(node.calls);
        self.failed_calls = self.failed_calls.saturating_add(node.failed_calls);
        self.first_call_s.extend(node.first_call_s);
        self.later_call_s.extend(node.later_call_s);
        self.cpu_pct.extend(node.cpu_pct);
        self.gpu_busy_pct.extend(node.gpu_busy_pct);
        self.peak_gpu_memory_bytes
            .extend(node.peak_gpu_memory_bytes);
        self.folded_levels = self.folded_levels.max(node.folded_levels);
        if wall_s.is_finite() && wall_s > 0.0 {
            self.shares.push((node.total_s / wall_s).clamp(0.0, 1.0));
        }
    }
}

/// Per-path samples over the counted iterations of one variant, ordered
/// by share (largest first), then by path.
pub fn stage_samples(iterations: &[Iteration]) -> Vec<StageSamples> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<StageSamples> = Vec::new();
    for it in iterations.iter().filter(|it| it.counts()) {
        for node in stage_tree(it) {
            let i = match index.get(&node.path) {
                Some(&i) => i,
                None => {
                    index.insert(node.path.clone(), out.len());
                    out.push(StageSamples::new(&node));
                    out.len() - 1
                }
            };
            out[i].push(node, it.wall_s);
        }
    }
    for s in &mut out {
        s.share = median(&s.shares).unwrap_or(0.0);
    }
    out.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then_with(|| a.path.cmp(&b.path))
    });
    out
}

/// Stage summaries of one variant over its counted iterations, ordered by
/// share (largest first), then by path. Empty when no counted iteration
/// reported a stage.
pub fn stage_summaries(iterations: &[Iteration], ci: &CiOptions) -> Vec<StageSummary> {
    stage_samples(iterations)
        .into_iter()
        .filter_map(|s| summary_of(s, ci))
        .collect()
}

fn summary_of(s: StageSamples, ci: &CiOptions) -> Option<StageSummary> {
    let runs = s.calls.len();
    let calls = s.calls.iter().map(|&c| c as f64).sum::<f64>() / runs.max(1) as f64;
    Some(StageSummary {
        total_s: summarize(&s.total_s, ci)?,
        self_s: summarize(&s.self_s, ci),
        name: s.name,
        path: s.path,
        tier: s.tier,
        component: s.component,
        calls,
        failed_calls: s.failed_calls,
        share: s.share,
        parent: s.parent,
        depth: Some(s.depth),
        first_call_s: summarize(&s.first_call_s, ci),
        later_call_s: summarize(&s.later_call_s, ci),
        cpu_pct: median(&s.cpu_pct),
        gpu_busy_pct: median(&s.gpu_busy_pct),
        peak_gpu_memory_bytes: s.peak_gpu_memory_bytes.iter().copied().max(),
        folded_levels: s.folded_levels,
    })
}
