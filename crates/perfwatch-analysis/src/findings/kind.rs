//! The finding rules by kind: the one list every part of perfwatch reads
//! (the rules, `disable` validation, the renderers).

use std::fmt;
use std::str::FromStr;

/// A finding rule, named by the `kind` of the findings it produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleKind {
    /// Where the time of a run goes ([`bottleneck`](super::bottleneck)).
    Bottleneck,
    /// A wait of fixed length ([`fixed_wait`](super::fixed_wait)).
    FixedWait,
    /// A coarse polling interval ([`polling`](super::polling)).
    PollingGranularity,
    /// A slow first call or run ([`cold_start`](super::cold_start)).
    ColdStart,
    /// Memory that keeps rising ([`memory_growth`](super::memory_growth)).
    MemoryGrowth,
    /// Failed calls repeated ([`retries`](super::retries)).
    Retries,
    /// Waiting, not computing ([`idle`](super::idle)).
    Idle,
    /// One stage makes runs vary ([`noisy_stage`](super::noisy_stage)).
    NoisyStage,
    /// The GPU waits for its input ([`input_bound`](super::gpu::input_bound)).
    GpuInputBound,
    /// Device memory close to the device's capacity
    /// ([`capacity`](super::gpu::capacity)).
    GpuMemoryNearCapacity,
    /// The GPU waits for host-to-device copies
    /// ([`transfer`](super::gpu::transfer)).
    GpuTransferWait,
    /// GPU memory that grows across a stage's calls
    /// ([`growth`](super::gpu::growth)).
    GpuMemoryGrowth,
    /// A service that is slow to start ([`startup`](super::service::startup)).
    SlowStartup,
    /// Throughput that stops rising across a load scan while latency
    /// climbs ([`knee`](super::service::knee)).
    SaturationKnee,
    /// A cache that mostly misses under load
    /// ([`cache`](super::service::cache)).
    LowCacheHitRate,
    /// Requests that failed or timed out under load
    /// ([`errors`](super::service::errors)).
    LoadErrors,
}

impl RuleKind {
    /// Every rule.
    pub const ALL: [RuleKind; 16] = [
        RuleKind::Bottleneck,
        RuleKind::FixedWait,
        RuleKind::PollingGranularity,
        RuleKind::ColdStart,
        RuleKind::MemoryGrowth,
        RuleKind::Retries,
        RuleKind::Idle,
        RuleKind::NoisyStage,
        RuleKind::GpuInputBound,
        RuleKind::GpuMemoryNearCapacity,
        RuleKind::GpuTransferWait,
        RuleKind::GpuMemoryGrowth,
        RuleKind::SlowStartup,
        RuleKind::SaturationKnee,
        RuleKind::LowCacheHitRate,
        RuleKind::LoadErrors,
    ];

    /// The key in findings (`Finding::kind`), options and on the command
    /// line.
    pub const fn key(self) -> &'static str {
        match self {
            RuleKind::Bottleneck => "bottleneck",
            RuleKind::FixedWait => "fixed_wait",
            RuleKind::PollingGranularity => "polling_granularity",
            RuleKind::ColdStart => "cold_start",
            RuleKind::MemoryGrowth => "memory_growth",
            RuleKind::Retries => "retries",
            RuleKind::Idle => "idle",
            RuleKind::NoisyStage => "noisy_stage",
            RuleKind::GpuInputBound => "gpu_input_bound",
            RuleKind::GpuMemoryNearCapacity => "gpu_memory_near_capacity",
            RuleKind::GpuTransferWait => "gpu_transfer_wait",
            RuleKind::GpuMemoryGrowth => "gpu_memory_growth",
            RuleKind::SlowStartup => "slow_startup",
            RuleKind::SaturationKnee => "saturation_knee",
            RuleKind::LowCacheHitRate => "low_cache_hit_rate",
            RuleKind::LoadErrors => "load_errors",
        }
    }

    /// The rule of a finding's `kind`, if it is one.
    pub fn of(kind: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.key() == kind)
    }

    /// Whether `kind` is this rule's key.
    pub fn is(self, kind: &str) -> bool {
        self.key() == kind
    }
}

/// Every rule's key, in [`RuleKind::ALL`] order.
pub const RULE_KINDS: [&str; 16] = {
    let mut keys = [""; 16];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = RuleKind::ALL[i].key();
        i += 1;
    }
    keys
};

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for RuleKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleKind::of(s).ok_or_else(|| {
            format!(
                "unknown finding rule `{s}` (known: {})",
                RULE_KINDS.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_listed_once() {
        for k in RuleKind::ALL {
            assert_eq!(k.key().parse::<RuleKind>(), Ok(k));
            assert_eq!(k.to_string(), k.key());
        }
        assert_eq!(
            RULE_KINDS,
            [
                "bottleneck",
                "fixed_wait",
                "polling_granularity",
                "cold_start",
                "memory_growth",
                "retries",
                "idle",
                "noisy_stage",
                "gpu_input_bound",
                "gpu_memory_near_capacity",
                "gpu_transfer_wait",
                "gpu_memory_growth",
                "slow_startup",
                "saturation_knee",
                "low_cache_hit_rate",
                "load_errors",
            ]
        );
        let mut sorted = RULE_KINDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), RULE_KINDS.len());
        assert!("bottlenek"
            .parse::<RuleKind>()
            .unwrap_err()
            .contains("known: bottleneck"));
    }
}
