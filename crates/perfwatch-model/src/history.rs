//! The history of one metric over sessions, as the analysis provides it
//! to the dashboard: medians per session and where the level changed.

use serde::{Deserialize, Serialize};

/// One session's figure in a [`HistorySeries`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    /// The session's id.
    pub session_id: String,
    /// RFC 3339 time the session started; the x axis of trend charts.
    pub started_at: String,
    /// Git commit the session measured, if known.
    #[serde(default)]
    pub commit: Option<String>,
    /// The program's version the session measured (monitored pipelines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The metric's median in that session.
    pub median: f64,
    /// Lower bound of the median's confidence interval.
    pub ci_low: f64,
    /// Upper bound of the median's confidence interval.
    pub ci_high: f64,
}

/// The trend of one metric of one benchmark variant over sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistorySeries {
    /// Benchmark name.
    pub benchmark: String,
    /// Variant name.
    pub variant: String,
    /// Metric key (`wall_s`, `max_rss_bytes`, …; `total_s` for a stage).
    pub metric: String,
    /// Stage path when the metric is a stage's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The points, oldest first.
    pub points: Vec<HistoryPoint>,
    /// Indices into `points` where a change point was detected (the first
    /// point of the new level).
    #[serde(default)]
    pub change_points: Vec<usize>,
    /// The session id of the baseline, when one is set.
    #[serde(default)]
    pub baseline_session: Option<String>,
}
