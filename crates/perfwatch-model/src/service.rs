//! What a service benchmark measures: per iteration a [`ServiceRun`]
//! (start-up, the load's [`LoadSummary`], shutdown), per variant a
//! [`ServiceSummary`] whose latency percentiles come from the iterations'
//! histograms added together, never from averaged percentiles.

use serde::{Deserialize, Deserializer, Serialize};

/// A figure written as `null` (JSON has no NaN, and `serde_json` writes
/// non-finite numbers so) reads back as NaN, not as an error that would
/// lose the whole iteration.
fn nan_if_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// How a load run paced its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Requests on a timetable; latency from each request's intended send
    /// time (the coordinated-omission correction).
    Open,
    /// Workers in a loop; latency from each request's actual send, subject
    /// to coordinated omission.
    Closed,
}

impl ModelKind {
    /// `"open"` or `"closed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Open => "open",
            ModelKind::Closed => "closed",
        }
    }

    /// Whether latencies of this model hide stalls (coordinated omission).
    pub fn coordinated_omission_caveat(self) -> bool {
        self == ModelKind::Closed
    }
}

/// Completed requests by the first digit of their status (a class left
/// out of a document counts 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
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

    /// Responses that served the request: 2xx and 3xx.
    pub fn ok(&self) -> u64 {
        self.success + self.redirection
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &StatusCounts) {
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
#[serde(default)]
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

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &ErrorCounts) {
        self.connect += other.connect;
        self.transport += other.transport;
    }
}

/// The share of `due` requests not among the `ok` ones; `None` when none
/// was due.
fn unserved_share(due: u64, ok: u64) -> Option<f64> {
    (due > 0).then(|| due.saturating_sub(ok) as f64 / due as f64)
}

/// Latency percentiles in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median.
    #[serde(deserialize_with = "nan_if_null")]
    pub p50: f64,
    /// 90th percentile.
    #[serde(deserialize_with = "nan_if_null")]
    pub p90: f64,
    /// 99th percentile.
    #[serde(deserialize_with = "nan_if_null")]
    pub p99: f64,
    /// 99.9th percentile.
    #[serde(deserialize_with = "nan_if_null")]
    pub p999: f64,
    /// Largest latency seen.
    #[serde(deserialize_with = "nan_if_null")]
    pub max: f64,
}

/// One load run as plain data: its counts, its percentiles and the whole
/// latency histogram, so runs can be stored and merged later without
/// losing the distribution.
///
/// Every request due in the measured part ends in exactly one of:
/// completed (any status), a timeout, an error, or dropped (never sent):
/// `sent == completed + timeouts + errors.total()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadSummary {
    /// The load model that produced these figures.
    pub model: ModelKind,
    /// True for the closed model: its latencies count from the actual
    /// send, so a stall is seen once per worker and percentiles understate
    /// what users of the service would have waited.
    pub coordinated_omission_caveat: bool,
    /// Length of the measured part in seconds: until the last recorded
    /// request ended, when that was after the configured duration.
    #[serde(deserialize_with = "nan_if_null")]
    pub duration_s: f64,
    /// Requests sent.
    pub sent: u64,
    /// Requests answered with a full response, whatever the status.
    pub completed: u64,
    /// `completed / duration_s`.
    #[serde(deserialize_with = "nan_if_null")]
    pub throughput_rps: f64,
    /// Completed requests by status class.
    pub status: StatusCounts,
    /// Requests not answered within the request timeout.
    pub timeouts: u64,
    /// Requests that failed before a full response.
    pub errors: ErrorCounts,
    /// Open model: requests sent late because every connection was busy.
    pub late: u64,
    /// Open model: requests due but never sent before the run ended.
    pub dropped: u64,
    /// Latency percentiles in seconds; absent when nothing completed.
    pub latency_s: Option<Percentiles>,
    /// The latency histogram (microseconds) in HdrHistogram's compressed
    /// V2 encoding, base64: readable by every HdrHistogram implementation.
    pub latency_histogram: String,
}

impl LoadSummary {
    /// Requests that were due: sent, or dropped because the service could
    /// not keep up.
    pub fn due(&self) -> u64 {
        self.sent + self.dropped
    }

    /// The share of due requests not served with a 2xx or 3xx answer
    /// (other statuses, timeouts, errors, drops); `None` when none was due.
    pub fn error_rate(&self) -> Option<f64> {
        unserved_share(self.due(), self.status.ok())
    }
}

/// What one iteration of a service benchmark measured, beside the
/// process figures every iteration has (whose `wall_s` runs from the spawn
/// to the service's exit after the load).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRun {
    /// The loopback port the service was given.
    pub port: u16,
    /// Seconds from the spawn to the first ready answer.
    #[serde(deserialize_with = "nan_if_null")]
    pub startup_s: f64,
    /// Seconds from SIGTERM to the exit (the stop timeout when killed).
    #[serde(deserialize_with = "nan_if_null")]
    pub shutdown_s: f64,
    /// The service did not exit within the stop timeout and was killed.
    #[serde(default)]
    pub stop_killed: bool,
    /// The service exited by itself before it was stopped (a crash during
    /// the load); `shutdown_s` is then 0 and means nothing.
    #[serde(default)]
    pub exited_early: bool,
    /// The load run; absent for a benchmark without load (start-up only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadSummary>,
    /// Application metrics were scraped from this URL before and after
    /// the load (their figures are the iteration's counters and gauges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scraped: Option<String>,
}

/// A variant's service figures over its counted iterations: counts summed,
/// latency histograms added (percentiles of all requests together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSummary {
    /// Iterations summed.
    pub iterations: usize,
    /// The load model; absent without load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelKind>,
    /// Some iteration's latencies are subject to coordinated omission.
    #[serde(default)]
    pub coordinated_omission_caveat: bool,
    /// Measured load seconds, summed.
    #[serde(deserialize_with = "nan_if_null")]
    pub duration_s: f64,
    /// Requests sent, summed.
    pub sent: u64,
    /// Requests completed, summed.
    pub completed: u64,
    /// `completed / duration_s` over all iterations.
    #[serde(deserialize_with = "nan_if_null")]
    pub throughput_rps: f64,
    /// Completed requests by status class, summed.
    pub status: StatusCounts,
    /// Timeouts, summed.
    pub timeouts: u64,
    /// Errors, summed.
    pub errors: ErrorCounts,
    /// Late requests, summed.
    pub late: u64,
    /// Dropped requests, summed.
    pub dropped: u64,
    /// Share of due requests not served (see [`LoadSummary::error_rate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    /// Percentiles of the merged histogram, seconds; absent when nothing
    /// completed or a histogram could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_s: Option<Percentiles>,
    /// The merged histogram (encoded as [`LoadSummary::latency_histogram`]).
    #[serde(default)]
    pub latency_histogram: String,
    /// Iterations whose service was killed after the stop timeout.
    #[serde(default)]
    pub stop_killed: usize,
}

impl ServiceSummary {
    /// Requests that were due: sent, or dropped.
    pub fn due(&self) -> u64 {
        self.sent + self.dropped
    }

    /// Due requests not served with a 2xx or 3xx answer.
    pub fn unserved(&self) -> u64 {
        self.due().saturating_sub(self.status.ok())
    }

    /// [`unserved`](Self::unserved) over [`due`](Self::due), as
    /// [`LoadSummary::error_rate`] reads one run.
    pub fn unserved_share(&self) -> Option<f64> {
        unserved_share(self.due(), self.status.ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_rate_counts_everything_not_served() {
        let mut s = LoadSummary {
            model: ModelKind::Open,
            coordinated_omission_caveat: false,
            duration_s: 1.0,
            sent: 90,
            completed: 85,
            throughput_rps: 85.0,
            status: StatusCounts::default(),
            timeouts: 3,
            errors: ErrorCounts {
                connect: 0,
                transport: 2,
            },
            late: 0,
            dropped: 10,
            latency_s: None,
            latency_histogram: String::new(),
        };
        s.status.success = 80;
        s.status.server_error = 5;
        assert_eq!(s.due(), 100);
        assert_eq!(s.error_rate(), Some(0.2));
        s.sent = 0;
        s.dropped = 0;
        assert_eq!(s.error_rate(), None);
    }
}
