//! `gpu_memory_near_capacity`: device memory in use reached at least
//! `capacity_fraction` (90 %) of the device in a counted run. Named with
//! the stage in which the peak fell (the deepest one running then) and
//! the measured tree's own share. A risk, not a cost: `impact_s` is 0.

use super::super::context::VariantData;
use super::super::format::{bytes, pct};
use super::super::{finding, FindingOptions, RuleKind};
use super::measured;
use perfwatch_model::Finding;

/// The fullest device reading: where and when.
struct Peak {
    fill: f64,
    used: u64,
    total: u64,
    tree: Option<u64>,
    device: u32,
    t: f64,
    run: usize,
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    if !measured(v) {
        return Vec::new();
    }
    // The fullest reading of any device in any counted run.
    let mut peak: Option<Peak> = None;
    for (run, r) in v.runs.iter().enumerate() {
        for s in &r.it.timeline {
            for g in s.gpus.iter().filter(|g| g.memory_total_bytes > 0) {
                let fill = g.memory_used_bytes as f64 / g.memory_total_bytes as f64;
                if peak.as_ref().is_none_or(|p| fill > p.fill) {
                    peak = Some(Peak {
                        fill,
                        used: g.memory_used_bytes,
                        total: g.memory_total_bytes,
                        tree: g.tree_memory_bytes,
                        device: g.device,
                        t: s.t_s,
                        run,
                    });
                }
            }
        }
    }
    let Some(Peak {
        fill,
        used,
        total,
        tree,
        device,
        t,
        run,
    }) = peak
    else {
        return Vec::new();
    };
    if fill < opts.gpu.capacity_fraction {
        return Vec::new();
    }
    // The deepest stage running at the peak's sample.
    let stage = v.runs[run]
        .calls
        .iter()
        .filter(|c| c.span.start_s <= t && t <= c.span.end_s)
        .max_by_key(|c| c.path.matches('/').count())
        .map(|c| c.path.to_string());
    let mut f = finding(RuleKind::GpuMemoryNearCapacity, v, stage.as_deref());
    let during = stage
        .as_deref()
        .map(|s| format!(" during `{s}`"))
        .unwrap_or_default();
    f.title = format!(
        "GPU memory near capacity: {} of {} ({}) in use on device {device}{during}",
        bytes(used as f64),
        bytes(total as f64),
        pct(fill)
    );
    let e = &mut f.evidence;
    e.insert("memory_used_bytes".into(), used as f64);
    e.insert("memory_total_bytes".into(), total as f64);
    e.insert("fill".into(), fill);
    e.insert("device".into(), f64::from(device));
    if let Some(tree) = tree {
        e.insert("tree_memory_bytes".into(), tree as f64);
    }
    let whose = match tree {
        Some(t) => format!("The measured program held {} of it. ", bytes(t as f64)),
        None => String::new(),
    };
    f.impact_s = 0.0;
    f.confidence = 0.9;
    f.recommendation = format!(
        "{whose}Little headroom is left: a larger input or batch, or another process on the \
         device, will fail for lack of memory. Release cached blocks between stages, lower \
         the batch size, use lower precision, or keep fewer tensors alive at the peak."
    );
    f.effort = Some("medium".into());
    vec![f]
}
