//! One execution of a benchmark's command and what was measured.

use crate::{Metric, ServiceRun, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One point of the resource timeline, covering the whole process tree.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the command was spawned.
    pub t_s: f64,
    /// CPU use of the tree since the previous sample, in % of one core.
    pub cpu_pct: f64,
    /// Resident set size of the tree in bytes.
    pub rss_bytes: u64,
    /// Threads in the tree.
    pub threads: u32,
    /// Processes in the tree.
    pub processes: u32,
    /// Storage bytes read per second since the previous sample.
    pub read_bps: f64,
    /// Storage bytes written per second since the previous sample.
    pub write_bps: f64,
    /// What each GPU was doing at this sample (NVML), one reading per
    /// device; empty when no GPU could be read — absent, never zero.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gpus: Vec<GpuReading>,
}

/// One GPU at one sample: the whole device's figures, and those of the
/// measured process tree's processes on it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GpuReading {
    /// The device's NVML index.
    pub device: u32,
    /// Share of the last sample period in which a kernel ran on the
    /// device (NVML "GPU utilisation", SM busy), %.
    pub sm_pct: f64,
    /// Share of the period in which device memory was read or written, %.
    pub mem_pct: f64,
    /// Device memory in use by every process, bytes.
    pub memory_used_bytes: u64,
    /// The device's memory, bytes.
    pub memory_total_bytes: u64,
    /// Power draw, watts; absent where the device does not report it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_w: Option<f64>,
    /// Device memory held by the measured tree's processes, bytes; absent
    /// where the driver does not say (e.g. inside some containers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_memory_bytes: Option<u64>,
    /// SM utilisation of the tree's processes, %; absent where the driver
    /// keeps no per-process statistics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_sm_pct: Option<f64>,
    /// Host-to-device PCIe traffic, bytes per second; absent where not
    /// reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcie_rx_bps: Option<f64>,
}

impl Sample {
    /// GPU memory the measured tree held at this sample, summed over the
    /// devices; absent when no device said.
    pub fn tree_gpu_memory_bytes(&self) -> Option<u64> {
        self.gpus
            .iter()
            .filter_map(|g| g.tree_memory_bytes)
            .reduce(u64::saturating_add)
    }

    /// The busiest device's SM utilisation at this sample, %: the tree's
    /// own where the driver keeps it, the device's otherwise; absent
    /// without GPU readings.
    pub fn gpu_busy_pct(&self) -> Option<f64> {
        self.gpus
            .iter()
            .map(|g| g.tree_sm_pct.unwrap_or(g.sm_pct))
            .reduce(f64::max)
    }
}

/// One execution of the command.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Iteration {
    /// 0-based position in the session's execution order (warm-ups included).
    pub index: u32,
    /// The variant this iteration ran.
    #[serde(default)]
    pub variant: String,
    /// A warm-up: stored, excluded from statistics.
    pub warmup: bool,
    /// Exit code, absent when killed by a signal.
    pub exit_code: Option<i32>,
    /// Terminating signal, absent on a normal exit.
    pub signal: Option<i32>,
    /// Killed because `--timeout` elapsed; excluded from statistics.
    pub timed_out: bool,
    /// Wall seconds from spawn to reap (monotonic clock).
    pub wall_s: f64,
    /// User CPU seconds (`wait4`).
    pub user_s: Option<f64>,
    /// System CPU seconds (`wait4`).
    pub sys_s: Option<f64>,
    /// Peak RSS of the child or its largest reaped descendant (`wait4`).
    pub max_rss_bytes: Option<u64>,
    /// Peak RSS of the whole tree as sampled.
    #[serde(default)]
    pub peak_tree_rss_bytes: Option<u64>,
    /// Storage bytes read by the whole tree.
    pub read_bytes: Option<u64>,
    /// Storage bytes written by the whole tree.
    pub write_bytes: Option<u64>,
    /// Voluntary context switches.
    #[serde(default)]
    pub voluntary_cs: Option<u64>,
    /// Involuntary context switches.
    #[serde(default)]
    pub involuntary_cs: Option<u64>,
    /// Resource timeline (empty when sampling was off).
    #[serde(default)]
    pub timeline: Vec<Sample>,
    /// Spans reported by the program.
    #[serde(default)]
    pub stages: Vec<Span>,
    /// Counter totals reported by the program (span file or OTLP).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<String, f64>,
    /// Last gauge readings reported by the program.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub gauges: BTreeMap<String, f64>,
    /// Span records that could not be used, counted by reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dropped_spans: BTreeMap<String, u64>,
    /// The last lines of the child's stderr when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr_tail: Option<String>,
    /// A service benchmark's figures: start-up, load, shutdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceRun>,
}

/// The signal a service is stopped with (Linux's number).
const SIGTERM: i32 = 15;

/// The longest time an iteration's figure may hold, in seconds (about 31
/// years): anything longer in a file from outside is an error, not a
/// figure.
pub const MAX_SECONDS: f64 = 1e9;

/// The largest byte or event count an iteration's figure may hold: exact
/// as a float and as a signed 64-bit integer (the store).
pub const MAX_COUNT: u64 = 1 << 53;

impl Iteration {
    /// The application metric `name` as this run reported it: a gauge's
    /// last reading, else a counter's total; `None` when it did not
    /// report it (never read as 0).
    pub fn app_metric(&self, name: &str) -> Option<(crate::AppMetricKind, f64)> {
        if let Some(&v) = self.gauges.get(name) {
            return Some((crate::AppMetricKind::Gauge, v));
        }
        self.counters
            .get(name)
            .map(|&v| (crate::AppMetricKind::Counter, v))
    }

    /// Check every figure against the ranges a measured iteration can
    /// have: times finite, not negative and at most [`MAX_SECONDS`]; byte
    /// and event counts at most [`MAX_COUNT`]. Files from outside (imports,
    /// compared exports) are checked with it before anything uses them.
    ///
    /// # Errors
    ///
    /// The first figure out of range, named and with its value.
    pub fn check_ranges(&self) -> Result<(), String> {
        match self.out_of_range() {
            Some((_, message)) => Err(message),
            None => Ok(()),
        }
    }

    /// [`check_ranges`](Self::check_ranges) with the name of the figure
    /// out of range (`wall_s`, `read_bytes`, …), for messages that point
    /// at the field of a document.
    pub fn out_of_range(&self) -> Option<(&'static str, String)> {
        let times = [
            ("wall_s", Some(self.wall_s)),
            ("user_s", self.user_s),
            ("sys_s", self.sys_s),
        ];
        for (name, value) in times {
            if let Some(v) = value {
                if !(v.is_finite() && (0.0..=MAX_SECONDS).contains(&v)) {
                    return Some((
                        name,
                        format!("{name} = {v} is not a time between 0 and {MAX_SECONDS} s"),
                    ));
                }
            }
        }
        let counts = [
            ("max_rss_bytes", self.max_rss_bytes),
            ("peak_tree_rss_bytes", self.peak_tree_rss_bytes),
            ("read_bytes", self.read_bytes),
            ("write_bytes", self.write_bytes),
            ("voluntary_cs", self.voluntary_cs),
            ("involuntary_cs", self.involuntary_cs),
        ];
        for (name, value) in counts {
            if let Some(v) = value.filter(|&v| v > MAX_COUNT) {
                return Some((
                    name,
                    format!("{name} = {v} is over the largest count, {MAX_COUNT}"),
                ));
            }
        }
        None
    }

    /// The iteration finished normally: exit code 0; for a service, it
    /// ran until it was stopped and then exited with 0, with 143 (128 +
    /// SIGTERM, as shells report it) or by the SIGTERM itself.
    pub fn succeeded(&self) -> bool {
        if self.timed_out {
            return false;
        }
        match &self.service {
            None => self.exit_code == Some(0) && self.signal.is_none(),
            Some(s) => {
                !s.exited_early
                    && matches!(
                        (self.exit_code, self.signal),
                        (Some(0 | 143), None) | (None, Some(SIGTERM))
                    )
            }
        }
    }

    /// Whether this iteration counts in statistics: not a warm-up, not timed out.
    pub fn counts(&self) -> bool {
        !self.warmup && !self.timed_out
    }

    /// The value of a metric, absent when it was not measured.
    pub fn metric(&self, m: Metric) -> Option<f64> {
        match m {
            Metric::WallS => Some(self.wall_s),
            Metric::UserS => self.user_s,
            Metric::SysS => self.sys_s,
            Metric::MaxRssBytes => self.max_rss_bytes.map(|v| v as f64),
            Metric::PeakTreeRssBytes => self.peak_tree_rss_bytes.map(|v| v as f64),
            Metric::ReadBytes => self.read_bytes.map(|v| v as f64),
            Metric::WriteBytes => self.write_bytes.map(|v| v as f64),
            Metric::VoluntaryCs => self.voluntary_cs.map(|v| v as f64),
            Metric::InvoluntaryCs => self.involuntary_cs.map(|v| v as f64),
            Metric::PeakGpuMemoryBytes => self.peak_gpu_memory_bytes().map(|v| v as f64),
            Metric::StartupS => self.service.as_ref().map(|s| s.startup_s),
            Metric::ShutdownS => self
                .service
                .as_ref()
                .filter(|s| !s.exited_early)
                .map(|s| s.shutdown_s),
            Metric::LatencyP50S => self.latency(|p| p.p50),
            Metric::LatencyP90S => self.latency(|p| p.p90),
            Metric::LatencyP99S => self.latency(|p| p.p99),
            Metric::LatencyP999S => self.latency(|p| p.p999),
            Metric::ThroughputRps => self.load().map(|l| l.throughput_rps),
            Metric::ErrorRate => self.load().and_then(crate::LoadSummary::error_rate),
        }
    }

    /// The service benchmark's load run, when there was one.
    pub fn load(&self) -> Option<&crate::LoadSummary> {
        self.service.as_ref().and_then(|s| s.load.as_ref())
    }

    fn latency(&self, pick: fn(&crate::service::Percentiles) -> f64) -> Option<f64> {
        self.load().and_then(|l| l.latency_s.as_ref()).map(pick)
    }

    /// Peak GPU memory of the measured tree, as sampled: absent when no
    /// GPU reading said what the tree held.
    pub fn peak_gpu_memory_bytes(&self) -> Option<u64> {
        self.timeline
            .iter()
            .filter_map(Sample::tree_gpu_memory_bytes)
            .max()
    }
}
