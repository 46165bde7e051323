//! `gpu_input_bound`: the GPU waits for its input ("the GPU is busy 18 %
//! of `_2_asr`; the CPU thread feeding it is at 100 %").
//!
//! For a program that uses the GPU (its processes hold device memory, or
//! a device was busy in some sample), each stage holding at least
//! `min_stage_share` of the run whose calls the timeline resolves (two
//! sampling periods or longer) is judged: the GPU's mean busy % during
//! its calls is below `input_max_busy_pct` while the tree's CPU use is at
//! least `input_min_cpu_pct` of a core. The deepest such stage is named.
//! Without stages the whole run is judged the same way.
//!
//! Saving: the CPU work could overlap the GPU's (prefetching, more loader
//! workers, a pipeline of batches); how much overlaps depends on what
//! needs what, so `overlap_fraction` (half) of the stage's time, at most
//! the rest of the run that could hide it; confidence 0.4.

use super::super::context::VariantData;
use super::super::format::{pct, saves, secs};
use super::super::idle::sample_period;
use super::super::{finding, FindingOptions, RuleKind};
use super::{busy_during, busy_overall, deepest, measured, used};
use perfwatch_model::Finding;
use perfwatch_stats::median;

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    if !measured(v) || !used(v) {
        return Vec::new();
    }
    if v.paths.is_empty() {
        return whole_run(v, opts).into_iter().collect();
    }
    deepest(v.paths.iter().filter_map(|p| stage(v, p, opts)).collect())
}

fn stage(v: &VariantData, path: &str, opts: &FindingOptions) -> Option<Finding> {
    let o = &opts.gpu;
    let share = v.share(path);
    if share < o.min_stage_share {
        return None;
    }
    let per_call = median(&v.durations(path))?;
    if per_call < 2.0 * sample_period(v)? {
        return None;
    }
    let busy = busy_during(v, path)?;
    let cpu = v.cpu_pct(path)?;
    if busy >= o.input_max_busy_pct || cpu < o.input_min_cpu_pct {
        return None;
    }
    let total = median(&v.totals(path))?;
    let rest = (v.wall_median - total).max(0.0);
    let impact = o.overlap_fraction * total.min(rest);
    let mut f = finding(RuleKind::GpuInputBound, v, Some(path));
    f.title = format!(
        "The GPU waits for input: busy {busy:.0} % of `{path}` while the CPU feeding it is at \
         {cpu:.0} % ({} per run, {} of the run)",
        secs(total),
        pct(share)
    );
    evidence(&mut f, busy, cpu, total, share);
    f.impact_s = if opts.worth(impact, v.wall_median) {
        impact
    } else {
        0.0
    };
    f.confidence = 0.4;
    f.recommendation = recommendation(&format!("`{path}`"), f.impact_s, o.overlap_fraction);
    f.effort = Some("medium".into());
    Some(f)
}

fn whole_run(v: &VariantData, opts: &FindingOptions) -> Option<Finding> {
    let o = &opts.gpu;
    let busy = busy_overall(v)?;
    let per_run: Vec<f64> = v
        .runs
        .iter()
        .filter(|r| r.it.wall_s > 0.0)
        .filter_map(|r| Some(r.cpu_s()? / r.it.wall_s * 100.0))
        .collect();
    let cpu = median(&per_run)?;
    if busy >= o.input_max_busy_pct || cpu < o.input_min_cpu_pct {
        return None;
    }
    let mut f = finding(RuleKind::GpuInputBound, v, None);
    f.title = format!(
        "The GPU waits for input: busy {busy:.0} % of the run while the CPU works at {cpu:.0} %"
    );
    evidence(&mut f, busy, cpu, v.wall_median, 1.0);
    // Nothing says which part could overlap which: no saving claimed.
    f.impact_s = 0.0;
    f.confidence = 0.4;
    f.recommendation = recommendation("the run", 0.0, o.overlap_fraction);
    f.effort = Some("medium".into());
    Some(f)
}

fn evidence(f: &mut Finding, busy: f64, cpu: f64, total: f64, share: f64) {
    let e = &mut f.evidence;
    e.insert("gpu_busy_pct".into(), busy);
    e.insert("cpu_pct".into(), cpu);
    e.insert("total_s".into(), total);
    e.insert("share".into(), share);
}

fn recommendation(what: &str, impact: f64, overlap: f64) -> String {
    let saving = if impact > 0.0 {
        format!(
            " Overlapping {:.0} % of it with the GPU's work would {}.",
            overlap * 100.0,
            saves(impact)
        )
    } else {
        String::new()
    };
    format!(
        "The GPU idles through {what} while a CPU core prepares its input: prepare the next \
         batch while the GPU computes the current one (a prefetching loader with worker \
         processes, pinned host memory and asynchronous copies), or move the preparation to \
         the GPU.{saving}"
    )
}
