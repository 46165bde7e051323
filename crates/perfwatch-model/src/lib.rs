//! Plain data types shared by every perfwatch crate, and the versioned JSON
//! schema `perfwatch.session.v1` that other tools rely on.
//!
//! Every arrow in perfwatch's data flow (runner → store → analysis →
//! renderers) carries one of these types. The crate depends on `serde` (and
//! `time`, for timestamps) only, so that anything may depend on it.
//!
//! ```
//! use perfwatch_model::{Metric, SCHEMA_V1};
//! assert_eq!(SCHEMA_V1, "perfwatch.session.v1");
//! assert_eq!(Metric::WallS.key(), "wall_s");
//! assert_eq!("user_s".parse::<Metric>().unwrap(), Metric::UserS);
//! ```
//!
//! Compatibility rule: within v1, fields may be added, never renamed or
//! dropped. Optional figures are `Option`s: a figure that could not be
//! measured is absent (`null`), never zero.

pub mod attributes;
pub mod clock;
pub mod comparison;
pub mod exit_codes;
pub mod export;
pub mod finding;
pub mod history;
pub mod investigation;
pub mod iteration;
pub mod judgement;
pub mod live;
pub mod metric;
pub mod owner;
pub mod service;
pub mod session;
pub mod span_file;
pub mod span_tree;
pub mod stage;
pub mod stage_path;
pub mod summary;
pub mod text;

pub use attributes::Attributes;
pub use comparison::{Comparison, Reference, Severity, Verdict};
pub use export::{
    AppMetricKind, AppMetricSummary, GpuSummary, SessionExport, VariantExport, SCHEMA_V1,
};
pub use finding::{Finding, VariantEvidence};
pub use history::{HistoryPoint, HistorySeries};
pub use iteration::{GpuReading, Iteration, Sample};
pub use judgement::{GateReport, Health, RuleResult};
pub use live::{LiveSnapshot, LiveState, LIVE_SCHEMA_V1};
pub use metric::Metric;
pub use service::{LoadSummary, ServiceRun, ServiceSummary};
pub use session::{
    CommandSpec, CpuMeans, GitInfo, HostInfo, ImportOrigin, Session, SessionStatus,
    ShellCorrection, VariantSpec,
};
pub use stage::{Span, StageSummary, Tier};
pub use summary::{Summary, DEFAULT_CONFIDENCE};
pub use text::short_id;
