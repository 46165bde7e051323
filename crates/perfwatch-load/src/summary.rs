//! The serializable digest of a [`LoadReport`]: perfwatch's model
//! [`LoadSummary`], which keeps the whole histogram.

use hdrhistogram::Histogram;
use perfwatch_stats::latency;

use crate::{LoadError, LoadReport, LoadSummary};

impl LoadReport {
    /// The report as a [`LoadSummary`].
    pub fn summary(&self) -> Result<LoadSummary, LoadError> {
        Ok(LoadSummary {
            model: self.model,
            coordinated_omission_caveat: self.coordinated_omission_caveat,
            duration_s: self.duration_s,
            sent: self.sent,
            completed: self.completed,
            throughput_rps: self.throughput_rps,
            status: self.status,
            timeouts: self.timeouts,
            errors: self.errors,
            late: self.late,
            dropped: self.dropped,
            latency_s: self.percentiles(),
            latency_histogram: latency::encode(&self.latency).map_err(histogram_error)?,
        })
    }
}

/// Decodes a summary's [`latency_histogram`](LoadSummary::latency_histogram).
pub fn histogram(summary: &LoadSummary) -> Result<Histogram<u64>, LoadError> {
    latency::decode(&summary.latency_histogram).map_err(histogram_error)
}

fn histogram_error(e: latency::HistogramError) -> LoadError {
    LoadError::Histogram {
        action: e.action,
        reason: e.reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ModelKind;

    #[test]
    fn the_histogram_survives_a_json_round_trip() {
        let mut report = LoadReport::empty(ModelKind::Open);
        for us in [150, 900, 12_000, 1_500_000] {
            report.latency.record(us).unwrap();
        }
        report.completed = 4;
        let json = serde_json::to_string(&report.summary().unwrap()).unwrap();
        let back: LoadSummary = serde_json::from_str(&json).unwrap();
        assert!(json.contains("\"2xx\""), "{json}");
        assert_eq!(histogram(&back).unwrap(), report.latency);
        assert_eq!(back.latency_s, report.percentiles());
    }
}
