//! The whole-process figures measured for every iteration.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A whole-process figure of an iteration. Stage metrics are addressed
/// separately, by stage path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Wall-clock seconds from spawn to reap.
    WallS,
    /// User CPU seconds of the child and its reaped descendants (`wait4`).
    UserS,
    /// System CPU seconds of the child and its reaped descendants (`wait4`).
    SysS,
    /// Peak resident set size in bytes (`wait4` `ru_maxrss`).
    MaxRssBytes,
    /// Peak resident set size of the whole process tree, from the sampler.
    PeakTreeRssBytes,
    /// Bytes read from storage by the whole process tree.
    ReadBytes,
    /// Bytes written to storage by the whole process tree.
    WriteBytes,
    /// Voluntary context switches.
    VoluntaryCs,
    /// Involuntary context switches.
    InvoluntaryCs,
    /// Peak GPU memory held by the process tree's processes, summed over
    /// devices, from the sampler (NVML); absent without a GPU.
    PeakGpuMemoryBytes,
    /// Service benchmarks: seconds from the spawn to the first ready answer.
    StartupS,
    /// Service benchmarks: seconds from SIGTERM to the exit.
    ShutdownS,
    /// Service benchmarks: median request latency under the load, seconds.
    LatencyP50S,
    /// Service benchmarks: 90th percentile of request latency, seconds.
    LatencyP90S,
    /// Service benchmarks: 99th percentile of request latency, seconds.
    LatencyP99S,
    /// Service benchmarks: 99.9th percentile of request latency, seconds.
    LatencyP999S,
    /// Service benchmarks: completed requests per second of load.
    ThroughputRps,
    /// Service benchmarks: share of due requests not served with a 2xx or
    /// 3xx answer (other statuses, timeouts, errors, drops).
    ErrorRate,
}

/// Which direction of change is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smaller values are better (times, memory, bytes, error rates).
    LowerIsBetter,
    /// Larger values are better (throughput): a fall is the regression.
    HigherIsBetter,
}

/// What a metric counts, for formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Seconds.
    Seconds,
    /// Bytes.
    Bytes,
    /// A plain count.
    Count,
    /// Events per second (requests).
    PerSecond,
    /// A share between 0 and 1, shown as a percentage.
    Fraction,
}

impl Metric {
    /// Every metric, in display order.
    pub const ALL: [Metric; 18] = [
        Metric::WallS,
        Metric::UserS,
        Metric::SysS,
        Metric::MaxRssBytes,
        Metric::PeakTreeRssBytes,
        Metric::ReadBytes,
        Metric::WriteBytes,
        Metric::VoluntaryCs,
        Metric::InvoluntaryCs,
        Metric::PeakGpuMemoryBytes,
        Metric::StartupS,
        Metric::ShutdownS,
        Metric::LatencyP50S,
        Metric::LatencyP90S,
        Metric::LatencyP99S,
        Metric::LatencyP999S,
        Metric::ThroughputRps,
        Metric::ErrorRate,
    ];

    /// The figures of service benchmarks, absent from commands' iterations.
    pub const SERVICE: [Metric; 8] = [
        Metric::StartupS,
        Metric::ShutdownS,
        Metric::LatencyP50S,
        Metric::LatencyP90S,
        Metric::LatencyP99S,
        Metric::LatencyP999S,
        Metric::ThroughputRps,
        Metric::ErrorRate,
    ];

    /// The primary figures of a service (see
    /// `perfwatch_analysis::PrimaryMetrics`): start-up, p50 and p99
    /// latency, throughput and error rate.
    pub const SERVICE_PRIMARY: [Metric; 5] = [
        Metric::StartupS,
        Metric::LatencyP50S,
        Metric::LatencyP99S,
        Metric::ThroughputRps,
        Metric::ErrorRate,
    ];

    /// The key used in JSON, CSV, the store and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Metric::WallS => "wall_s",
            Metric::UserS => "user_s",
            Metric::SysS => "sys_s",
            Metric::MaxRssBytes => "max_rss_bytes",
            Metric::PeakTreeRssBytes => "peak_tree_rss_bytes",
            Metric::ReadBytes => "read_bytes",
            Metric::WriteBytes => "write_bytes",
            Metric::VoluntaryCs => "voluntary_cs",
            Metric::InvoluntaryCs => "involuntary_cs",
            Metric::PeakGpuMemoryBytes => "peak_gpu_memory_bytes",
            Metric::StartupS => "startup_s",
            Metric::ShutdownS => "shutdown_s",
            Metric::LatencyP50S => "latency_p50_s",
            Metric::LatencyP90S => "latency_p90_s",
            Metric::LatencyP99S => "latency_p99_s",
            Metric::LatencyP999S => "latency_p999_s",
            Metric::ThroughputRps => "throughput_rps",
            Metric::ErrorRate => "error_rate",
        }
    }

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Metric::WallS => "wall time",
            Metric::UserS => "user CPU",
            Metric::SysS => "system CPU",
            Metric::MaxRssBytes => "peak RSS",
            Metric::PeakTreeRssBytes => "peak tree RSS",
            Metric::ReadBytes => "bytes read",
            Metric::WriteBytes => "bytes written",
            Metric::VoluntaryCs => "voluntary ctx switches",
            Metric::InvoluntaryCs => "involuntary ctx switches",
            Metric::PeakGpuMemoryBytes => "peak GPU memory",
            Metric::StartupS => "start-up",
            Metric::ShutdownS => "shutdown",
            Metric::LatencyP50S => "latency p50",
            Metric::LatencyP90S => "latency p90",
            Metric::LatencyP99S => "latency p99",
            Metric::LatencyP999S => "latency p99.9",
            Metric::ThroughputRps => "throughput",
            Metric::ErrorRate => "error rate",
        }
    }

    /// The unit of the metric.
    pub fn unit(self) -> Unit {
        match self {
            Metric::WallS
            | Metric::UserS
            | Metric::SysS
            | Metric::StartupS
            | Metric::ShutdownS
            | Metric::LatencyP50S
            | Metric::LatencyP90S
            | Metric::LatencyP99S
            | Metric::LatencyP999S => Unit::Seconds,
            Metric::ThroughputRps => Unit::PerSecond,
            Metric::ErrorRate => Unit::Fraction,
            Metric::MaxRssBytes
            | Metric::PeakTreeRssBytes
            | Metric::ReadBytes
            | Metric::WriteBytes
            | Metric::PeakGpuMemoryBytes => Unit::Bytes,
            Metric::VoluntaryCs | Metric::InvoluntaryCs => Unit::Count,
        }
    }

    /// Which direction is better: throughput's is up, every other
    /// metric is a cost.
    pub fn direction(self) -> Direction {
        match self {
            Metric::ThroughputRps => Direction::HigherIsBetter,
            _ => Direction::LowerIsBetter,
        }
    }

    /// Whether only service benchmarks have this metric.
    pub fn is_service(self) -> bool {
        Metric::SERVICE.contains(&self)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Error for an unknown metric name; lists the known ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMetric(pub String);

impl fmt::Display for UnknownMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = Metric::ALL.iter().map(|m| m.key()).collect();
        write!(
            f,
            "unknown metric `{}` (known: {})",
            self.0,
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownMetric {}

impl FromStr for Metric {
    type Err = UnknownMetric;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Metric::ALL
            .into_iter()
            .find(|m| m.key() == s)
            .ok_or_else(|| UnknownMetric(s.to_string()))
    }
}
