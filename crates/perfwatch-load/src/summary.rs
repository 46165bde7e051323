//! The serializable digest of a [`LoadReport`].

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::{ErrorCounts, LoadError, LoadReport, ModelKind, Percentiles, StatusCounts};

/// A [`LoadReport`] as plain data: its counts, its percentiles and the
/// whole latency histogram, so summaries can be stored and merged later
/// without losing the distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadSummary {
    /// See [`LoadReport::model`].
    pub model: ModelKind,
    /// See [`LoadReport::coordinated_omission_caveat`].
    pub coordinated_omission_caveat: bool,
    /// See [`LoadReport::duration_s`].
    pub duration_s: f64,
    /// See [`LoadReport::sent`].
    pub sent: u64,
    /// See [`LoadReport::completed`].
    pub completed: u64,
    /// See [`LoadReport::throughput_rps`].
    pub throughput_rps: f64,
    /// See [`LoadReport::status`].
    pub status: StatusCounts,
    /// See [`LoadReport::timeouts`].
    pub timeouts: u64,
    /// See [`LoadReport::errors`].
    pub errors: ErrorCounts,
    /// See [`LoadReport::late`].
    pub late: u64,
    /// See [`LoadReport::dropped`].
    pub dropped: u64,
    /// Latency percentiles in seconds; absent when nothing completed.
    pub latency_s: Option<Percentiles>,
    /// The latency histogram (microseconds) in HdrHistogram's compressed
    /// V2 encoding, base64: readable by every HdrHistogram implementation.
    pub latency_histogram: String,
}

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
            latency_histogram: encode(&self.latency)?,
        })
    }
}

impl LoadSummary {
    /// Decodes [`latency_histogram`](Self::latency_histogram).
    pub fn histogram(&self) -> Result<Histogram<u64>, LoadError> {
        let fail = |reason: String| LoadError::Histogram {
            action: "decode",
            reason,
        };
        let bytes = STANDARD
            .decode(&self.latency_histogram)
            .map_err(|e| fail(e.to_string()))?;
        Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| fail(format!("{e:?}")))
    }
}

fn encode(histogram: &Histogram<u64>) -> Result<String, LoadError> {
    let mut bytes = Vec::new();
    V2DeflateSerializer::new()
        .serialize(histogram, &mut bytes)
        .map_err(|e| LoadError::Histogram {
            action: "encode",
            reason: format!("{e:?}"),
        })?;
    Ok(STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let histogram = back.histogram().unwrap();
        assert_eq!(histogram, report.latency);
        assert_eq!(back.latency_s, report.percentiles());
    }
}
