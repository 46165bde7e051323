//! Reading back JSON that held non-finite numbers.
//!
//! JSON has no NaN or infinity: `serde_json` writes them as `null`, which
//! the model's plain `f64` fields then refuse. Rather than lose an
//! iteration over one odd sample, the store reads such `null`s back as NaN.
//! The typed decoding is tried first, so well-formed data keeps every field.

use super::fail::{json, R};
use perfwatch_model::Sample;
use serde::Deserialize;
use std::collections::BTreeMap;

/// [`Sample`] with every float optional.
#[derive(Deserialize)]
struct NullableSample {
    t_s: Option<f64>,
    cpu_pct: Option<f64>,
    rss_bytes: u64,
    threads: u32,
    processes: u32,
    read_bps: Option<f64>,
    write_bps: Option<f64>,
}

fn nan(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

/// Decodes a timeline, reading `null` floats as NaN.
pub fn timeline(text: &str, what: impl Fn() -> String) -> R<Vec<Sample>> {
    if let Ok(samples) = serde_json::from_str(text) {
        return Ok(samples);
    }
    let samples: Vec<NullableSample> = json(text, what)?;
    Ok(samples
        .into_iter()
        .map(|s| Sample {
            t_s: nan(s.t_s),
            cpu_pct: nan(s.cpu_pct),
            rss_bytes: s.rss_bytes,
            threads: s.threads,
            processes: s.processes,
            read_bps: nan(s.read_bps),
            write_bps: nan(s.write_bps),
        })
        .collect())
}

/// Decodes a map of numbers, reading `null` as NaN.
pub fn numbers(text: &str, what: impl Fn() -> String) -> R<BTreeMap<String, f64>> {
    let map: BTreeMap<String, Option<f64>> = json(text, what)?;
    Ok(map.into_iter().map(|(k, v)| (k, nan(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_come_back_as_nan() {
        let text = r#"[{"t_s":0.5,"cpu_pct":null,"rss_bytes":1,"threads":2,"processes":3,"read_bps":1.0,"write_bps":null}]"#;
        let samples = timeline(text, String::new).unwrap();
        assert_eq!(samples[0].t_s, 0.5);
        assert!(samples[0].cpu_pct.is_nan() && samples[0].write_bps.is_nan());
        let map = numbers(r#"{"a":1.5,"b":null}"#, String::new).unwrap();
        assert_eq!(map["a"], 1.5);
        assert!(map["b"].is_nan());
    }

    #[test]
    fn garbage_is_reported() {
        assert!(timeline("[{]", || "timeline".into()).is_err());
        assert!(numbers("[]", || "counters".into()).is_err());
    }
}
