//! What the waiting rules (`fixed_wait`, `polling_granularity`, `idle`)
//! share: whether a stage waits rather than computes, and how soon another
//! variant shows its condition to be ready.
//!
//! **Idle.** With a timeline, the tree's mean CPU during the stage's calls
//! (see [`super::timeline`]) must be below `idle_cpu_pct`. Without one,
//! but with CPU times, the stage must fit in the run's idle time: in the
//! median run, its total may exceed `wall − (user + sys)` by at most 5 % of
//! itself plus 5 ms (a single-threaded program cannot compute while it
//! sleeps). Without either, idleness is unknown and the rules go on with
//! less confidence.
//!
//! **GPU work.** Where the timeline carries GPU readings, a stage whose
//! GPU is busy at least half the time computes, however little CPU it
//! uses ([`GPU_BUSY_PCT`]).
//!
//! **Condition.** The same stage in another variant of the session, with a
//! median call more than 5 % shorter, shows how soon the awaited condition
//! can be met; the fastest such variant is taken.

use super::context::VariantData;
use super::FindingOptions;
use perfwatch_stats::median;
use std::collections::BTreeMap;

/// How a stage was found to wait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Idle {
    /// The timeline shows this mean CPU %, below the threshold.
    Sampled(f64),
    /// No timeline; the stage fits in the run's idle time.
    CpuBudget,
    /// Neither timeline nor CPU times.
    Unknown,
}

impl Idle {
    /// Factor on a finding's confidence.
    pub fn confidence(self) -> f64 {
        match self {
            Idle::Sampled(_) => 1.0,
            Idle::CpuBudget => 0.7,
            Idle::Unknown => 0.5,
        }
    }

    /// Records the basis in a finding's evidence.
    pub fn record(self, evidence: &mut BTreeMap<String, f64>) {
        match self {
            Idle::Sampled(cpu) => {
                evidence.insert("cpu_pct".into(), cpu);
            }
            Idle::CpuBudget => {
                evidence.insert("idle_from_cpu_times".into(), 1.0);
            }
            Idle::Unknown => {
                evidence.insert("idle_unknown".into(), 1.0);
            }
        }
    }
}

/// A stage (or run) whose GPU is busy at least this much (%, mean) does
/// not wait, however little CPU it uses: the CPU waits for the GPU's
/// work, which is the work.
pub const GPU_BUSY_PCT: f64 = 50.0;

/// Whether the GPU was busy through the stage's calls (see
/// [`GPU_BUSY_PCT`]); false without GPU readings.
pub(crate) fn gpu_busy(v: &VariantData, path: &str) -> bool {
    super::gpu::busy_during(v, path).is_some_and(|b| b >= GPU_BUSY_PCT)
}

/// Whether `path` waits in variant `v`; `None` when it computes (on the
/// CPU, or on a busy GPU).
pub(crate) fn idleness(v: &VariantData, path: &str, opts: &FindingOptions) -> Option<Idle> {
    if gpu_busy(v, path) {
        return None;
    }
    if let Some(cpu) = v.cpu_pct(path) {
        return (cpu < opts.idle_cpu_pct).then_some(Idle::Sampled(cpu));
    }
    let excess: Option<Vec<f64>> = v
        .runs
        .iter()
        .map(|r| {
            let total = r.total(path);
            let idle_s = r.it.wall_s - r.cpu_s()?;
            Some(total - idle_s - (0.05 * total + 0.005))
        })
        .collect();
    match excess.as_deref().and_then(median) {
        None => Some(Idle::Unknown),
        Some(e) => (e <= 0.0).then_some(Idle::CpuBudget),
    }
}

/// How soon the condition a stage waits for is met elsewhere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Condition<'a> {
    /// Another variant's median call is this much shorter.
    Observed {
        /// That variant.
        variant: &'a str,
        /// Its median call, seconds.
        per_call_s: f64,
    },
    /// Other variants run the stage, none clearly faster.
    NotFaster,
    /// No other variant runs the stage.
    NoOther,
}

/// The condition of `path`, whose median call in variant `me` is `d`.
pub(crate) fn condition<'a>(
    all: &'a [VariantData],
    me: usize,
    path: &str,
    d: f64,
) -> Condition<'a> {
    let fastest = all
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != me)
        .filter_map(|(_, v)| Some((v.name, median(&v.durations(path))?)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match fastest {
        None => Condition::NoOther,
        Some((variant, c)) if c < 0.95 * d => Condition::Observed {
            variant,
            per_call_s: c,
        },
        Some(_) => Condition::NotFaster,
    }
}
