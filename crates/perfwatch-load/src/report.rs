//! What a load run measured: [`LoadReport`] and its parts.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::{LoadError, ModelKind};

/// Lowest latency the histogram tells apart, in microseconds.
pub const LATENCY_LOW_US: u64 = 1;
/// Highest latency the histogram holds, in microseconds (60 s); longer
/// ones are recorded as 60 s.
pub const LATENCY_HIGH_US: u64 = 60_000_000;
/// Significant decimal digits kept for every latency (0.1 % resolution).
pub const LATENCY_SIGFIG: u8 = 3;

/// The figures of one load run's measured part (warmup excluded).
///
/// Every request whose send was due in the measured part ends in exactly
/// one of: completed (with a [status class](StatusCounts)), a timeout, an
/// error, or dropped (never sent):
/// `sent == completed + timeouts + errors.total()`.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// The load model that produced these figures.
    pub model: ModelKind,
    /// True for the closed model: its latencies count from the actual
    /// send, so a stall is seen once per worker and percentiles understate
    /// what users of the service would have waited.
    pub coordinated_omission_caveat: bool,
    /// Length of the measured part in seconds (summed over merged runs).
    pub duration_s: f64,
    /// Requests sent.
    pub sent: u64,
    /// Requests answered with a full response, whatever the status.
    pub completed: u64,
    /// `completed / duration_s`.
    pub throughput_rps: f64,
    /// Latency of every completed request, in microseconds
    /// ([`LATENCY_LOW_US`] ..= [`LATENCY_HIGH_US`], [`LATENCY_SIGFIG`]
    /// digits). Open model: from the intended send time; closed model:
    /// from the actual send.
    pub latency: Histogram<u64>,
    /// Completed requests by status class.
    pub status: StatusCounts,
    /// Requests not answered within the spec's timeout.
    pub timeouts: u64,
    /// Requests that failed before a full response.
    pub errors: ErrorCounts,
    /// Open model: requests sent more than [`LATE_AFTER`](crate::LATE_AFTER)
    /// after their intended time because every connection was busy (or
    /// the generator itself fell behind).
    pub late: u64,
    /// Open model: requests due in the measured part but never sent,
    /// because no connection came free before it ended.
    pub dropped: u64,
}

/// Completed requests by the first digit of their status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    /// 1xx.
    #[serde(rename = "1xx")]
    pub informational: u64,
    /// 2xx.
    #[serde(rename = "2xx")]
    pub success: u64,
    /// 3xx.
    #[serde(rename = "3xx")]
    pub redirection: u64,
    /// 4xx.
    #[serde(rename = "4xx")]
    pub client_error: u64,
    /// 5xx.
    #[serde(rename = "5xx")]
    pub server_error: u64,
    /// Anything else (600 to 999).
    pub other: u64,
}

impl StatusCounts {
    /// Counts one response with status code `code`.
    pub fn count(&mut self, code: u16) {
        let slot = match code / 100 {
            1 => &mut self.informational,
            2 => &mut self.success,
            3 => &mut self.redirection,
            4 => &mut self.client_error,
            5 => &mut self.server_error,
            _ => &mut self.other,
        };
        *slot += 1;
    }

    /// All counted responses.
    pub fn total(&self) -> u64 {
        self.informational
            + self.success
            + self.redirection
            + self.client_error
            + self.server_error
            + self.other
    }

    fn add(&mut self, other: &StatusCounts) {
        self.informational += other.informational;
        self.success += other.success;
        self.redirection += other.redirection;
        self.client_error += other.client_error;
        self.server_error += other.server_error;
        self.other += other.other;
    }
}

/// Requests that failed before a full response arrived (timeouts apart).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCounts {
    /// The connection could not be opened (refused, unreachable …).
    pub connect: u64,
    /// The connection failed during the exchange (reset, closed early,
    /// malformed response …).
    pub transport: u64,
}

impl ErrorCounts {
    /// All errors.
    pub fn total(&self) -> u64 {
        self.connect + self.transport
    }
}

/// Latency percentiles in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest latency seen.
    pub max: f64,
}

impl LoadReport {
    /// A report with nothing counted yet, e.g. to [`merge`](Self::merge)
    /// iterations into.
    pub fn empty(model: ModelKind) -> LoadReport {
        LoadReport {
            model,
            coordinated_omission_caveat: model.coordinated_omission_caveat(),
            duration_s: 0.0,
            sent: 0,
            completed: 0,
            throughput_rps: 0.0,
            latency: new_latency_histogram(),
            status: StatusCounts::default(),
            timeouts: 0,
            errors: ErrorCounts::default(),
            late: 0,
            dropped: 0,
        }
    }

    /// p50, p90, p99, p99.9 and max of [`latency`](Self::latency) in
    /// seconds; `None` when nothing completed.
    pub fn percentiles(&self) -> Option<Percentiles> {
        if self.latency.is_empty() {
            return None;
        }
        let at = |q: f64| seconds(self.latency.value_at_quantile(q));
        Some(Percentiles {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: seconds(self.latency.max()),
        })
    }

    /// Adds `other` to this report as one more stretch of the same
    /// measurement (e.g. the next iteration): histograms are added, counts
    /// and durations summed, throughput recomputed — percentiles are never
    /// averaged. Refuses to mix the open and the closed model.
    pub fn merge(&mut self, other: &LoadReport) -> Result<(), LoadError> {
        if self.model != other.model {
            return Err(LoadError::MergeModels {
                ours: self.model.as_str(),
                theirs: other.model.as_str(),
            });
        }
        self.latency
            .add(&other.latency)
            .map_err(|e| LoadError::Histogram {
                action: "add",
                reason: format!("{e:?}"),
            })?;
        self.coordinated_omission_caveat |= other.coordinated_omission_caveat;
        self.duration_s += other.duration_s;
        self.sent += other.sent;
        self.completed += other.completed;
        self.status.add(&other.status);
        self.timeouts += other.timeouts;
        self.errors.connect += other.errors.connect;
        self.errors.transport += other.errors.transport;
        self.late += other.late;
        self.dropped += other.dropped;
        self.throughput_rps = rate(self.completed, self.duration_s);
        Ok(())
    }
}

/// An empty histogram with this crate's bounds and precision.
pub fn new_latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(LATENCY_LOW_US, LATENCY_HIGH_US, LATENCY_SIGFIG)
        .expect("constant bounds are valid")
}

/// `count / seconds`, 0 for an empty duration.
pub(crate) fn rate(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

fn seconds(micros: u64) -> f64 {
    micros as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_land_in_their_class() {
        let mut counts = StatusCounts::default();
        for code in [100, 200, 204, 301, 404, 500, 503, 700] {
            counts.count(code);
        }
        assert_eq!(
            (counts.informational, counts.success, counts.redirection),
            (1, 2, 1)
        );
        assert_eq!(
            (counts.client_error, counts.server_error, counts.other),
            (1, 2, 1)
        );
        assert_eq!(counts.total(), 8);
    }

    #[test]
    fn merging_models_that_differ_is_refused() {
        let mut open = LoadReport::empty(ModelKind::Open);
        let closed = LoadReport::empty(ModelKind::Closed);
        assert!(open.merge(&closed).is_err());
        assert!(closed.coordinated_omission_caveat && !open.coordinated_omission_caveat);
    }

    #[test]
    fn percentiles_are_seconds_and_none_when_empty() {
        let mut report = LoadReport::empty(ModelKind::Open);
        assert!(report.percentiles().is_none());
        for us in 1..=1000 {
            report.latency.record(us * 1000).unwrap();
        }
        let p = report.percentiles().unwrap();
        assert!((p.p50 - 0.5).abs() < 0.002, "{p:?}");
        assert!((p.max - 1.0).abs() < 0.002, "{p:?}");
    }
}
