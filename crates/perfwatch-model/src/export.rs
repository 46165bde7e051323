//! The JSON export `perfwatch.session.v1`.

use crate::{Comparison, Finding, GateReport, Health, Iteration, Session, StageSummary, Summary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema identifier of version 1 of the session export.
pub const SCHEMA_V1: &str = "perfwatch.session.v1";

/// A whole session as exported to JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionExport {
    /// Always [`SCHEMA_V1`].
    pub schema: String,
    /// The session's provenance.
    pub session: Session,
    /// One entry per variant, in plan order.
    pub variants: Vec<VariantExport>,
    /// Comparisons (against the first variant or a baseline).
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
    /// Findings ranked by impact.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// The health score, when the session was analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
    /// The gate's verdict, when gates were evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateReport>,
    /// Notes about the analysis itself (a baseline that no longer exists,
    /// variants that could not be compared), each a sentence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The adaptive comparison of a session run with `--until-confident`,
    /// recomputed from its iterations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<crate::investigation::AdaptiveVerdict>,
}

/// One variant of a session, with its iterations and summaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantExport {
    /// Variant name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Every iteration of this variant, warm-ups included, in order.
    pub iterations: Vec<Iteration>,
    /// Summary per metric key over counted iterations; metrics never
    /// measured are absent.
    pub summary: BTreeMap<String, Summary>,
    /// Per-stage summaries.
    #[serde(default)]
    pub stages: Vec<StageSummary>,
    /// Warnings about the sample (outliers, a slow first run, failures),
    /// each a sentence with advice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// What the GPUs did during the counted runs; absent when no sample
    /// carried a GPU reading (no GPU, no driver, or sampling off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuSummary>,
    /// What the program reported of itself over the counted runs (its
    /// counters and gauges: a cache's hit rate, a pool's size), by name;
    /// empty when it reported none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub app_metrics: BTreeMap<String, AppMetricSummary>,
    /// A service benchmark's figures over the counted iterations: counts
    /// summed, latency percentiles of the merged histograms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<crate::ServiceSummary>,
}

/// One application metric of a variant: the values its counted runs
/// reported (a counter's total per run, a gauge's last reading per run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppMetricSummary {
    /// `counter` or `gauge`.
    pub kind: AppMetricKind,
    /// Counted runs that reported it.
    pub runs: u32,
    /// Median of the runs' values.
    pub median: f64,
    /// Smallest run value.
    pub min: f64,
    /// Largest run value.
    pub max: f64,
}

/// How an application metric reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppMetricKind {
    /// A total over the run.
    Counter,
    /// A reading at the end of the run.
    Gauge,
}

impl AppMetricKind {
    /// `counter` or `gauge`.
    pub fn key(self) -> &'static str {
        match self {
            AppMetricKind::Counter => "counter",
            AppMetricKind::Gauge => "gauge",
        }
    }
}

/// The GPU figures of one variant over its counted runs, from the
/// timeline's GPU readings (see [`crate::GpuReading`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuSummary {
    /// Devices read.
    pub devices: u32,
    /// Memory of the largest device read, bytes.
    pub memory_total_bytes: u64,
    /// Peak device memory held by the measured tree in any counted run,
    /// bytes; absent where the driver does not report per-process memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_memory_bytes: Option<u64>,
    /// Peak device memory in use by anyone (the tree and other processes)
    /// in any counted run, bytes: what the device had left.
    pub peak_device_memory_bytes: u64,
    /// Mean GPU busy % (the busiest device; the tree's own where the
    /// driver keeps per-process statistics) over the samples of the
    /// counted runs.
    pub busy_mean_pct: f64,
    /// 95th percentile of the same samples' busy %.
    pub busy_p95_pct: f64,
    /// Mean power draw summed over the devices, watts; absent where not
    /// reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_mean_w: Option<f64>,
    /// Samples the figures come from.
    pub samples: u64,
}
