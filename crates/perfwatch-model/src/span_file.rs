//! The span file format: what programs write to `$PERFWATCH_SPANS`.
//!
//! JSON Lines, UTF-8, appended (`O_APPEND`) by any number of processes of
//! one iteration. Every line is one [`SpanRecord`]; a line that does not
//! parse is counted as dropped with its reason and never aborts a run.
//!
//! ```text
//! {"type":"span","id":"4242-1","parent":null,"name":"job","tier":"system","start_unix_ns":1700000000000000000,"end_unix_ns":1700000000500000000,"ok":true}
//! {"type":"span","id":"4242-2","parent":"4242-1","name":"download","tier":"method","component":"dm","start_unix_ns":1700000000100000000,"end_unix_ns":1700000000300000000,"ok":false,"attrs":{"alloc_bytes":"1048576"}}
//! {"type":"agg","id":"4242-3","parent":"4242-1","name":"parse","tier":"operation","start_unix_ns":1700000000300000000,"end_unix_ns":1700000000400000000,"calls":100000,"failed":0,"total_ns":90000000}
//! {"type":"counter","name":"cache.hits","value":17,"span":"4242-2"}
//! {"type":"gauge","name":"pool.size","value":8,"unix_ns":1700000000200000000}
//! ```
//!
//! * Ids are strings unique within the iteration; `"<pid>-<n>"` is the
//!   convention. A parent may live in another process: a child process
//!   learns its parent span from `PERFWATCH_PARENT_SPAN` (an id).
//! * Times are nanoseconds since the Unix epoch (the same clock OTLP uses),
//!   so spans from several processes and from OTLP line up.
//! * `tier` is `system`, `component`, `method` or `operation`; when absent
//!   the tier follows from nesting depth.
//! * An `agg` record folds `calls` calls of one stage under one parent into
//!   one record (`total_ns` summed over calls): writers use it past a
//!   per-stage cap so that hot loops do not produce gigabytes. An
//!   aggregate may be flushed in parts under the same id, each part holding
//!   the calls since the previous one; readers merge the parts.
//! * `counter` values are summed per name (and per span when given);
//!   `gauge` values keep their last, min and max.

use crate::Attributes;
/// Span ids and names: strings of up to 24 bytes held inline.
pub use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// Environment variable naming the span file of the current iteration.
pub const ENV_SPANS: &str = "PERFWATCH_SPANS";
/// Environment variable naming the enclosing span (for child processes).
pub const ENV_PARENT_SPAN: &str = "PERFWATCH_PARENT_SPAN";
/// Environment variable with the 0-based iteration index.
pub const ENV_ITERATION: &str = "PERFWATCH_ITERATION";
/// Environment variable with the variant name.
pub const ENV_VARIANT: &str = "PERFWATCH_VARIANT";

/// One line of a span file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SpanRecord {
    /// One call of a stage.
    Span {
        /// Unique id.
        id: CompactString,
        /// Enclosing span id.
        #[serde(default)]
        parent: Option<CompactString>,
        /// Stage name.
        name: CompactString,
        /// Tier key; absent means "from nesting depth".
        #[serde(default)]
        tier: Option<String>,
        /// Component.
        #[serde(default)]
        component: Option<String>,
        /// Start, ns since the Unix epoch.
        start_unix_ns: u64,
        /// End, ns since the Unix epoch.
        end_unix_ns: u64,
        /// False when the call failed.
        #[serde(default = "default_true")]
        ok: bool,
        /// Attributes.
        #[serde(default)]
        attrs: Attributes,
    },
    /// Many calls of one stage folded into one record.
    Agg {
        /// Unique id.
        id: CompactString,
        /// Enclosing span id.
        #[serde(default)]
        parent: Option<CompactString>,
        /// Stage name.
        name: CompactString,
        /// Tier key.
        #[serde(default)]
        tier: Option<String>,
        /// Component.
        #[serde(default)]
        component: Option<String>,
        /// Start of the first folded call.
        start_unix_ns: u64,
        /// End of the last folded call.
        end_unix_ns: u64,
        /// Number of calls folded.
        calls: u64,
        /// Failed calls among them.
        #[serde(default)]
        failed: u64,
        /// Summed duration of the calls.
        total_ns: u64,
    },
    /// A counter increment.
    Counter {
        /// Counter name.
        name: String,
        /// Amount added.
        value: f64,
        /// Span it belongs to.
        #[serde(default)]
        span: Option<CompactString>,
    },
    /// A gauge reading.
    Gauge {
        /// Gauge name.
        name: String,
        /// Value read.
        value: f64,
        /// When it was read.
        #[serde(default)]
        unix_ns: Option<u64>,
    },
}

fn default_true() -> bool {
    true
}
