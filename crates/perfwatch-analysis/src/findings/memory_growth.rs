//! `memory_growth`: resident memory that keeps rising ("memory growing from
//! 40.7 to 65 MB") — a leak suspect.
//!
//! Two series are examined, each as `(x, RSS)` points:
//!
//! * **along each run**: the timeline's `(t, rss)`, for runs with at least
//!   `min_samples` samples; the rule fires when at least `min_growing_runs`
//!   (half) of them grow; the slope is reported in bytes per second. For
//!   a service, only the part from ready to the stop counts (`startup_s ≤
//!   t ≤ wall_s − shutdown_s`, samples after the exit dropped): the memory
//!   the start-up loads is no growth, and would inflate the figures;
//! * **across runs**: each counted run's peak RSS (`max_rss_bytes`, else
//!   the sampled tree peak) by run order, with at least `min_runs` runs;
//!   the slope is reported in bytes per run.
//!
//! A series **grows** when all of these hold (methods in
//! [`super::trend`]): the Mann–Kendall `z` is at least `min_z` (2.33, a
//! one-sided 1 % test); the Theil–Sen slope times the series' span — the
//! growth — is at least `min_growth_bytes` (16 MiB) and `min_growth_fraction`
//! (20 %) of the starting level (median of the first third); and it has not
//! levelled off: the median of the last third lies above that of the middle
//! third by at least `plateau_ratio` (¼) of what the overall slope predicts
//! between them (a level test rather than the last third's own slope, so
//! that a leak in steps, one per processed item, counts too). A program that allocates its
//! working set early and then stays flat therefore passes.
//!
//! Memory is not time: `impact_s` is 0, and the slope is the evidence.

use super::context::VariantData;
use super::format::{bytes, secs};
use super::options::{check_range, FindingOptionsError};
use super::trend::{mann_kendall_z, theil_sen, thin, MAX_POINTS};
use super::{finding, FindingOptions, RuleKind};
use perfwatch_model::{Finding, Iteration};
use perfwatch_stats::median;
use serde::{Deserialize, Serialize};

/// Thresholds of `memory_growth`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemoryGrowthOptions {
    /// Fewest runs for the across-runs series (default 6; fewer than 6
    /// never suffice: the test needs two points per third).
    pub min_runs: usize,
    /// Fewest timeline samples for a run's series (default 10; at least 6
    /// are needed in any case).
    pub min_samples: usize,
    /// Least Mann–Kendall z (default 2.33).
    pub min_z: f64,
    /// Least growth as a share of the starting level (default 0.05).
    pub min_growth_fraction: f64,
    /// Least growth in bytes (default 1 MiB).
    pub min_growth_bytes: u64,
    /// Least rise of the last third over the middle one, relative to the
    /// overall slope's prediction (default 0.25).
    pub plateau_ratio: f64,
    /// Least share of runs whose timeline grows (default 0.5).
    pub min_growing_runs: f64,
}

impl Default for MemoryGrowthOptions {
    fn default() -> Self {
        MemoryGrowthOptions {
            min_runs: 6,
            min_samples: 10,
            min_z: 2.33,
            min_growth_fraction: 0.20,
            min_growth_bytes: 16 << 20,
            plateau_ratio: 0.25,
            min_growing_runs: 0.5,
        }
    }
}

impl MemoryGrowthOptions {
    pub(crate) fn validate(&self) -> Result<(), FindingOptionsError> {
        let name = "memory_growth.min_growth_fraction";
        check_range(name, self.min_growth_fraction, 0.0, f64::MAX, "[0, ∞)")?;
        check_range(
            "memory_growth.plateau_ratio",
            self.plateau_ratio,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "memory_growth.min_growing_runs",
            self.min_growing_runs,
            0.0,
            1.0,
            "[0, 1]",
        )
    }
}

/// A growing series.
#[derive(Debug, Clone, Copy)]
struct Growth {
    slope: f64,
    start: f64,
    end: f64,
    growth: f64,
    z: f64,
    tail_ratio: f64,
}

/// Whether a series grows (see the module documentation).
fn grows(points: &[(f64, f64)], o: &MemoryGrowthOptions) -> Option<Growth> {
    let pts = thin(points, MAX_POINTS);
    let third = pts.len() / 3;
    if third < 2 {
        return None;
    }
    let ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
    let z = mann_kendall_z(&ys)?;
    let slope = theil_sen(&pts)?;
    let span = pts[pts.len() - 1].0 - pts[0].0;
    let growth = slope * span;
    let start = median(&ys[..third])?;
    let end = median(&ys[ys.len() - third..])?;
    // Still rising: the last third's level above the middle third's, as a
    // share of what the overall slope predicts between them.
    let (mid, last) = (&pts[third..pts.len() - third], &pts[pts.len() - third..]);
    let med_x = |p: &[(f64, f64)]| median(&p.iter().map(|q| q.0).collect::<Vec<_>>());
    let med_y = |p: &[(f64, f64)]| median(&p.iter().map(|q| q.1).collect::<Vec<_>>());
    let expected = slope * (med_x(last)? - med_x(mid)?);
    let tail_ratio = if expected > 0.0 {
        (med_y(last)? - med_y(mid)?) / expected
    } else {
        0.0
    };
    let enough = growth >= (o.min_growth_bytes as f64).max(o.min_growth_fraction * start);
    (z >= o.min_z && slope > 0.0 && enough && tail_ratio >= o.plateau_ratio).then_some(Growth {
        slope,
        start,
        end,
        growth,
        z,
        tail_ratio,
    })
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    [
        within_runs(v, &opts.memory_growth),
        across_runs(v, &opts.memory_growth),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn within_runs(v: &VariantData, o: &MemoryGrowthOptions) -> Option<Finding> {
    let series: Vec<Vec<(f64, f64)>> = v
        .runs
        .iter()
        .map(|r| {
            let (from, to) = running(r.it);
            r.it.timeline
                .iter()
                .filter(|s| s.t_s >= from && s.t_s <= to)
                .filter(|s| r.it.service.is_none() || s.rss_bytes > 0)
                .map(|s| (s.t_s, s.rss_bytes as f64))
                .collect::<Vec<_>>()
        })
        .filter(|s| s.len() >= o.min_samples)
        .collect();
    if series.is_empty() {
        return None;
    }
    let service = v.runs.iter().any(|r| r.it.service.is_some());
    let growing: Vec<Growth> = series.iter().filter_map(|s| grows(s, o)).collect();
    let fraction = growing.len() as f64 / series.len() as f64;
    if growing.is_empty() || fraction < o.min_growing_runs {
        return None;
    }
    let med =
        |f: fn(&Growth) -> f64| median(&growing.iter().map(f).collect::<Vec<_>>()).unwrap_or(0.0);
    let (slope, start, end, z) = (
        med(|g| g.slope),
        med(|g| g.start),
        med(|g| g.end),
        med(|g| g.z),
    );
    let mut f = finding(RuleKind::MemoryGrowth, v, None);
    f.title = format!(
        "Memory grows from {} to {} during {} ({}/s) without levelling off",
        bytes(start),
        bytes(end),
        if service {
            "the load of each run"
        } else {
            "each run"
        },
        bytes(slope)
    );
    let e = &mut f.evidence;
    e.insert("slope_bytes_per_s".into(), slope);
    e.insert("start_bytes".into(), start);
    e.insert("end_bytes".into(), end);
    e.insert("growth_bytes".into(), med(|g| g.growth));
    e.insert("mk_z".into(), z);
    e.insert("tail_slope_ratio".into(), med(|g| g.tail_ratio));
    e.insert("growing_runs_fraction".into(), fraction);
    e.insert("runs".into(), series.len() as f64);
    f.confidence = fraction * if z >= 3.0 { 0.8 } else { 0.6 };
    f.recommendation = format!(
        "Memory is still rising when the run ends (a leak suspect): look for what \
         accumulates — an unbounded cache, results or handles kept alive, listeners never \
         removed — and bound or release it; if it is the output being built, stream it. \
         Over a {}-run it adds {}.",
        secs(v.wall_median),
        bytes(med(|g| g.growth))
    );
    f.effort = Some("medium".into());
    Some(f)
}

/// The part of a run's timeline that the series along the run reads: all
/// of it for a command; for a service, from ready (`startup_s`) to the
/// stop (SIGTERM, `shutdown_s` before the exit) — the start-up's loading
/// is no growth, and the exit no levelling off.
fn running(it: &Iteration) -> (f64, f64) {
    match &it.service {
        Some(s) => {
            let stop = it.wall_s - s.shutdown_s;
            let stop = if stop.is_finite() && stop > s.startup_s {
                stop
            } else {
                f64::INFINITY
            };
            (s.startup_s, stop)
        }
        None => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

/// Which series a `memory_growth` finding is about: `"within runs"` (the
/// timeline) or `"across runs"` (peaks by run order). Findings about
/// different series are different findings, even in one variant.
pub(crate) fn series(f: &Finding) -> &'static str {
    if f.evidence.contains_key("slope_bytes_per_run") {
        "across runs"
    } else {
        "within runs"
    }
}

fn across_runs(v: &VariantData, o: &MemoryGrowthOptions) -> Option<Finding> {
    if v.runs.len() < o.min_runs {
        return None;
    }
    let peaks: Option<Vec<u64>> = v.runs.iter().map(|r| r.it.max_rss_bytes).collect();
    let peaks = peaks.or_else(|| v.runs.iter().map(|r| r.it.peak_tree_rss_bytes).collect())?;
    let points: Vec<(f64, f64)> = peaks
        .iter()
        .enumerate()
        .map(|(i, &b)| (i as f64, b as f64))
        .collect();
    let g = grows(&points, o)?;
    let mut f = finding(RuleKind::MemoryGrowth, v, None);
    f.title = format!(
        "Peak memory grows by {} per run, from {} to {} over {} runs",
        bytes(g.slope),
        bytes(g.start),
        bytes(g.end),
        points.len()
    );
    let e = &mut f.evidence;
    e.insert("slope_bytes_per_run".into(), g.slope);
    e.insert("start_bytes".into(), g.start);
    e.insert("end_bytes".into(), g.end);
    e.insert("growth_bytes".into(), g.growth);
    e.insert("mk_z".into(), g.z);
    e.insert("tail_slope_ratio".into(), g.tail_ratio);
    e.insert("runs".into(), points.len() as f64);
    f.confidence = if g.z >= 3.0 { 0.8 } else { 0.6 };
    f.recommendation = "Each run peaks higher than the last: something persists between runs \
                        and grows (a cache or database on disk, temporary files, an input that \
                        keeps growing). Prune it, or reset it before each run (a `prepare` \
                        hook) so that runs stay comparable."
        .into();
    f.effort = Some("medium".into());
    Some(f)
}

#[cfg(test)]
mod tests;
