//! The `perfwatch.live.v1` snapshot: what a run in progress looks like
//! at one moment — its progress, the running estimate of each variant,
//! the wall times so far, the current iteration's stages and resource
//! samples, and the warnings and findings of the iterations measured so
//! far. The terminal's live view (`run --live`) draws it, and `run --push`
//! sends it to the team server, whose dashboard shows the same figures.
//!
//! Every list is bounded (see the `MAX_*` constants), so a snapshot stays
//! small however long the run: a few tens of KiB at most.

use serde::{Deserialize, Serialize};

/// The schema string every snapshot carries.
pub const LIVE_SCHEMA_V1: &str = "perfwatch.live.v1";

/// Most wall times kept (the newest).
pub const MAX_WALLS: usize = 240;
/// Most stages of the current iteration kept (the first to start).
pub const MAX_STAGES: usize = 64;
/// Most resource samples of the current iteration kept (the newest).
pub const MAX_SAMPLES: usize = 240;
/// Most warning or finding lines kept.
pub const MAX_NOTES: usize = 20;
/// Most variants a snapshot describes.
pub const MAX_VARIANTS: usize = 64;
/// Most characters of one name or note kept.
pub const MAX_TEXT: usize = 300;

/// A run in progress, at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSnapshot {
    /// Always [`LIVE_SCHEMA_V1`].
    pub schema: String,
    /// The id of the session being measured.
    pub run_id: String,
    /// Its benchmark.
    pub benchmark: String,
    /// Where the run stands.
    pub state: LiveState,
    /// When this snapshot was taken (RFC 3339, UTC).
    pub updated_at: String,
    /// How far the run is.
    pub progress: LiveProgress,
    /// Each variant with its estimate, in plan order.
    pub variants: Vec<LiveVariant>,
    /// Wall time of each finished measured iteration, oldest first (at
    /// most [`MAX_WALLS`], the newest).
    pub walls: Vec<LiveWall>,
    /// The current (or last) iteration's stages that closed, in the order
    /// they started (at most [`MAX_STAGES`]).
    pub stages: Vec<LiveStage>,
    /// The current (or last) iteration's resource samples, oldest first
    /// (at most [`MAX_SAMPLES`], the newest).
    pub samples: Vec<LiveSample>,
    /// Warnings of the analysis of the iterations so far.
    pub warnings: Vec<String>,
    /// Findings of the analysis of the iterations so far, one line each.
    pub findings: Vec<String>,
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveState {
    /// Still measuring.
    Running,
    /// Every planned iteration ran.
    Finished,
    /// Stopped early (Ctrl-C, a signal, a failure).
    Cancelled,
}

impl LiveState {
    /// `running`, `finished`, `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            LiveState::Running => "running",
            LiveState::Finished => "finished",
            LiveState::Cancelled => "cancelled",
        }
    }
}

/// How far the run is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveProgress {
    /// Iterations finished, warm-ups included.
    pub done: u64,
    /// Iterations expected in all, warm-ups included (an estimate with
    /// `--min-time` or an adaptive run).
    pub planned: u64,
    /// Seconds since the run started.
    pub elapsed_s: f64,
    /// The iteration running now, if any.
    pub current: Option<LiveIteration>,
}

/// The iteration running now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveIteration {
    /// Its 0-based index in the session (warm-ups included).
    pub index: u32,
    /// Its variant.
    pub variant: String,
    /// Whether it is a warm-up.
    pub warmup: bool,
    /// Seconds since it started.
    pub elapsed_s: f64,
}

/// One variant and its running estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveVariant {
    /// The variant's name.
    pub name: String,
    /// Measured iterations that count (succeeded, not warm-ups).
    pub runs: u32,
    /// Measured iterations that failed or timed out.
    pub failed: u32,
    /// The median wall time with its confidence interval, once a run
    /// counted.
    pub estimate: Option<LiveEstimate>,
}

/// A median with its distribution-free confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveEstimate {
    /// The median, seconds.
    pub median_s: f64,
    /// Lower bound of the interval, seconds.
    pub ci_low_s: f64,
    /// Upper bound, seconds.
    pub ci_high_s: f64,
    /// The interval's confidence level, in (0, 1).
    pub level: f64,
}

/// The wall time of one finished measured iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveWall {
    /// Its variant.
    pub variant: String,
    /// Wall time, seconds.
    pub wall_s: f64,
    /// Whether it succeeded.
    pub ok: bool,
}

/// One stage of the current iteration, its calls so far summed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveStage {
    /// Its path (`job/track/fetch`).
    pub path: String,
    /// Nesting depth (0 for a root).
    pub depth: u32,
    /// Calls that closed.
    pub calls: u64,
    /// Their summed duration, seconds.
    pub total_s: f64,
    /// Whether a call failed.
    pub failed: bool,
}

/// One resource sample of the current iteration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSample {
    /// Seconds since the iteration's command was spawned.
    pub t_s: f64,
    /// CPU use of the tree, % of one core.
    pub cpu_pct: f64,
    /// Resident set size of the tree, bytes.
    pub rss_bytes: u64,
    /// Storage read, bytes per second.
    pub read_bps: f64,
    /// Storage written, bytes per second.
    pub write_bps: f64,
    /// The busiest GPU's utilisation, %; absent without GPU readings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_busy_pct: Option<f64>,
    /// GPU memory held by the tree, bytes; absent where not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_memory_bytes: Option<u64>,
}

impl From<&crate::Sample> for LiveSample {
    fn from(s: &crate::Sample) -> LiveSample {
        LiveSample {
            t_s: s.t_s,
            cpu_pct: s.cpu_pct,
            rss_bytes: s.rss_bytes,
            read_bps: s.read_bps,
            write_bps: s.write_bps,
            gpu_busy_pct: s.gpu_busy_pct(),
            gpu_memory_bytes: s.tree_gpu_memory_bytes(),
        }
    }
}

/// What is wrong with a snapshot received from elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCheckError {
    /// The offending field, as a JSON path (`progress.elapsed_s`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl std::error::Error for LiveCheckError {}

impl std::fmt::Display for LiveCheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl LiveSnapshot {
    /// A snapshot of run `run_id` of `benchmark` in `state` at
    /// `updated_at`, with nothing measured yet.
    pub fn empty(run_id: &str, benchmark: &str, state: LiveState, updated_at: &str) -> Self {
        LiveSnapshot {
            schema: LIVE_SCHEMA_V1.into(),
            run_id: run_id.into(),
            benchmark: benchmark.into(),
            state,
            updated_at: updated_at.into(),
            progress: LiveProgress::default(),
            variants: vec![],
            walls: vec![],
            stages: vec![],
            samples: vec![],
            warnings: vec![],
            findings: vec![],
        }
    }

    /// Checks what serde cannot: the schema, the run id (4 to 64
    /// lowercase hex digits, as session ids), the bounds of every list
    /// and text, and that every figure is finite and not negative.
    pub fn check(&self) -> Result<(), LiveCheckError> {
        let bad = |field: &str, message: &str| {
            Err(LiveCheckError {
                field: field.to_string(),
                message: message.to_string(),
            })
        };
        if self.schema != LIVE_SCHEMA_V1 {
            return bad("schema", &format!("expected `{LIVE_SCHEMA_V1}`"));
        }
        let id_ok = (4..=64).contains(&self.run_id.len())
            && self
                .run_id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !id_ok {
            return bad("run_id", "expected 4 to 64 lowercase hex digits");
        }
        let texts = [
            ("benchmark", &self.benchmark),
            ("updated_at", &self.updated_at),
        ];
        for (field, text) in texts {
            check_text(field, text)?;
        }
        let lists = [
            ("variants", self.variants.len(), MAX_VARIANTS),
            ("walls", self.walls.len(), MAX_WALLS),
            ("stages", self.stages.len(), MAX_STAGES),
            ("samples", self.samples.len(), MAX_SAMPLES),
            ("warnings", self.warnings.len(), MAX_NOTES),
            ("findings", self.findings.len(), MAX_NOTES),
        ];
        for (field, len, max) in lists {
            if len > max {
                return bad(field, &format!("at most {max} entries"));
            }
        }
        let p = &self.progress;
        check_figure("progress.elapsed_s", p.elapsed_s)?;
        if let Some(c) = &p.current {
            check_text("progress.current.variant", &c.variant)?;
            check_figure("progress.current.elapsed_s", c.elapsed_s)?;
        }
        for (i, v) in self.variants.iter().enumerate() {
            check_text(&format!("variants[{i}].name"), &v.name)?;
            if let Some(e) = &v.estimate {
                for (name, x) in [
                    ("median_s", e.median_s),
                    ("ci_low_s", e.ci_low_s),
                    ("ci_high_s", e.ci_high_s),
                    ("level", e.level),
                ] {
                    check_figure(&format!("variants[{i}].estimate.{name}"), x)?;
                }
            }
        }
        for (i, w) in self.walls.iter().enumerate() {
            check_text(&format!("walls[{i}].variant"), &w.variant)?;
            check_figure(&format!("walls[{i}].wall_s"), w.wall_s)?;
        }
        for (i, s) in self.stages.iter().enumerate() {
            check_text(&format!("stages[{i}].path"), &s.path)?;
            check_figure(&format!("stages[{i}].total_s"), s.total_s)?;
        }
        for (i, s) in self.samples.iter().enumerate() {
            let figures = [
                ("t_s", s.t_s),
                ("cpu_pct", s.cpu_pct),
                ("read_bps", s.read_bps),
                ("write_bps", s.write_bps),
                ("gpu_busy_pct", s.gpu_busy_pct.unwrap_or(0.0)),
            ];
            for (name, x) in figures {
                check_figure(&format!("samples[{i}].{name}"), x)?;
            }
        }
        for (field, notes) in [("warnings", &self.warnings), ("findings", &self.findings)] {
            for (i, n) in notes.iter().enumerate() {
                check_text(&format!("{field}[{i}]"), n)?;
            }
        }
        Ok(())
    }
}

fn check_text(field: &str, text: &str) -> Result<(), LiveCheckError> {
    if text.chars().count() > MAX_TEXT {
        return Err(LiveCheckError {
            field: field.to_string(),
            message: format!("at most {MAX_TEXT} characters"),
        });
    }
    Ok(())
}

fn check_figure(field: &str, x: f64) -> Result<(), LiveCheckError> {
    if !x.is_finite() || x < 0.0 {
        return Err(LiveCheckError {
            field: field.to_string(),
            message: "expected a finite number, not negative".to_string(),
        });
    }
    Ok(())
}

/// `text` cut to [`MAX_TEXT`] characters (an ellipsis ends a cut one).
pub fn live_text(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_TEXT - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> LiveSnapshot {
        LiveSnapshot::empty(
            "0a1b2c3d",
            "pipeline",
            LiveState::Running,
            "2026-01-01T00:00:00Z",
        )
    }

    #[test]
    fn a_well_formed_snapshot_passes_the_check_and_round_trips() {
        let s = snapshot();
        assert_eq!(s.check(), Ok(()));
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<LiveSnapshot>(&text).unwrap(), s);
    }

    #[test]
    fn the_check_names_the_offending_field() {
        type Spoil = fn(&mut LiveSnapshot);
        let cases: Vec<(Spoil, &str)> = vec![
            (|s| s.schema = "x".into(), "schema"),
            (|s| s.run_id = "../x".into(), "run_id"),
            (|s| s.benchmark = "b".repeat(MAX_TEXT + 1), "benchmark"),
            (|s| s.progress.elapsed_s = f64::NAN, "progress.elapsed_s"),
            (
                |s| s.warnings = vec![String::new(); MAX_NOTES + 1],
                "warnings",
            ),
            (
                |s| {
                    s.samples = vec![LiveSample {
                        cpu_pct: -1.0,
                        ..LiveSample::default()
                    }]
                },
                "samples[0].cpu_pct",
            ),
        ];
        for (spoil, field) in cases {
            let mut s = snapshot();
            spoil(&mut s);
            assert_eq!(s.check().unwrap_err().field, field);
        }
    }

    #[test]
    fn long_texts_are_cut_with_an_ellipsis() {
        assert_eq!(live_text("short"), "short");
        let cut = live_text(&"x".repeat(MAX_TEXT + 10));
        assert_eq!(cut.chars().count(), MAX_TEXT);
        assert!(cut.ends_with('…'));
    }
}
