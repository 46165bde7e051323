//! `idle`: waiting, not computing — a candidate for concurrency.
//!
//! * **Whole run** (not of a service, which idles between requests by
//!   design): the median over runs of `(user + sys) / wall` is below
//!   `max_cpu_ratio` (0.3). Saving: `overlap_fraction` (half) of the median
//!   idle time `wall − cpu` — overlapping waits can hide some of it, how
//!   much depends on dependencies perfwatch cannot see, hence a
//!   conservative half and confidence 0.6. When stage findings already
//!   estimate the waits, [`diagnose`](super::diagnose) sets this saving to
//!   0 so that nothing is counted twice, and its text says so.
//! * **A stage** (needs a timeline): the tree's mean CPU during the stage's
//!   calls is below `idle_cpu_pct` and the stage holds at least
//!   `min_stage_share` (10 %) but less than 90 % of the run (the whole
//!   program is the whole-run case). Saving: `overlap_fraction` of its
//!   median time per run, confidence 0.4: an assumption, stated as such.
//!
//! **GPU work.** Where the timeline carries GPU readings, a run or stage
//! whose GPU is busy at least half the time is not idle, however little
//! CPU it uses: the CPU waits for the GPU's work, which is the work
//! ([`super::waiting::GPU_BUSY_PCT`]).
//!
//! **Deliberate waits.** When nothing in the runs computes — the variant
//! reports no stages at all, or every stage it reports idles (the tree's
//! CPU below `idle_cpu_pct` during each, as far as the timeline shows) —
//! and no rule found a cause of waiting (`fixed_wait`,
//! `polling_granularity`, `retries`, `cold_start`), the waiting is taken
//! to be what the command is for: `sleep 1`, a program that waits for a
//! server. There is nothing to overlap the waits with and nothing shows
//! what they are for, so its `idle` findings are kept as information but
//! claim no saving (`impact_s` = 0, evidence `deliberate_wait` = 1) and so
//! cost no health points (applied by [`diagnose`](super::diagnose)).

use super::context::VariantData;
use super::format::{pct, saves, secs};
use super::gpu;
use super::options::{check_range, FindingOptionsError};
use super::waiting::{gpu_busy, GPU_BUSY_PCT};
use super::{finding, FindingOptions, RuleKind};
use perfwatch_model::Finding;
use perfwatch_stats::median;
use serde::{Deserialize, Serialize};

/// Thresholds of `idle`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdleOptions {
    /// A run idles below this CPU / wall ratio (default 0.3).
    pub max_cpu_ratio: f64,
    /// Least median share of wall time of an idle stage (default 0.10).
    pub min_stage_share: f64,
    /// Share of idle time assumed to be hidden by overlapping (default 0.5).
    pub overlap_fraction: f64,
}

impl Default for IdleOptions {
    fn default() -> Self {
        IdleOptions {
            max_cpu_ratio: 0.3,
            min_stage_share: 0.10,
            overlap_fraction: 0.5,
        }
    }
}

impl IdleOptions {
    pub(crate) fn validate(&self) -> Result<(), FindingOptionsError> {
        check_range(
            "idle.max_cpu_ratio",
            self.max_cpu_ratio,
            0.0,
            f64::MAX,
            "[0, ∞)",
        )?;
        check_range(
            "idle.min_stage_share",
            self.min_stage_share,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "idle.overlap_fraction",
            self.overlap_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )
    }
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    let mut out: Vec<Finding> = whole_run(v, opts).into_iter().collect();
    out.extend(v.paths.iter().filter_map(|p| stage(v, p, opts)));
    out
}

fn whole_run(v: &VariantData, opts: &FindingOptions) -> Option<Finding> {
    // A service waits for its requests between them by design: its run
    // lasts as long as the load, so its CPU share says how hard it was
    // loaded, not that it waits instead of computing.
    if v.runs.iter().any(|r| r.it.service.is_some()) {
        return None;
    }
    let o = &opts.idle;
    let per_run: Vec<(f64, f64)> = v
        .runs
        .iter()
        .filter(|r| r.it.wall_s > 0.0)
        .filter_map(|r| Some((r.cpu_s()?, r.it.wall_s)))
        .collect();
    let ratio = median(&per_run.iter().map(|(c, w)| c / w).collect::<Vec<_>>())?;
    let idle_s = median(
        &per_run
            .iter()
            .map(|(c, w)| (w - c).max(0.0))
            .collect::<Vec<_>>(),
    )?;
    let cpu_s = median(&per_run.iter().map(|p| p.0).collect::<Vec<_>>())?;
    if ratio >= o.max_cpu_ratio || !opts.worth(idle_s, v.wall_median) {
        return None;
    }
    // A CPU that waits for a busy GPU is not idle: the work is there.
    if gpu::busy_overall(v).is_some_and(|b| b >= GPU_BUSY_PCT) {
        return None;
    }
    let mut f = finding(RuleKind::Idle, v, None);
    f.title = format!(
        "Runs mostly wait: the CPU is busy {} of the wall time",
        pct(ratio)
    );
    let e = &mut f.evidence;
    e.insert("cpu_s".into(), cpu_s);
    e.insert("wall_s".into(), v.wall_median);
    e.insert("cpu_ratio".into(), ratio);
    e.insert("idle_s".into(), idle_s);
    e.insert("overlap_fraction".into(), o.overlap_fraction);
    f.impact_s = o.overlap_fraction * idle_s;
    f.confidence = 0.6;
    f.recommendation = format!(
        "The program waits ({} per run) on the network, the disk, other processes or \
         sleeps rather than computing: overlap independent waits (concurrency, pipelining \
         items), and see the stage findings for fixed waits and coarse polling. Hiding \
         {:.0} % of the waiting would {}.",
        secs(idle_s),
        o.overlap_fraction * 100.0,
        saves(f.impact_s)
    );
    f.effort = Some("high".into());
    Some(f)
}

fn stage(v: &VariantData, path: &str, opts: &FindingOptions) -> Option<Finding> {
    let o = &opts.idle;
    let share = v.share(path);
    if share < o.min_stage_share || share >= 0.9 {
        return None;
    }
    // A call shorter than two sampling periods shares its samples with
    // its neighbours: a busy 20 ms stage between two sleeps reads as idle.
    // Only judge stages whose calls the timeline resolves.
    let per_call = median(&v.durations(path))?;
    if per_call < 2.0 * sample_period(v)? {
        return None;
    }
    let cpu = v.cpu_pct(path)?;
    if cpu >= opts.idle_cpu_pct {
        return None;
    }
    if gpu_busy(v, path) {
        return None;
    }
    let total = median(&v.totals(path))?;
    let impact = o.overlap_fraction * total;
    if !opts.worth(impact, v.wall_median) {
        return None;
    }
    let mut f = finding(RuleKind::Idle, v, Some(path));
    f.title = format!(
        "`{path}` waits: the CPU idles ({cpu:.1} %) through its {} per run ({} of the run)",
        secs(total),
        pct(share)
    );
    let e = &mut f.evidence;
    e.insert("cpu_pct".into(), cpu);
    e.insert("share".into(), share);
    e.insert("total_s".into(), total);
    e.insert("calls_per_run".into(), v.calls_per_run(path));
    e.insert("overlap_fraction".into(), o.overlap_fraction);
    f.impact_s = impact;
    f.confidence = 0.4;
    f.recommendation = format!(
        "`{path}` waits on something outside the CPU (network, disk, another process, a \
         sleep). Overlap it with other work — start it earlier, run independent calls \
         concurrently, pipeline items. Hiding {:.0} % of its time would {}; the real figure \
         depends on what needs its result.",
        o.overlap_fraction * 100.0,
        saves(impact)
    );
    f.effort = Some("high".into());
    Some(f)
}

/// Makes a whole-run `idle` finding claim no saving because stage findings
/// already estimate what its waits cost; its text says so.
pub(crate) fn explained(f: &mut Finding) {
    f.impact_s = 0.0;
    f.evidence.insert("explained_by_stage_findings".into(), 1.0);
    let idle_s = f.evidence.get("idle_s").copied().unwrap_or(0.0);
    f.recommendation = format!(
        "The program waits ({} per run) rather than computing. The stage findings estimate \
         what its waits cost and what to do about them, so this finding claims no saving of \
         its own.",
        secs(idle_s)
    );
}

/// The cause rules whose findings explain waiting: when one fired, the
/// waiting is not deliberate.
const CAUSES: [RuleKind; 4] = [
    RuleKind::FixedWait,
    RuleKind::PollingGranularity,
    RuleKind::Retries,
    RuleKind::ColdStart,
];

/// Applies the deliberate-wait rule (see the module documentation) to the
/// reconciled findings of one variant.
pub(crate) fn deliberate(v: &VariantData, found: &mut [Finding], opts: &FindingOptions) {
    let caused = found.iter().any(|f| CAUSES.iter().any(|c| c.is(&f.kind)));
    let all_idle = v
        .paths
        .iter()
        .all(|p| v.cpu_pct(p).is_some_and(|cpu| cpu < opts.idle_cpu_pct));
    if caused || !all_idle {
        return;
    }
    let why = if v.paths.is_empty() {
        "no stages are reported"
    } else {
        "every stage reported idles"
    };
    for f in found.iter_mut().filter(|f| RuleKind::Idle.is(&f.kind)) {
        f.impact_s = 0.0;
        f.evidence.insert("deliberate_wait".into(), 1.0);
        f.evidence.remove("explained_by_stage_findings");
        f.recommendation = format!(
            "Nothing in these runs computes ({why}), so the waiting looks like what the \
             command is for — a sleep, a wait for a server — and no saving is claimed. If it \
             should not wait this long, report stages around the waits to see what each one \
             waits for."
        );
        f.effort = None;
    }
}

/// The resource sampler's period in these runs: the median spacing of
/// timeline samples; `None` without a timeline.
/// Median timeline sampling period of the variant's runs.
pub(crate) fn sample_period(v: &VariantData) -> Option<f64> {
    let gaps: Vec<f64> = v
        .runs
        .iter()
        .flat_map(|r| r.it.timeline.windows(2).map(|w| w[1].t_s - w[0].t_s))
        .filter(|g| *g > 0.0)
        .collect();
    median(&gaps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{run, session, variant};
    use perfwatch_model::SessionExport;

    /// Six runs of `download` (idle) for `wait` s, then `work` s of CPU.
    fn sess(wait: f64, work: f64) -> SessionExport {
        let its = (0..6)
            .map(|i| {
                let mut r = run(i);
                let job = r.open("job", None);
                r.step("download", Some(job), wait, false);
                r.step("parse", Some(job), work, true);
                r.close(job);
                r.finish()
            })
            .collect();
        session(vec![variant("v", its)])
    }

    fn rule(s: &SessionExport) -> Vec<Finding> {
        crate::findings::testkit::apply_rule(find, s)
    }

    #[test]
    fn a_waiting_run_and_its_idle_stage() {
        let fs = rule(&sess(0.8, 0.2));
        let kinds: Vec<(Option<&str>, f64)> = fs
            .iter()
            .map(|f| (f.stage.as_deref(), f.impact_s))
            .collect();
        assert_eq!(kinds.len(), 2, "{fs:?}");
        assert_eq!(kinds[0].0, None);
        assert!((kinds[0].1 - 0.5 * 0.803).abs() < 0.01, "{kinds:?}");
        assert_eq!(kinds[1].0, Some("job/download"));
        assert!((kinds[1].1 - 0.4).abs() < 1e-6);
    }

    #[test]
    fn a_service_idling_between_requests_is_no_whole_run_finding() {
        let mut s = sess(0.8, 0.2);
        for it in &mut s.variants[0].iterations {
            it.service = Some(
                serde_json::from_str(r#"{"port":1,"startup_s":0.1,"shutdown_s":0.01}"#).unwrap(),
            );
        }
        let fs = rule(&s);
        assert!(fs.iter().all(|f| f.stage.is_some()), "{fs:?}");
        assert_eq!(fs.len(), 1, "its idle stage still is one");
    }

    #[test]
    fn a_busy_run_or_a_small_wait_is_not_idle() {
        assert!(rule(&sess(0.05, 0.95)).is_empty());
        // 30 % waiting: the stage is idle, the run is not.
        let fs = rule(&sess(0.3, 0.7));
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].stage.as_deref(), Some("job/download"));
    }
}
