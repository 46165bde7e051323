//! The span sources every iteration gets: the probe's span file and an
//! OTLP/HTTP receiver on loopback.

use perfwatch_otlp::{OtlpConfig, OtlpSource};
use perfwatch_runner::source::SpanSource;
use perfwatch_runner::ProbeFileSource;
use std::time::Duration;

/// Sources for one session of `benchmark`.
pub fn session_sources(benchmark: &str) -> Result<Vec<Box<dyn SpanSource>>, crate::AppError> {
    let mut otlp = OtlpConfig::new(service_name(benchmark));
    // A well-behaved exporter has sent its spans before its process exits;
    // the grace only covers requests still being handled. Stop waiting at
    // once for commands that never talked OTLP.
    otlp.quiet = Duration::from_millis(5);
    otlp.silent_after = 1;
    Ok(vec![
        Box::new(ProbeFileSource::new().map_err(|e| crate::AppError::Source(e.to_string()))?),
        Box::new(OtlpSource::start(otlp).map_err(|e| crate::AppError::Source(e.to_string()))?),
    ])
}

fn service_name(benchmark: &str) -> String {
    let s: String = benchmark
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if s.is_empty() {
        "perfwatch".into()
    } else {
        s
    }
}
