//! The service rules, read off what a service benchmark measured per
//! iteration (`Iteration::service`: start-up, the load's counts and
//! percentiles), the application metrics it scraped (`gauges`,
//! `counters`) and, across a parameter scan, the variants' parameters.
//! Each stays silent on iterations without a service.
//!
//! | kind | fires when | `impact_s` |
//! |---|---|---|
//! | [`startup`] (`slow_startup`) | the median start-up is ≥ `startup_slow_s` (1 s); the evidence says whether it computes (mean CPU ≥ `startup_busy_pct`, 50 % of a core) or waits, and names the spans that end before the service is ready | the difference to the fastest-starting other variant of the session; 0 without one (said in the text) |
//! | [`knee`] (`saturation_knee`) | over ≥ 3 variants of a `concurrency` or `rate` scan, throughput rises < `knee_flat_gain` (10 %) from a value to the largest, while p99 latency there is ≥ `knee_p99_factor` (3×) the knee's | 0 (a capacity statement, not a saving per run) |
//! | [`cache`] (`low_cache_hit_rate`) | a gauge named `…hit_rate`/`…hit_ratio`, or counters `…hits…` with `…lookups…` or `…misses…`, give a median hit rate < `cache_hit_rate_low` (0.5) | 0 (the latency a better rate would save is not measured; said in the text) |
//! | [`errors`] (`load_errors`) | ≥ `error_rate_high` (1 %) of the due requests were not served, or any request timed out | 0 (failures, not time) |
//!
//! Figures per variant are medians over its counted runs;
//! the load's counts are summed over them.

pub mod cache;
pub mod errors;
pub mod knee;
pub mod startup;

#[cfg(test)]
mod tests;

use super::context::VariantData;
use super::options::{check_range, FindingOptionsError};
use perfwatch_model::Metric;
use perfwatch_stats::median;
use serde::{Deserialize, Serialize};

/// Thresholds of the service rules (`[findings.service]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceOptions {
    /// `slow_startup`: least median start-up, seconds (default 1.0).
    pub startup_slow_s: f64,
    /// `slow_startup`: a start-up is CPU-bound at or above this mean CPU
    /// use, % of one core (default 50); below it, it mostly waits.
    pub startup_busy_pct: f64,
    /// `saturation_knee`: throughput counts as flat beyond the knee when
    /// it rises less than this share up to the largest value (default
    /// 0.10).
    pub knee_flat_gain: f64,
    /// `saturation_knee`: … while the p99 latency at the largest value is
    /// at least this multiple of the knee's (default 3).
    pub knee_p99_factor: f64,
    /// `low_cache_hit_rate`: a median hit rate below this is low
    /// (default 0.5).
    pub cache_hit_rate_low: f64,
    /// `load_errors`: least share of due requests not served (default
    /// 0.01); any timeout fires too.
    pub error_rate_high: f64,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            startup_slow_s: 1.0,
            startup_busy_pct: 50.0,
            knee_flat_gain: 0.10,
            knee_p99_factor: 3.0,
            cache_hit_rate_low: 0.5,
            error_rate_high: 0.01,
        }
    }
}

impl ServiceOptions {
    pub(crate) fn validate(&self) -> Result<(), FindingOptionsError> {
        let at_least_0 = "[0, ∞)";
        check_range(
            "service.startup_slow_s",
            self.startup_slow_s,
            0.0,
            f64::MAX,
            at_least_0,
        )?;
        check_range(
            "service.startup_busy_pct",
            self.startup_busy_pct,
            0.0,
            f64::MAX,
            at_least_0,
        )?;
        check_range(
            "service.knee_flat_gain",
            self.knee_flat_gain,
            0.0,
            f64::MAX,
            at_least_0,
        )?;
        check_range(
            "service.knee_p99_factor",
            self.knee_p99_factor,
            1.0,
            f64::MAX,
            "[1, ∞)",
        )?;
        check_range(
            "service.cache_hit_rate_low",
            self.cache_hit_rate_low,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "service.error_rate_high",
            self.error_rate_high,
            0.0,
            1.0,
            "[0, 1]",
        )
    }
}

/// Median of a metric over the variant's counted runs that measured it
/// (finite values only).
pub(crate) fn median_metric(v: &VariantData, m: Metric) -> Option<f64> {
    let xs: Vec<f64> = v
        .runs
        .iter()
        .filter_map(|r| r.it.metric(m))
        .filter(|x| x.is_finite())
        .collect();
    median(&xs)
}

#[cfg(test)]
mod options_tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_nonsense_is_refused() {
        assert_eq!(ServiceOptions::default().validate(), Ok(()));
        let bad = [
            ServiceOptions {
                knee_p99_factor: 0.5,
                ..Default::default()
            },
            ServiceOptions {
                cache_hit_rate_low: 1.5,
                ..Default::default()
            },
            ServiceOptions {
                error_rate_high: f64::NAN,
                ..Default::default()
            },
            ServiceOptions {
                startup_slow_s: -1.0,
                ..Default::default()
            },
        ];
        for o in bad {
            assert!(o.validate().is_err(), "{o:?}");
        }
    }
}
