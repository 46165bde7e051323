//! Alerts: what deviated, how badly, since which run, and whether it is
//! still going on.

use super::baseline::StageBaseline;
use super::budget::BudgetWhat;
use super::run_point::RunPoint;
use crate::app_rule::RuleOp;
use perfwatch_model::Severity;
use serde::{Deserialize, Serialize};

/// A run, named the way people find it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRef {
    /// Session the run is stored in.
    pub session_id: String,
    /// The run's iteration index within its session.
    pub index: u32,
    /// The program's version.
    pub version: String,
    /// When the run started, RFC 3339.
    pub started_at: String,
}

impl RunRef {
    /// The reference of a run point.
    pub fn of(run: &RunPoint) -> RunRef {
        RunRef {
            session_id: run.session_id.clone(),
            index: run.index,
            version: run.version.clone(),
            started_at: run.started_at.clone(),
        }
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlertKind {
    /// The stage is slower than its baseline.
    Slower,
    /// A figure of the stage is over its budget.
    OverBudget {
        /// Which figure.
        what: BudgetWhat,
    },
    /// An application metric breaks its rule (the alert's `stage` is the
    /// metric's name).
    AppMetric {
        /// How the metric must compare with the alert's `limit`.
        op: RuleOp,
    },
}

impl AlertKind {
    /// A stable key: `slower`, `over_budget.duration`, ….
    pub fn key(self) -> String {
        match self {
            AlertKind::Slower => "slower".to_string(),
            AlertKind::OverBudget { what } => format!("over_budget.{}", what.key()),
            AlertKind::AppMetric { .. } => "app_metric".to_string(),
        }
    }
}

/// Whether an alert is still going on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AlertState {
    /// The deviation holds at the latest run.
    Open,
    /// The deviation ended.
    Resolved {
        /// The run whose arrival resolved it (`resolved_at` in files).
        #[serde(rename = "resolved_at")]
        at: RunRef,
    },
}

/// One alert of one stage of a monitored pipeline.
///
/// `ratio`, `ci_low`, `ci_high`, `p_value`, `observed` and `recent_p50_s`
/// are the figures of the evaluation with the highest ratio while the
/// alert was open (the worst window seen), and `severity` is what the
/// thresholds make of that ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable id: [`alert_id`] of pipeline, stage, kind and first run.
    pub id: String,
    /// The pipeline, `SERVICE/ROOT`.
    pub pipeline: String,
    /// Stage path; for `AppMetric`, the application metric's name.
    pub stage: String,
    /// What deviated: in files `"kind": "slower"`, `"over_budget"` with
    /// `"what"`, or `"app_metric"` with `"op"`, beside the other fields.
    #[serde(flatten)]
    pub kind: AlertKind,
    /// The highest severity reached while open: that of `ratio`.
    pub severity: Severity,
    /// `Slower`: window median time / baseline median time.
    /// `OverBudget`: window median of the figure / its limit.
    /// `AppMetric`: how far the window median is on the wrong side of the
    /// limit — limit / median under a floor (`>=`), median / limit under
    /// a ceiling (`<=`).
    pub ratio: f64,
    /// Lower end of the ratio's 95 % interval (`ci_low ≤ ratio`).
    pub ci_low: f64,
    /// Upper end of the ratio's 95 % interval (`ratio ≤ ci_high`; `+∞`
    /// when the denominator may be 0).
    pub ci_high: f64,
    /// One-sided Mann-Whitney p-value of the window against the baseline
    /// (`Slower` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// The baseline tested against (for `Slower`, frozen when the alert
    /// opened); for `OverBudget`, the stage's baseline at opening when one
    /// exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<StageBaseline>,
    /// The budget's limit (`OverBudget`: seconds, bytes or %), or the
    /// rule's (`AppMetric`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// Window median of the figure judged: seconds for `Slower` and
    /// duration budgets, bytes or % for memory and CPU budgets, the
    /// metric's value for `AppMetric`.
    pub observed: f64,
    /// Window median stage time, seconds (`AppMetric`: the runs' wall
    /// time).
    pub recent_p50_s: f64,
    /// The first run of the deviation (see the module documentation).
    pub first: RunRef,
    /// The run whose arrival opened the alert.
    pub opened: RunRef,
    /// Open, or resolved at which run.
    #[serde(flatten)]
    pub state: AlertState,
    /// Runs of the stage evaluated while the alert was open, the opening
    /// and the resolving run included.
    pub runs_checked: usize,
}

/// The id of an alert: 16 hex digits of the 64-bit FNV-1a hash of
/// pipeline, stage, kind key, the first run's session id and index, each
/// field followed by a `0xff` byte (which no UTF-8 text holds, so no two
/// field lists give the same bytes). FNV-1a is written out here so the
/// id never changes with a dependency.
///
/// ```
/// use perfwatch_analysis::monitor::{alert_id, AlertKind};
/// let id = alert_id("svc/root", "load", AlertKind::Slower, "s1", 22);
/// assert_eq!(id.len(), 16);
/// assert_ne!(id, alert_id("svc/root", "load", AlertKind::Slower, "s1", 23));
/// ```
pub fn alert_id(
    pipeline: &str,
    stage: &str,
    kind: AlertKind,
    session_id: &str,
    index: u32,
) -> String {
    let kind = kind.key();
    let index = index.to_string();
    let bytes = [pipeline, stage, &kind, session_id, &index]
        .into_iter()
        .flat_map(|field| field.as_bytes().iter().copied().chain([0xff]));
    format!("{:016x}", fnv1a_64(bytes))
}

/// The 64-bit FNV-1a hash (Fowler, Noll & Vo) of a byte sequence.
fn fnv1a_64(bytes: impl IntoIterator<Item = u8>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.into_iter().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_published_test_vectors() {
        assert_eq!(fnv1a_64(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(*b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn ids_differ_by_every_field() {
        let base = alert_id("p", "s", AlertKind::Slower, "x", 1);
        let others = [
            alert_id("q", "s", AlertKind::Slower, "x", 1),
            alert_id("p", "t", AlertKind::Slower, "x", 1),
            alert_id(
                "p",
                "s",
                AlertKind::OverBudget {
                    what: BudgetWhat::Duration,
                },
                "x",
                1,
            ),
            alert_id("p", "s", AlertKind::Slower, "y", 1),
            alert_id("p", "s", AlertKind::Slower, "x", 2),
            // Moving a character between fields changes the id too.
            alert_id("ps", "", AlertKind::Slower, "x", 1),
        ];
        for other in others {
            assert_ne!(base, other);
        }
        assert_eq!(base, alert_id("p", "s", AlertKind::Slower, "x", 1));
    }
}
