//! The figures of one benchmark's latest session, read off its
//! [`Analysis`]: nothing is computed here but unit conversions of time
//! stamps and counts of comparisons — every median, interval, severity
//! and score is the application layer's.

use crate::labels::label_value;
use perfwatch_app::Analysis;
use perfwatch_model::metric::Unit;
use perfwatch_model::{Metric, Reference, Session, Severity, Summary, Verdict};
use std::collections::BTreeSet;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The severities counted by `perfwatch_regressions`, each always
/// published (0 when none) so that an alert on one never sees an absent
/// series.
pub(crate) const SEVERITIES: [Severity; 4] = [
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

/// A median with its confidence interval, as the analysis gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    pub median: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl From<&Summary> for Estimate {
    fn from(s: &Summary) -> Self {
        Estimate {
            median: s.median,
            ci_low: s.ci_low,
            ci_high: s.ci_high,
        }
    }
}

/// One label set of the `perfwatch_latest_*` families: a variant and a
/// metric key (whole run) or a stage path, label values already bounded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    pub variant: String,
    /// The metric key (`wall_s`) or the stage path (`load/parse`).
    pub key: String,
    pub unit: Unit,
    pub estimate: Estimate,
}

/// Everything published about one benchmark: one **entry** for the
/// benchmark itself (start time, health, regressions), one per whole-run
/// series and one per stage series. Entries are what the series cap
/// counts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BenchmarkFigures {
    /// The `benchmark` label value.
    pub benchmark: String,
    pub session_id: String,
    pub started: Started,
    pub health: Option<u8>,
    /// Regressions per [`SEVERITIES`].
    pub regressions: [u64; SEVERITIES.len()],
    /// Whole-run series, per variant in the analysis's order, metrics in
    /// [`Metric::ALL`]'s.
    pub whole: Vec<Series>,
    /// Stage series, largest median first (so that a cap keeps the stages
    /// where the time goes).
    pub stages: Vec<Series>,
    /// Application metrics (the program's own counters and gauges), per
    /// variant and name: the median of the runs that reported it.
    pub apps: Vec<Series>,
    /// Label sets that became equal to another once bounded (control
    /// characters replaced, long names cut): not published, counted as
    /// dropped.
    pub collided: usize,
}

impl BenchmarkFigures {
    /// The figures of `analysis`'s session.
    pub fn from_analysis(analysis: &Analysis) -> Self {
        let session = &analysis.session;
        let mut seen = BTreeSet::new();
        let mut collided = 0;
        let mut admit = |kind: &str, variant: &str, key: &str| {
            let labels = (kind.to_owned(), label_value(variant), label_value(key));
            let fresh = seen.insert(labels.clone());
            collided += usize::from(!fresh);
            fresh.then_some((labels.1, labels.2))
        };
        let mut whole = Vec::new();
        let mut stages = Vec::new();
        let mut apps = Vec::new();
        for v in &analysis.variants {
            for (name, app) in v.app_metrics.iter().filter(|(_, a)| a.median.is_finite()) {
                if let Some((variant, key)) = admit("app", &v.name, name) {
                    apps.push(Series {
                        variant,
                        key,
                        unit: Unit::Count,
                        estimate: Estimate {
                            median: app.median,
                            ci_low: app.min,
                            ci_high: app.max,
                        },
                    });
                }
            }
            let mut metrics: Vec<(&String, &Summary)> =
                v.summary.iter().filter(|(_, s)| s.n > 0).collect();
            metrics.sort_by_key(|(key, _)| metric_order(key));
            for (key, summary) in metrics {
                if let Some((variant, key)) = admit("whole", &v.name, key) {
                    whole.push(Series {
                        unit: unit_of(&key),
                        variant,
                        key,
                        estimate: summary.into(),
                    });
                }
            }
            for stage in v.stages.iter().filter(|s| s.total_s.n > 0) {
                if let Some((variant, key)) = admit("stage", &v.name, &stage.path) {
                    stages.push(Series {
                        variant,
                        key,
                        unit: Unit::Seconds,
                        estimate: (&stage.total_s).into(),
                    });
                }
            }
        }
        stages.sort_by(|a, b| {
            b.estimate
                .median
                .total_cmp(&a.estimate.median)
                .then_with(|| (&a.variant, &a.key).cmp(&(&b.variant, &b.key)))
        });
        BenchmarkFigures {
            benchmark: label_value(&session.benchmark),
            session_id: session.id.clone(),
            started: Started::of(session),
            health: analysis.health.as_ref().map(|h| h.score),
            regressions: regressions(analysis),
            whole,
            stages,
            apps,
            collided,
        }
    }

    /// Entries: the benchmark's own, and one per series.
    pub fn entries(&self) -> usize {
        1 + self.whole.len() + self.apps.len() + self.stages.len()
    }

    /// Keeps at most `room` entries — the benchmark's own first, then the
    /// whole-run series, then the application metrics, then the largest
    /// stages — and returns how many were cut. With no room at all
    /// nothing is kept.
    pub fn keep_at_most(&mut self, room: usize) -> usize {
        let before = self.entries();
        if room == 0 {
            self.whole.clear();
            self.apps.clear();
            self.stages.clear();
            return before;
        }
        self.whole.truncate(room - 1);
        self.apps.truncate(room - 1 - self.whole.len());
        self.stages
            .truncate(room - 1 - self.whole.len() - self.apps.len());
        before - self.entries()
    }
}

/// When a session started: which of two sessions is the latest.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Started {
    /// As stored (RFC 3339), for ordering when it does not parse.
    pub text: String,
    /// Unix time, seconds.
    pub unix_s: Option<f64>,
}

impl Started {
    pub fn of(session: &Session) -> Self {
        Started {
            text: session.started_at.clone(),
            unix_s: unix_seconds(&session.started_at),
        }
    }

    /// Whether this is before `other`.
    pub fn before(&self, other: &Started) -> bool {
        match (self.unix_s, other.unix_s) {
            (Some(a), Some(b)) => a < b,
            _ => self.text < other.text,
        }
    }
}

/// Regressions of the session, by severity, counted as the health score
/// counts them: significant (`regressed`), on a primary metric, against a
/// baseline — a comparison of a session's own variants is a choice
/// between alternatives, not a regression.
fn regressions(analysis: &Analysis) -> [u64; SEVERITIES.len()] {
    let mut counts = [0; SEVERITIES.len()];
    for c in &analysis.comparisons {
        if c.verdict != Verdict::Regressed || !c.primary || c.reference != Reference::Baseline {
            continue;
        }
        if let Some(i) = SEVERITIES.iter().position(|s| *s == c.severity) {
            counts[i] += 1;
        }
    }
    counts
}

/// A metric key's position in [`Metric::ALL`]; keys this version does not
/// know come last.
fn metric_order(key: &str) -> usize {
    Metric::ALL
        .iter()
        .position(|m| m.key() == key)
        .unwrap_or(Metric::ALL.len())
}

/// The unit of a summary key: the metric's own, or for a key this version
/// does not know, what its suffix says.
fn unit_of(key: &str) -> Unit {
    match key.parse::<Metric>() {
        Ok(m) => m.unit(),
        Err(_) if key.ends_with("_s") => Unit::Seconds,
        Err(_) if key.ends_with("_bytes") => Unit::Bytes,
        Err(_) => Unit::Count,
    }
}

/// An RFC 3339 time as Unix seconds.
fn unix_seconds(rfc3339: &str) -> Option<f64> {
    let at = OffsetDateTime::parse(rfc3339, &Rfc3339).ok()?;
    Some(at.unix_timestamp_nanos() as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(key: &str) -> Series {
        Series {
            variant: "v".into(),
            key: key.into(),
            unit: Unit::Seconds,
            estimate: Estimate {
                median: 1.0,
                ci_low: 0.9,
                ci_high: 1.1,
            },
        }
    }

    fn figures(whole: usize, apps: usize, stages: usize) -> BenchmarkFigures {
        BenchmarkFigures {
            benchmark: "b".into(),
            session_id: "s".into(),
            started: started("2026-01-01T00:00:00Z"),
            health: Some(100),
            regressions: [0; 4],
            whole: (0..whole).map(|i| series(&format!("m{i}"))).collect(),
            stages: (0..stages).map(|i| series(&format!("s{i}"))).collect(),
            apps: (0..apps).map(|i| series(&format!("a{i}"))).collect(),
            collided: 0,
        }
    }

    #[test]
    fn the_cap_keeps_the_benchmark_then_whole_run_then_app_metrics_then_stages() {
        for (room, whole, apps, stages, cut) in [
            (0, 0, 0, 0, 1 + 3 + 2 + 5),
            (1, 0, 0, 0, 3 + 2 + 5),
            (3, 2, 0, 0, 1 + 2 + 5),
            (5, 3, 1, 0, 1 + 5),
            (8, 3, 2, 2, 3),
            (11, 3, 2, 5, 0),
            (100, 3, 2, 5, 0),
        ] {
            let mut f = figures(3, 2, 5);
            assert_eq!(f.keep_at_most(room), cut, "room {room}");
            assert_eq!(
                (f.whole.len(), f.apps.len(), f.stages.len()),
                (whole, apps, stages),
                "room {room}"
            );
        }
    }

    #[test]
    fn time_stamps_are_unix_seconds() {
        assert_eq!(unix_seconds("1970-01-01T00:00:01.500Z"), Some(1.5));
        assert_eq!(unix_seconds("yesterday"), None);
    }

    #[test]
    fn units_follow_the_metric_or_the_suffix() {
        assert_eq!(unit_of("wall_s"), Unit::Seconds);
        assert_eq!(unit_of("max_rss_bytes"), Unit::Bytes);
        assert_eq!(unit_of("voluntary_cs"), Unit::Count);
        assert_eq!(unit_of("gpu_busy_s"), Unit::Seconds);
        assert_eq!(unit_of("vram_bytes"), Unit::Bytes);
        assert_eq!(unit_of("frames"), Unit::Count);
    }

    fn started(text: &str) -> Started {
        Started {
            text: text.into(),
            unix_s: unix_seconds(text),
        }
    }

    #[test]
    fn older_sessions_are_told_by_time_not_text() {
        let a = started("2026-01-01T01:00:00+02:00");
        let b = started("2026-01-01T00:00:00Z");
        assert!(a.before(&b) && !b.before(&a));
        assert!(!b.before(&b));
        assert!(
            started("2025-x").before(&started("2026-x")),
            "text when unparsed"
        );
    }
}
