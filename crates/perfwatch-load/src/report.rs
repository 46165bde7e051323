//! What a load run measured: [`LoadReport`] and its parts.

use hdrhistogram::Histogram;

use crate::{ErrorCounts, LoadError, ModelKind, Percentiles, StatusCounts};

pub use perfwatch_stats::latency::{
    HIGH_US as LATENCY_HIGH_US, LOW_US as LATENCY_LOW_US, SIGFIG as LATENCY_SIGFIG,
};

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
    /// Length of the measured part in seconds — until the last recorded
    /// request ended, when that was after the configured duration —
    /// summed over merged runs.
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
        perfwatch_stats::latency::percentiles(&self.latency)
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
        self.errors.add(&other.errors);
        self.late += other.late;
        self.dropped += other.dropped;
        self.throughput_rps = rate(self.completed, self.duration_s);
        Ok(())
    }
}

/// An empty histogram with this crate's bounds and precision.
pub fn new_latency_histogram() -> Histogram<u64> {
    perfwatch_stats::latency::new_histogram()
}

/// `count / seconds`, 0 for an empty duration.
pub(crate) fn rate(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
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
