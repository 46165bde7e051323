//! Plain data types a store takes and returns besides the model's own.

use perfwatch_model::{Metric, Session, SessionStatus};

/// Which sessions [`Store::list_sessions`](crate::Store::list_sessions)
/// returns. Every field narrows the list; the default lists everything.
///
/// ```
/// use perfwatch_store::SessionFilter;
/// let filter = SessionFilter { benchmark: Some("build".into()), limit: Some(10), ..Default::default() };
/// assert_eq!(filter.limit, Some(10));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Only sessions of this benchmark.
    pub benchmark: Option<String>,
    /// Only sessions that ran on this git branch.
    pub branch: Option<String>,
    /// Only sessions whose git commit starts with this (full hash or prefix).
    pub commit: Option<String>,
    /// Only sessions with this status.
    pub status: Option<SessionStatus>,
    /// Only sessions started at or after this RFC 3339 UTC time (compared
    /// as text, so give it in the same form as `started_at`).
    pub since: Option<String>,
    /// At most this many sessions (the newest, after `offset`).
    pub limit: Option<usize>,
    /// Skip this many of the matching sessions, newest first (a page of a
    /// listing: `offset` 20 with `limit` 20 is the second page of 20).
    pub offset: usize,
    /// Only these sessions (full ids; unknown ones are left out).
    pub ids: Option<Vec<String>>,
}

/// The history's generation (the sum over every benchmark, see
/// [`Store::history_generation`](crate::Store::history_generation)) just
/// before and just after one write, with no other writer's change in
/// between: a reader that saw `before` and now sees `after` knows that
/// nothing but this write changed the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerationStep {
    /// Before the write.
    pub before: u64,
    /// After it.
    pub after: u64,
}

/// A session as listed, with counts of its stored iterations.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    /// The session.
    pub session: Session,
    /// Iterations stored, warm-ups included.
    pub iterations: usize,
    /// Iterations that count in statistics (not warm-up, not timed out).
    pub counted: usize,
    /// Iterations that did not succeed (non-zero exit, signal or timeout).
    pub failed: usize,
}

/// A saved, named reference to one or more sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The baseline's name.
    pub name: String,
    /// When it was saved (RFC 3339 UTC).
    pub created_at: String,
    /// What it is for.
    pub description: Option<String>,
    /// The sessions it refers to, in the order given when saved.
    pub session_ids: Vec<String>,
}

/// A history query: one value series per session of a benchmark.
///
/// Values are taken from counted iterations only (not warm-ups, not timed
/// out). Sessions without any value are left out.
///
/// ```
/// use perfwatch_model::Metric;
/// use perfwatch_store::SeriesQuery;
/// let q = SeriesQuery { metric: Metric::UserS, last: Some(20), ..SeriesQuery::new("build") };
/// assert_eq!(q.benchmark, "build");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesQuery {
    /// The benchmark.
    pub benchmark: String,
    /// Only iterations of this variant; all variants when absent.
    pub variant: Option<String>,
    /// The whole-process metric; ignored when `stage` is given.
    pub metric: Metric,
    /// A stage path (names joined by `/`): values are then, per iteration,
    /// the summed duration in seconds of the spans with that path
    /// (iterations without such a span give no value).
    pub stage: Option<String>,
    /// An application metric's name (a gauge, else a counter the program
    /// reported): values are then, per iteration, its value (iterations
    /// that did not report it give no value). Wins over `stage`.
    pub app_metric: Option<String>,
    /// Only sessions that ran on this git branch.
    pub branch: Option<String>,
    /// Only sessions started at or after this RFC 3339 UTC time (compared
    /// as text, so give it in the same form as `started_at`).
    pub since: Option<String>,
    /// Only the most recent this many sessions (that have values).
    pub last: Option<usize>,
}

impl SeriesQuery {
    /// A query for the wall time of every session of `benchmark`.
    pub fn new(benchmark: impl Into<String>) -> Self {
        SeriesQuery {
            benchmark: benchmark.into(),
            variant: None,
            metric: Metric::WallS,
            stage: None,
            app_metric: None,
            branch: None,
            since: None,
            last: None,
        }
    }
}

/// The values of one session in a series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    /// The session.
    pub session_id: String,
    /// When the session started (RFC 3339 UTC).
    pub started_at: String,
    /// The git commit it ran on, if known.
    pub commit: Option<String>,
    /// The git branch it ran on, if known.
    pub branch: Option<String>,
    /// Whether the work tree had uncommitted changes.
    pub dirty: bool,
    /// The program's version the session measured (monitored pipelines).
    pub version: Option<String>,
    /// One value per counted iteration that has one, in iteration order.
    pub values: Vec<f64>,
}
