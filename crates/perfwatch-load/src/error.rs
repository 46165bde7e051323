//! The one error type of this crate.

use thiserror::Error;

/// Why a load run could not start, or a report could not be combined.
///
/// Failures of single requests are never errors: they are counted in the
/// [`LoadReport`](crate::LoadReport) (timeouts, connect and transport
/// errors). Messages read well after "failed to …".
#[derive(Debug, Error)]
pub enum LoadError {
    /// The target is not an `http://host[:port][/prefix]` URL.
    #[error("use target `{target}`: {reason}")]
    Target {
        /// The target as given.
        target: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The target's host name did not resolve to any address.
    #[error("resolve `{host}`: {source}")]
    Resolve {
        /// The host and port looked up.
        host: String,
        /// The resolver's error.
        source: std::io::Error,
    },
    /// A request of the mix is malformed (path, placeholder, method or header).
    #[error("use request {index} (`{path}`): {reason}")]
    Request {
        /// Its position in [`LoadSpec::requests`](crate::LoadSpec::requests).
        index: usize,
        /// Its path template.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The spec as a whole is inconsistent (no requests, zero rate …).
    #[error("use this load spec: {0}")]
    Spec(String),
    /// The blocking convenience could not build its tokio runtime.
    #[error("start the load generator's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// Two reports of different load models cannot be merged.
    #[error("merge a {theirs} report into a {ours} report: the latencies mean different things")]
    MergeModels {
        /// The model of the report merged into.
        ours: &'static str,
        /// The model of the report merged from.
        theirs: &'static str,
    },
    /// Histograms could not be added, encoded or decoded.
    #[error("{action} the latency histogram: {reason}")]
    Histogram {
        /// What was being done ("add", "encode", "decode").
        action: &'static str,
        /// The underlying reason.
        reason: String,
    },
}
