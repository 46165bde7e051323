//! Counts outcomes into a [`LoadReport`] as they arrive.

use std::time::Duration;

use tokio::time::Instant;

use crate::job::{Done, Outcome};
use crate::report::rate;
use crate::{LoadReport, ModelKind, LATENCY_HIGH_US};

/// The report under construction; only recorded (post-warmup) requests
/// are counted.
pub(crate) struct Tally {
    report: LoadReport,
    /// When the last recorded request ended.
    last_done: Option<Instant>,
}

impl Tally {
    pub(crate) fn new(model: ModelKind) -> Tally {
        Tally {
            report: LoadReport::empty(model),
            last_done: None,
        }
    }

    pub(crate) fn sent(&mut self, late: bool) {
        self.report.sent += 1;
        self.report.late += u64::from(late);
    }

    pub(crate) fn dropped(&mut self, count: u64) {
        self.report.dropped += count;
    }

    pub(crate) fn finish(&mut self, done: &Done) {
        if !done.recorded {
            return;
        }
        self.last_done = Some(Instant::now());
        let report = &mut self.report;
        match done.outcome {
            Outcome::Response(code) => {
                report.completed += 1;
                report.status.count(code);
                let micros = u64::try_from(done.latency.as_micros()).unwrap_or(u64::MAX);
                // Clamped to the histogram's range, so recording cannot fail.
                let _ = report.latency.record(micros.clamp(1, LATENCY_HIGH_US));
            }
            Outcome::Timeout => report.timeouts += 1,
            Outcome::Connect => report.errors.connect += 1,
            Outcome::Transport => report.errors.transport += 1,
        }
    }

    /// Adds another tally of the same run (a closed-model worker's): its
    /// counts and histogram (durations are set by
    /// [`into_report`](Self::into_report)).
    pub(crate) fn absorb(&mut self, other: Tally) {
        // Same model and bounds, so the merge cannot fail.
        let _ = self.report.merge(&other.report);
        self.last_done = self.last_done.max(other.last_done);
    }

    /// The report of a measured part that began at `measured_from` and
    /// was `measured` long. Its duration runs until the last recorded
    /// request ended when that is later: requests still in flight at the
    /// end are waited for and counted, so the time they took counts too —
    /// a service that falls behind answers its backlog after the end, and
    /// its throughput is what it served per second, not what was sent.
    pub(crate) fn into_report(mut self, measured_from: Instant, measured: Duration) -> LoadReport {
        let drained = self.last_done.map_or(Duration::ZERO, |t| {
            t.saturating_duration_since(measured_from)
        });
        self.report.duration_s = measured.max(drained).as_secs_f64();
        self.report.throughput_rps = rate(self.report.completed, self.report.duration_s);
        self.report
    }
}
