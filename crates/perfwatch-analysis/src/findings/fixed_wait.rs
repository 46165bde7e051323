//! `fixed_wait`: a stage that waits a fixed time instead of waiting for
//! its condition ("consistent 10 s timeouts indicate complete detection
//! failure").
//!
//! Fires for a stage whose single calls (at least `min_calls`) have a
//! near-constant duration (coefficient of variation ≤ `max_cv`, 2 %) whose
//! median is a round value (see [`super::grid`]), that spends its time in
//! itself rather than in child stages (self time ≥ `min_self_fraction` of
//! the call), while the process tree idles (see [`super::waiting`]).
//!
//! **Saving.** When another variant runs the same stage faster, the
//! condition is met after that variant's median call `c`, and the saving
//! is `(wait − c) × calls per run`. When another variant runs it but none
//! faster, this variant is the best seen and nothing is claimed. When no
//! other variant runs it, the condition's time is unknown: the estimate is
//! `unobserved_fraction × wait × calls per run` (half the wait by
//! default), the evidence says so (`condition_observed` = 0,
//! `assumed_fraction`), and the confidence is lower; waits under
//! `min_unobserved_wait_s` (100 ms) are then not reported at all — a short
//! constant idle time is as often a fixed cost (a timer tick, a device's
//! latency) as a wait, and nothing shows which.

use super::context::{mean_sd, VariantData};
use super::format::{saves, secs};
use super::grid::round_value;
use super::options::{check_range, FindingOptionsError};
use super::waiting::{condition, idleness, Condition};
use super::{finding, FindingOptions, RuleKind};
use perfwatch_model::Finding;
use perfwatch_stats::median;
use serde::{Deserialize, Serialize};

/// Thresholds of `fixed_wait`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixedWaitOptions {
    /// Largest coefficient of variation of the calls (default 0.02).
    pub max_cv: f64,
    /// Fewest single calls over all runs (default 3).
    pub min_calls: usize,
    /// Share of the wait assumed saved when no variant shows the
    /// condition's time (default 0.5).
    pub unobserved_fraction: f64,
    /// Least median share of a call spent in the stage itself (default 0.8).
    pub min_self_fraction: f64,
    /// Without another variant showing the condition, shorter waits (by
    /// their round value) are not reported (default 0.1 s).
    pub min_unobserved_wait_s: f64,
}

impl Default for FixedWaitOptions {
    fn default() -> Self {
        FixedWaitOptions {
            max_cv: 0.02,
            min_calls: 3,
            unobserved_fraction: 0.5,
            min_self_fraction: 0.8,
            min_unobserved_wait_s: 0.1,
        }
    }
}

impl FixedWaitOptions {
    pub(crate) fn validate(&self) -> Result<(), FindingOptionsError> {
        check_range("fixed_wait.max_cv", self.max_cv, 0.0, 1.0, "[0, 1]")?;
        check_range(
            "fixed_wait.unobserved_fraction",
            self.unobserved_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "fixed_wait.min_self_fraction",
            self.min_self_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        let name = "fixed_wait.min_unobserved_wait_s";
        check_range(name, self.min_unobserved_wait_s, 0.0, f64::MAX, "[0, ∞)")
    }
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    all[me]
        .paths
        .iter()
        .filter_map(|path| check(all, me, path, opts))
        .collect()
}

fn check(all: &[VariantData], me: usize, path: &str, opts: &FindingOptions) -> Option<Finding> {
    let v = &all[me];
    let o = &opts.fixed_wait;
    let ds = v.durations(path);
    if ds.len() < o.min_calls.max(1) || v.runs.is_empty() {
        return None;
    }
    let wait = median(&ds)?;
    let (mean, sd) = mean_sd(&ds)?;
    let cv = if mean > 0.0 { sd / mean } else { f64::INFINITY };
    if cv > o.max_cv {
        return None;
    }
    let round = round_value(wait)?;
    if v.self_fraction(path) < o.min_self_fraction {
        return None;
    }
    let idle = idleness(v, path, opts)?;
    let calls = ds.len() as f64 / v.runs.len() as f64;
    let mut f = finding(RuleKind::FixedWait, v, Some(path));
    let (per_call, basis_confidence, how) = match condition(all, me, path, wait) {
        Condition::Observed {
            variant,
            per_call_s,
        } => {
            f.evidence.insert("condition_s".into(), per_call_s);
            f.evidence.insert("condition_observed".into(), 1.0);
            let how = format!(
                "in variant `{variant}` the same stage takes {}",
                secs(per_call_s)
            );
            (wait - per_call_s, 1.0, how)
        }
        Condition::NotFaster => return None,
        Condition::NoOther if round < o.min_unobserved_wait_s => return None,
        Condition::NoOther => {
            f.evidence.insert("condition_observed".into(), 0.0);
            f.evidence
                .insert("assumed_fraction".into(), o.unobserved_fraction);
            let how = format!(
                "how soon the condition holds was not observed (no other variant runs this \
                 stage), so the saving assumes {:.0} % of the wait; time the condition itself, \
                 or run a variant that waits for it, to know",
                o.unobserved_fraction * 100.0
            );
            (wait * o.unobserved_fraction, 0.6, how)
        }
    };
    let impact = per_call * calls;
    if !opts.worth(impact, v.wall_median) {
        return None;
    }
    f.title = format!(
        "`{path}` waits a fixed {} ({calls:.1} calls per run) while the CPU idles",
        secs(round)
    );
    let e = &mut f.evidence;
    e.insert("wait_s".into(), wait);
    e.insert("round_value_s".into(), round);
    e.insert("cv".into(), cv);
    e.insert("calls".into(), ds.len() as f64);
    e.insert("calls_per_run".into(), calls);
    e.insert("saving_per_call_s".into(), per_call);
    idle.record(e);
    f.impact_s = impact;
    f.confidence = 0.9 * idle.confidence() * basis_confidence;
    f.recommendation = format!(
        "Wait for the condition itself — poll it every few ms with an upper bound, or \
         subscribe to an event — instead of a fixed {}: {how}. That would {}. A wait this \
         constant is a sleep or a timeout that always expires (the condition is never \
         detected).",
        secs(round),
        saves(impact)
    );
    f.effort = Some("low".into());
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{assert_states_its_saving, rng, run, session, uniform, variant};
    use perfwatch_model::SessionExport;

    /// Runs of `calls` × (a stage of `d()` seconds, busy or not, then 50 ms
    /// of busy work).
    fn sess(names: &[(&str, f64, bool)], calls: usize) -> SessionExport {
        let mut g = rng(7);
        let variants = names
            .iter()
            .map(|&(name, d, busy)| {
                let its = (0..6)
                    .map(|i| {
                        let mut r = run(i);
                        let job = r.open("job", None);
                        for _ in 0..calls {
                            r.step("wait", Some(job), d + uniform(&mut g, 0.0001, 0.0006), busy);
                            r.step("work", Some(job), 0.05, true);
                        }
                        r.close(job);
                        r.finish()
                    })
                    .collect();
                variant(name, its)
            })
            .collect();
        session(variants)
    }

    fn run_rule(s: &SessionExport, me: usize) -> Vec<Finding> {
        let data: Vec<VariantData> = s.variants.iter().map(VariantData::new).collect();
        let found = find(&data, me, &FindingOptions::default());
        found.iter().for_each(assert_states_its_saving);
        found
    }

    #[test]
    fn observed_condition_gives_the_saving() {
        let s = sess(&[("before", 0.2, false), ("after", 0.04, false)], 3);
        let fs = run_rule(&s, 0);
        assert_eq!(fs.len(), 1, "{fs:?}");
        let f = &fs[0];
        assert_eq!(f.stage.as_deref(), Some("job/wait"));
        assert!((f.impact_s - 0.48).abs() < 0.01, "{}", f.impact_s);
        assert_eq!(f.evidence["condition_observed"], 1.0);
        assert!(f.evidence["cpu_pct"] < 15.0);
        // The faster variant is the best seen: nothing claimed there.
        assert!(run_rule(&s, 1).is_empty());
    }

    #[test]
    fn one_variant_still_fires_with_a_stated_assumption() {
        let s = sess(&[("only", 0.2, false)], 3);
        let f = &run_rule(&s, 0)[0];
        assert_eq!(f.evidence["condition_observed"], 0.0);
        assert!((f.impact_s - 0.3).abs() < 0.01, "{}", f.impact_s);
        assert!(f.confidence < 0.6);
        assert!(f.recommendation.contains("not observed"));
    }

    #[test]
    fn busy_irregular_or_odd_durations_are_not_waits() {
        // Busy CPU during a constant, round stage.
        assert!(run_rule(&sess(&[("v", 0.2, true)], 3), 0).is_empty());
        // Not round: 237 ms.
        assert!(run_rule(&sess(&[("v", 0.237, false)], 3), 0).is_empty());
        // Irregular: durations spread over ±30 %.
        let mut g = rng(3);
        let its = (0..6)
            .map(|i| {
                let mut r = run(i);
                for _ in 0..3 {
                    r.step("wait", None, 0.2 * uniform(&mut g, 0.7, 1.3), false);
                    r.advance(0.05, true);
                }
                r.finish()
            })
            .collect();
        assert!(run_rule(&session(vec![variant("v", its)]), 0).is_empty());
    }

    #[test]
    fn without_timeline_cpu_times_decide() {
        let build = |busy: bool| {
            let its = (0..6)
                .map(|i| {
                    let mut r = run(i).without_timeline();
                    for _ in 0..3 {
                        r.step("wait", None, 0.2003, busy);
                        r.advance(0.05, true);
                    }
                    r.finish()
                })
                .collect();
            session(vec![variant("v", its)])
        };
        let fs = run_rule(&build(false), 0);
        assert_eq!(fs[0].evidence["idle_from_cpu_times"], 1.0);
        assert!(run_rule(&build(true), 0).is_empty());
    }
}
