//! `cold_start`: the first call of a stage in each run — or the first run
//! of a variant — is much slower than the rest ("first track at 9.1 s
//! against 1.7 s for the next").
//!
//! **Within runs.** For every run with at least two single calls of a
//! stage, the first call (by start time) is compared with the median of the
//! later ones. It is slow when it is more than `ratio` (2×) the later median
//! *and* more than `min_diff_s` (20 ms) above it; the rule fires when at
//! least `min_slow_runs` (75 %) of those runs have a slow first call, so a
//! one-off stall does not count. Saving per run: the median excess (first −
//! later) times the share of runs that call the stage more than once.
//!
//! **Across runs.** The first finished run (warm-ups included: that is
//! where a cold start shows) against the median of at least
//! `min_other_runs` (3) later ones, with the same two thresholds. Saving:
//! the excess — what every run would pay if, as in production, each one
//! started cold; confidence 0.5, since the benchmark cannot tell whether
//! real runs start cold (a `--warmup` hides this from the statistics, not
//! from users).

use super::context::VariantData;
use super::format::{saves, secs};
use super::options::{check_range, FindingOptionsError};
use super::{finding, FindingOptions, RuleKind};
use perfwatch_model::Finding;
use perfwatch_stats::median;
use serde::{Deserialize, Serialize};

/// Thresholds of `cold_start`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ColdStartOptions {
    /// The first call must exceed this multiple of the later ones (default 2).
    pub ratio: f64,
    /// … and exceed them by at least this many seconds (default 0.02).
    pub min_diff_s: f64,
    /// Least share of runs with a slow first call (default 0.75).
    pub min_slow_runs: f64,
    /// Fewest later runs to judge the first run against (default 3).
    pub min_other_runs: usize,
}

impl Default for ColdStartOptions {
    fn default() -> Self {
        ColdStartOptions {
            ratio: 2.0,
            min_diff_s: 0.02,
            min_slow_runs: 0.75,
            min_other_runs: 3,
        }
    }
}

impl ColdStartOptions {
    pub(crate) fn validate(&self) -> Result<(), FindingOptionsError> {
        check_range("cold_start.ratio", self.ratio, 1.0, f64::MAX, "[1, ∞)")?;
        check_range(
            "cold_start.min_diff_s",
            self.min_diff_s,
            0.0,
            f64::MAX,
            "[0, ∞)",
        )?;
        check_range(
            "cold_start.min_slow_runs",
            self.min_slow_runs,
            0.0,
            1.0,
            "[0, 1]",
        )
    }

    fn slow(&self, first: f64, typical: f64) -> bool {
        first > self.ratio * typical && first - typical > self.min_diff_s
    }
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    let mut out: Vec<Finding> = v
        .paths
        .iter()
        .filter_map(|path| first_call(v, path, opts))
        .collect();
    out.extend(first_run(v, opts));
    out
}

fn first_call(v: &VariantData, path: &str, opts: &FindingOptions) -> Option<Finding> {
    let o = &opts.cold_start;
    let pairs: Vec<(f64, f64)> = v
        .runs
        .iter()
        .filter_map(|r| {
            let ds: Vec<f64> = r
                .calls_of(path)
                .filter(|c| c.single())
                .map(|c| c.duration())
                .collect();
            let (&first, rest) = ds.split_first()?;
            Some((first, median(rest)?))
        })
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let slow = pairs.iter().filter(|&&(f, t)| o.slow(f, t)).count() as f64 / pairs.len() as f64;
    if slow < o.min_slow_runs {
        return None;
    }
    let excess = median(&pairs.iter().map(|(f, t)| f - t).collect::<Vec<_>>())?;
    let first = median(&pairs.iter().map(|p| p.0).collect::<Vec<_>>())?;
    let typical = median(&pairs.iter().map(|p| p.1).collect::<Vec<_>>())?;
    let impact = excess * pairs.len() as f64 / v.runs.len() as f64;
    if !opts.worth(impact, v.wall_median) {
        return None;
    }
    let mut f = finding(RuleKind::ColdStart, v, Some(path));
    f.title = format!(
        "The first `{path}` call of each run takes {}, later ones {} (cold start)",
        secs(first),
        secs(typical)
    );
    let e = &mut f.evidence;
    e.insert("first_s".into(), first);
    e.insert("typical_s".into(), typical);
    e.insert(
        "ratio".into(),
        if typical > 0.0 {
            first / typical
        } else {
            f64::MAX
        },
    );
    e.insert("excess_s".into(), excess);
    e.insert("slow_runs_fraction".into(), slow);
    e.insert("runs".into(), pairs.len() as f64);
    f.impact_s = impact;
    f.confidence = 0.9 * slow * if pairs.len() >= 3 { 1.0 } else { 0.7 };
    f.recommendation = format!(
        "Pay the set-up once and ahead of need: open the connection or pool, load the model, \
         warm the cache or JIT before the first `{path}` call, or overlap that set-up with \
         other work. That would {}.",
        saves(impact)
    );
    f.effort = Some("medium".into());
    Some(f)
}

fn first_run(v: &VariantData, opts: &FindingOptions) -> Option<Finding> {
    let o = &opts.cold_start;
    let (first, rest) = v.finished.split_first()?;
    if rest.len() < o.min_other_runs.max(1) {
        return None;
    }
    let typical = median(&rest.iter().map(|it| it.wall_s).collect::<Vec<_>>())?;
    let excess = first.wall_s - typical;
    if !o.slow(first.wall_s, typical) || !opts.worth(excess, typical) {
        return None;
    }
    let mut f = finding(RuleKind::ColdStart, v, None);
    f.title = format!(
        "The first run took {}, later runs {} (cold start)",
        secs(first.wall_s),
        secs(typical)
    );
    let e = &mut f.evidence;
    e.insert("first_run_s".into(), first.wall_s);
    e.insert("typical_run_s".into(), typical);
    e.insert("excess_s".into(), excess);
    e.insert(
        "first_was_warmup".into(),
        if first.warmup { 1.0 } else { 0.0 },
    );
    f.impact_s = excess;
    f.confidence = 0.5;
    f.recommendation = format!(
        "Something is set up or loaded on the first run only (caches, compiled code, a \
         database warming up). If real runs start cold, each pays {}: persisting or \
         pre-building what the first run creates would {}. Otherwise keep it out of the \
         statistics with --warmup.",
        secs(excess),
        saves(excess)
    );
    f.effort = Some("medium".into());
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{rng, run, session, uniform, variant};
    use perfwatch_model::SessionExport;

    fn sess(first: f64, later: f64, runs: u32) -> SessionExport {
        let mut g = rng(21);
        let its = (0..runs)
            .map(|i| {
                let mut r = run(i);
                for c in 0..3 {
                    let d = if c == 0 { first } else { later };
                    r.step("fetch", None, d + uniform(&mut g, 0.0, 0.001), false);
                    r.advance(0.1, true);
                }
                r.finish()
            })
            .collect();
        session(vec![variant("v", its)])
    }

    fn rule(s: &SessionExport) -> Vec<Finding> {
        crate::findings::testkit::apply_rule(find, s)
    }

    #[test]
    fn a_slow_first_call_is_a_cold_start() {
        let fs = rule(&sess(0.170, 0.020, 6));
        assert_eq!(fs.len(), 1, "{fs:?}");
        assert!((fs[0].impact_s - 0.150).abs() < 0.002, "{}", fs[0].impact_s);
        assert!(fs[0].confidence > 0.8);
    }

    #[test]
    fn similar_or_slightly_slower_first_calls_are_not() {
        assert!(rule(&sess(0.020, 0.020, 6)).is_empty());
        assert!(rule(&sess(0.035, 0.020, 6)).is_empty()); // < 2×
        assert!(rule(&sess(0.009, 0.004, 6)).is_empty()); // 2×, but only 5 ms
    }

    #[test]
    fn one_stalled_run_is_not_a_pattern() {
        let mut s = sess(0.020, 0.020, 8);
        let it = &mut s.variants[0].iterations[3];
        let first = it.stages.iter_mut().next().unwrap();
        first.end_s += 0.3;
        assert!(rule(&s).is_empty());
    }

    #[test]
    fn a_slow_first_run() {
        let its = (0..6)
            .map(|i| {
                let mut r = run(i);
                r.advance(if i == 0 { 2.5 } else { 1.0 }, true);
                let r = if i == 0 { r.warmup() } else { r };
                r.finish()
            })
            .collect();
        let fs = rule(&session(vec![variant("v", its)]));
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].stage, None);
        assert!((fs[0].impact_s - 1.5).abs() < 0.01);
        assert_eq!(fs[0].evidence["first_was_warmup"], 1.0);
    }
}
