//! Latency histograms: HdrHistogram in microseconds, stored as base64 of
//! the compressed V2 encoding (readable by every HdrHistogram
//! implementation), added together rather than averaged.
//!
//! ```
//! use perfwatch_stats::latency;
//!
//! let mut a = latency::new_histogram();
//! let mut b = latency::new_histogram();
//! for us in 1..=99 {
//!     a.record(us * 1000).unwrap(); // 1..99 ms
//! }
//! b.record(2_000_000).unwrap(); // one 2 s request
//! let merged = latency::merge(&[latency::encode(&a).unwrap(), latency::encode(&b).unwrap()])
//!     .unwrap();
//! let p = latency::percentiles(&merged).unwrap();
//! assert!((p.p50 - 0.050).abs() < 0.001);
//! assert!((p.max - 2.0).abs() < 0.01, "the slow request is in the merged tail");
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use perfwatch_model::service::Percentiles;

/// Lowest latency the histogram tells apart, in microseconds.
pub const LOW_US: u64 = 1;
/// Highest latency the histogram holds, in microseconds (60 s); longer
/// ones are recorded as 60 s.
pub const HIGH_US: u64 = 60_000_000;
/// Significant decimal digits kept for every latency (0.1 % resolution).
pub const SIGFIG: u8 = 3;

/// Why a histogram could not be encoded, decoded or added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a latency histogram: {reason}")]
pub struct HistogramError {
    /// `encode`, `decode` or `add`.
    pub action: &'static str,
    /// What went wrong.
    pub reason: String,
}

/// An empty histogram with perfwatch's bounds and precision.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(LOW_US, HIGH_US, SIGFIG).expect("constant bounds are valid")
}

/// `histogram` as base64 of its compressed V2 encoding.
pub fn encode(histogram: &Histogram<u64>) -> Result<String, HistogramError> {
    let mut bytes = Vec::new();
    V2DeflateSerializer::new()
        .serialize(histogram, &mut bytes)
        .map_err(|e| HistogramError {
            action: "encode",
            reason: format!("{e:?}"),
        })?;
    Ok(STANDARD.encode(bytes))
}

/// The histogram of an [`encode`]d text.
pub fn decode(text: &str) -> Result<Histogram<u64>, HistogramError> {
    let fail = |reason: String| HistogramError {
        action: "decode",
        reason,
    };
    let bytes = STANDARD.decode(text).map_err(|e| fail(e.to_string()))?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| fail(format!("{e:?}")))
}

/// The sum of the [`encode`]d histograms: every recorded latency of all
/// of them, so its percentiles are those of all requests together.
pub fn merge(texts: &[String]) -> Result<Histogram<u64>, HistogramError> {
    let mut total = new_histogram();
    for text in texts {
        total.add(decode(text)?).map_err(|e| HistogramError {
            action: "add",
            reason: format!("{e:?}"),
        })?;
    }
    Ok(total)
}

/// p50, p90, p99, p99.9 and max of a histogram in microseconds, as
/// seconds; `None` when it is empty.
pub fn percentiles(histogram: &Histogram<u64>) -> Option<Percentiles> {
    if histogram.is_empty() {
        return None;
    }
    let seconds = |us: u64| us as f64 / 1e6;
    let at = |q: f64| seconds(histogram.value_at_quantile(q));
    Some(Percentiles {
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        p999: at(0.999),
        max: seconds(histogram.max()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_survives_encoding() {
        let mut h = new_histogram();
        for us in [150, 900, 12_000, 1_500_000] {
            h.record(us).unwrap();
        }
        assert_eq!(decode(&encode(&h).unwrap()).unwrap(), h);
    }

    #[test]
    fn damaged_text_is_an_error_not_a_panic() {
        assert_eq!(decode("not base64!").unwrap_err().action, "decode");
        assert!(decode("AAAA").is_err());
        assert!(merge(&["AAAA".into()]).is_err());
    }

    #[test]
    fn empty_histograms_have_no_percentiles() {
        assert!(percentiles(&new_histogram()).is_none());
        assert!(percentiles(&merge(&[]).unwrap()).is_none());
    }
}
