//! How the receiver and the per-iteration wait behave.

use crate::map::MapOptions;
use std::time::Duration;

/// Settings of an [`OtlpSource`](crate::OtlpSource). Build with
/// [`OtlpConfig::new`] and change the fields that matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtlpConfig {
    /// `OTEL_SERVICE_NAME` given to the child (the benchmark name).
    pub service_name: String,
    /// Longest wait in `finish` after the child was reaped.
    pub grace: Duration,
    /// While a connection is still open, `finish` returns once no request
    /// has come for this long (with none open or queued it returns at once).
    pub quiet: Duration,
    /// After this many iterations in a row without any request, `finish`
    /// stops waiting when nothing arrived (0: always wait).
    pub silent_after: u32,
    /// Largest request body, before and after decompression (413 past it).
    pub max_body_bytes: usize,
    /// `OTEL_BSP_SCHEDULE_DELAY`: how often the child's batch processor flushes.
    pub schedule_delay: Duration,
    /// Bounds on attributes per span.
    pub map: MapOptions,
}

impl OtlpConfig {
    /// Defaults: 1 s grace, 150 ms quiet, silent after 3 iterations, 16 MiB
    /// bodies, 100 ms schedule delay, 32 attributes of 256 characters.
    pub fn new(service_name: impl Into<String>) -> OtlpConfig {
        OtlpConfig {
            service_name: service_name.into(),
            grace: Duration::from_secs(1),
            quiet: Duration::from_millis(150),
            silent_after: 3,
            max_body_bytes: 16 << 20,
            schedule_delay: Duration::from_millis(100),
            map: MapOptions::default(),
        }
    }
}
