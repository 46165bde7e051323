//! Counts outcomes into a [`LoadReport`] as they arrive.

use std::time::Duration;

use crate::job::{Done, Outcome};
use crate::report::rate;
use crate::{LoadReport, ModelKind, LATENCY_HIGH_US};

/// The report under construction; only recorded (post-warmup) requests
/// are counted.
pub(crate) struct Tally {
    report: LoadReport,
}

impl Tally {
    pub(crate) fn new(model: ModelKind) -> Tally {
        Tally {
            report: LoadReport::empty(model),
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

    pub(crate) fn into_report(mut self, measured: Duration) -> LoadReport {
        self.report.duration_s = measured.as_secs_f64();
        self.report.throughput_rps = rate(self.report.completed, self.report.duration_s);
        self.report
    }
}
