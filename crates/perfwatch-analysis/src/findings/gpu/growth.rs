//! `gpu_memory_growth`: a stage whose GPU memory grows call after call —
//! tensors kept alive across iterations, a cache without a bound.
//!
//! Per run, each call of the stage gives the tree's peak GPU memory
//! during the call; a run's series **grows** when it has at least
//! `growth_min_calls` points, its Mann–Kendall `z` is at least
//! `growth_min_z` and the Theil–Sen growth over the calls is at least
//! `growth_min_bytes`. The rule fires when at least half the runs with
//! enough calls grow. Memory is not time: `impact_s` is 0.

use super::super::context::VariantData;
use super::super::format::bytes;
use super::super::timeline::peak_gpu_memory;
use super::super::trend::{mann_kendall_z, theil_sen};
use super::super::{finding, FindingOptions, RuleKind};
use super::measured;
use perfwatch_model::Finding;
use perfwatch_stats::median;

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    if !measured(v) {
        return Vec::new();
    }
    v.paths.iter().filter_map(|p| stage(v, p, opts)).collect()
}

fn stage(v: &VariantData, path: &str, opts: &FindingOptions) -> Option<Finding> {
    let o = &opts.gpu;
    let mut judged = 0usize;
    let mut growths = Vec::new();
    let mut calls = Vec::new();
    for r in &v.runs {
        let series: Vec<f64> = r
            .calls_of(path)
            .filter_map(|c| peak_gpu_memory(&r.it.timeline, c.span.start_s, c.span.end_s))
            .map(|b| b as f64)
            .collect();
        if series.len() < o.growth_min_calls {
            continue;
        }
        judged += 1;
        let z = mann_kendall_z(&series)?;
        let points: Vec<(f64, f64)> = series
            .iter()
            .enumerate()
            .map(|(i, &b)| (i as f64, b))
            .collect();
        let growth = theil_sen(&points)? * (series.len() - 1) as f64;
        if z >= o.growth_min_z && growth >= o.growth_min_bytes as f64 {
            growths.push(growth);
            calls.push(series.len() as f64);
        }
    }
    if judged == 0 || (growths.len() as f64) < judged as f64 / 2.0 {
        return None;
    }
    let growth = median(&growths)?;
    let n = median(&calls)?;
    let per_call = growth / (n - 1.0).max(1.0);
    let mut f = finding(RuleKind::GpuMemoryGrowth, v, Some(path));
    f.title = format!(
        "GPU memory grows across the calls of `{path}`: +{} over {n:.0} calls (+{} per call)",
        bytes(growth),
        bytes(per_call)
    );
    let e = &mut f.evidence;
    e.insert("growth_bytes".into(), growth);
    e.insert("per_call_bytes".into(), per_call);
    e.insert("growing_runs".into(), growths.len() as f64);
    e.insert("judged_runs".into(), judged as f64);
    f.impact_s = 0.0;
    f.confidence = 0.7;
    f.recommendation = format!(
        "Each call of `{path}` leaves device memory behind: look for tensors kept across calls \
         (results stored with their graph, lists that grow, a cache without a bound). Left \
         alone, a longer input runs out of GPU memory."
    );
    f.effort = Some("medium".into());
    Some(f)
}
