//! The GPU rules, read off the timeline's GPU readings (NVML): a GPU
//! that waits for its input, device memory close to the device's
//! capacity, a GPU that waits for host-to-device copies, and a stage
//! whose GPU memory grows call after call. Each needs GPU readings and
//! stays silent without them: an absent GPU is never an idle one.
//!
//! | kind | fires when | `impact_s` |
//! |---|---|---|
//! | [`input_bound`] (`gpu_input_bound`) | the program uses the GPU, yet during a stage (≥ 10 % of the run) the GPU is busy < 30 % while the CPU works ≥ 80 % of a core | `overlap_fraction` (half) of the stage time that other work could hide, at most the rest of the run |
//! | [`capacity`] (`gpu_memory_near_capacity`) | device memory in use reaches ≥ 90 % of the device | 0 (a risk, not time) |
//! | [`transfer`] (`gpu_transfer_wait`) | during a stage the GPU is busy < 50 % while host-to-device PCIe traffic runs ≥ 1 GB/s | `overlap_fraction` of the stage's idle GPU time |
//! | [`growth`] (`gpu_memory_growth`) | the tree's GPU memory rises across a stage's calls in most runs (Mann–Kendall, Theil–Sen as [`super::memory_growth`]) | 0 |

pub mod capacity;
pub mod growth;
pub mod input_bound;
pub mod transfer;

use super::context::VariantData;
use super::options::{check_range, FindingOptionsError};
use super::timeline::GpuAcc;
use serde::{Deserialize, Serialize};

/// Thresholds of the GPU rules (`[findings.gpu]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GpuOptions {
    /// `gpu_input_bound`: the GPU counts as under-used below this busy %
    /// (default 30).
    pub input_max_busy_pct: f64,
    /// `gpu_input_bound`: … while the tree's CPU use is at least this, %
    /// of one core (default 80: one thread feeding it, flat out).
    pub input_min_cpu_pct: f64,
    /// Least median share of the run of a judged stage (default 0.10).
    pub min_stage_share: f64,
    /// Share of an avoidable wait that overlapping is assumed to hide
    /// (default 0.5).
    pub overlap_fraction: f64,
    /// `gpu_memory_near_capacity`: least share of the device's memory in
    /// use (default 0.9).
    pub capacity_fraction: f64,
    /// `gpu_transfer_wait`: least mean host-to-device PCIe traffic,
    /// bytes per second (default 1e9).
    pub transfer_min_rx_bps: f64,
    /// `gpu_transfer_wait`: the GPU counts as waiting below this busy %
    /// (default 50).
    pub transfer_max_busy_pct: f64,
    /// `gpu_memory_growth`: fewest calls of the stage in a run (default 6).
    pub growth_min_calls: usize,
    /// `gpu_memory_growth`: least growth over the calls, bytes (default
    /// 64 MiB).
    pub growth_min_bytes: u64,
    /// `gpu_memory_growth`: least Mann–Kendall z (default 2.33).
    pub growth_min_z: f64,
}

impl Default for GpuOptions {
    fn default() -> Self {
        GpuOptions {
            input_max_busy_pct: 30.0,
            input_min_cpu_pct: 80.0,
            min_stage_share: 0.10,
            overlap_fraction: 0.5,
            capacity_fraction: 0.9,
            transfer_min_rx_bps: 1e9,
            transfer_max_busy_pct: 50.0,
            growth_min_calls: 6,
            growth_min_bytes: 64 << 20,
            growth_min_z: 2.33,
        }
    }
}

impl GpuOptions {
    pub(crate) fn validate(&self) -> Result<(), FindingOptionsError> {
        let pct = "[0, 100]";
        check_range(
            "gpu.input_max_busy_pct",
            self.input_max_busy_pct,
            0.0,
            100.0,
            pct,
        )?;
        check_range(
            "gpu.input_min_cpu_pct",
            self.input_min_cpu_pct,
            0.0,
            f64::MAX,
            "[0, ∞)",
        )?;
        check_range(
            "gpu.min_stage_share",
            self.min_stage_share,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "gpu.overlap_fraction",
            self.overlap_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "gpu.capacity_fraction",
            self.capacity_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "gpu.transfer_min_rx_bps",
            self.transfer_min_rx_bps,
            0.0,
            f64::MAX,
            "[0, ∞)",
        )?;
        check_range(
            "gpu.transfer_max_busy_pct",
            self.transfer_max_busy_pct,
            0.0,
            100.0,
            pct,
        )?;
        check_range(
            "gpu.growth_min_z",
            self.growth_min_z,
            0.0,
            f64::MAX,
            "[0, ∞)",
        )
    }
}

/// Whether any counted run of the variant carries GPU readings.
pub(crate) fn measured(v: &VariantData) -> bool {
    v.runs
        .iter()
        .any(|r| r.it.timeline.iter().any(|s| !s.gpus.is_empty()))
}

/// Whether the program used the GPU at all: its processes held device
/// memory, or a device was busy at least half the time in some sample.
pub(crate) fn used(v: &VariantData) -> bool {
    v.runs.iter().flat_map(|r| &r.it.timeline).any(|s| {
        s.tree_gpu_memory_bytes().is_some_and(|b| b > 0)
            || s.gpu_busy_pct().is_some_and(|b| b >= 50.0)
    })
}

/// Mean GPU busy % during a stage's calls, pooled over runs; `None`
/// without readings there.
pub(crate) fn busy_during(v: &VariantData, path: &str) -> Option<f64> {
    let mut acc = GpuAcc::default();
    for r in &v.runs {
        for c in r.calls_of(path) {
            acc.add(&r.it.timeline, c.span.start_s, c.span.end_s);
        }
    }
    acc.mean()
}

/// Mean GPU busy % over whole runs; `None` without readings.
pub(crate) fn busy_overall(v: &VariantData) -> Option<f64> {
    let mut acc = GpuAcc::default();
    for r in &v.runs {
        acc.add(&r.it.timeline, 0.0, r.it.wall_s);
    }
    acc.mean()
}

/// Drops the findings about a stage when a stage below it has a finding
/// of the same kind: the deepest stage names the cause.
pub(crate) fn deepest(found: Vec<perfwatch_model::Finding>) -> Vec<perfwatch_model::Finding> {
    let stages: Vec<Option<String>> = found.iter().map(|f| f.stage.clone()).collect();
    found
        .into_iter()
        .filter(|f| {
            let Some(me) = &f.stage else { return true };
            !stages
                .iter()
                .flatten()
                .any(|other| super::context::is_below(other, me))
        })
        .collect()
}

#[cfg(test)]
mod tests;
