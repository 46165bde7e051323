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
}

/// Which direction of change is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smaller values are better (times, memory, bytes).
    LowerIsBetter,
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
}

impl Metric {
    /// Every metric, in display order.
    pub const ALL: [Metric; 10] = [
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
        }
    }

    /// The unit of the metric.
    pub fn unit(self) -> Unit {
        match self {
            Metric::WallS | Metric::UserS | Metric::SysS => Unit::Seconds,
            Metric::MaxRssBytes
            | Metric::PeakTreeRssBytes
            | Metric::ReadBytes
            | Metric::WriteBytes
            | Metric::PeakGpuMemoryBytes => Unit::Bytes,
            Metric::VoluntaryCs | Metric::InvoluntaryCs => Unit::Count,
        }
    }

    /// Which direction is better. Every whole-process metric is a cost.
    pub fn direction(self) -> Direction {
        Direction::LowerIsBetter
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
