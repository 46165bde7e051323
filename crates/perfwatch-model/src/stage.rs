//! Stages: spans a program reports about its own work.

use crate::{Attributes, Summary};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The level of a stage, from the whole program down to one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// The whole program or a top-level phase.
    System,
    /// A component (a subsystem, a service).
    Component,
    /// A method or function.
    Method,
    /// A single operation (a request, a query).
    Operation,
}

impl Tier {
    /// Every tier, outermost first.
    pub const ALL: [Tier; 4] = [Tier::System, Tier::Component, Tier::Method, Tier::Operation];

    /// The key used in files and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Tier::System => "system",
            Tier::Component => "component",
            Tier::Method => "method",
            Tier::Operation => "operation",
        }
    }

    /// The tier implied by nesting depth (0 = root) when none is given.
    pub fn from_depth(depth: usize) -> Tier {
        Tier::ALL[depth.min(3)]
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tier::ALL
            .into_iter()
            .find(|t| t.key().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown tier `{s}` (known: system, component, method, operation)")
            })
    }
}

/// One call of a stage, as reported by the program (a span).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Id unique within the iteration.
    pub id: u64,
    /// Id of the enclosing span, if any.
    pub parent: Option<u64>,
    /// Stage name.
    pub name: String,
    /// Tier.
    pub tier: Tier,
    /// Component the stage belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// Start, seconds since the iteration's command was spawned.
    pub start_s: f64,
    /// End, seconds since the iteration's command was spawned.
    pub end_s: f64,
    /// False when the call failed.
    pub ok: bool,
    /// Calls folded into this record (1 for a single call; more for an
    /// aggregated record, whose summed duration is `total_s`).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub calls: u64,
    /// Failed calls folded into an aggregated record.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_calls: u64,
    /// Summed duration of an aggregated record; absent for a single call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_s: Option<f64>,
    /// Free-form attributes (counters, gauges, allocated bytes, …).
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
}

fn one() -> u64 {
    1
}

fn is_one(v: &u64) -> bool {
    *v == 1
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl Span {
    /// Time spent in the stage, in seconds: the summed duration of an
    /// aggregated record, otherwise end minus start.
    pub fn duration_s(&self) -> f64 {
        self.total_s.unwrap_or(self.end_s - self.start_s).max(0.0)
    }
}

/// A stage summarised across the iterations of one variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageSummary {
    /// Stage name (the last element of `path`).
    pub name: String,
    /// Path of names from the root, joined by `/`; the stage's key.
    pub path: String,
    /// Tier.
    pub tier: Tier,
    /// Component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// Calls per iteration (mean).
    pub calls: f64,
    /// Failed calls over all iterations.
    #[serde(default)]
    pub failed_calls: u64,
    /// Total seconds per iteration in this stage.
    pub total_s: Summary,
    /// Self seconds per iteration (total minus children).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_s: Option<Summary>,
    /// Median share of the iteration's wall time, 0..1.
    pub share: f64,
    /// Path of the enclosing stage; absent for a root stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Nesting depth, 0 for a root stage; absent when not computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<u32>,
    /// Duration of the first call per iteration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_call_s: Option<Summary>,
    /// Mean duration of the later calls per iteration (iterations with
    /// more than one call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub later_call_s: Option<Summary>,
    /// Median CPU use of the process tree while the stage ran, in % of one
    /// core; absent without a timeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_pct: Option<f64>,
    /// Median share of the stage's time the GPU was busy, in %: its GPU
    /// time share, weighted as `cpu_pct` is; absent without GPU readings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_busy_pct: Option<f64>,
    /// Peak GPU memory the tree held while the stage ran, over the counted
    /// runs, bytes; absent without per-process GPU readings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_gpu_memory_bytes: Option<u64>,
    /// Levels of spans nested below this stage past the depth (or path
    /// length) limit and folded into it, the most in any iteration: their
    /// time is this stage's own ([`crate::span_tree`]). 0 when none.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub folded_levels: u32,
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}
