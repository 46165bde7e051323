//! `noisy_stage`: one stage makes the run's wall time vary.
//!
//! With at least `min_runs` runs whose wall time varies noticeably (CV ≥
//! `min_wall_cv`, 5 %), a stage whose time per run varies by itself (CV ≥
//! `min_stage_cv`, 10 %) and whose variance is at least
//! `min_variance_share` (half) of the wall time's variance is the source
//! of the noise. A stage holding ≥ 90 % of the run is the program itself
//! and is skipped; when a stage below also qualifies,
//! [`diagnose`](super::diagnose) keeps only the deeper one.
//!
//! Saving per run: `mean − median` of the stage's time, the average cost
//! of its slow tail (0 for symmetric noise: the finding is then about
//! measurement quality — noisy runs need more iterations to show a change).

use super::context::{mean_sd, VariantData};
use super::format::{pct, saves};
use super::options::{check_range, FindingOptionsError};
use super::{finding, FindingOptions, RuleKind};
use perfwatch_model::Finding;
use perfwatch_stats::median;
use serde::{Deserialize, Serialize};

/// Thresholds of `noisy_stage`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoisyStageOptions {
    /// Least share of the wall-time variance (default 0.5).
    pub min_variance_share: f64,
    /// Least CV of the stage's time per run (default 0.10).
    pub min_stage_cv: f64,
    /// Least CV of the wall time (default 0.05).
    pub min_wall_cv: f64,
    /// Fewest runs (default 5).
    pub min_runs: usize,
}

impl Default for NoisyStageOptions {
    fn default() -> Self {
        NoisyStageOptions {
            min_variance_share: 0.5,
            min_stage_cv: 0.10,
            min_wall_cv: 0.05,
            min_runs: 5,
        }
    }
}

impl NoisyStageOptions {
    pub(crate) fn validate(&self) -> Result<(), FindingOptionsError> {
        let name = "noisy_stage.min_variance_share";
        check_range(name, self.min_variance_share, 0.0, f64::MAX, "[0, ∞)")?;
        check_range(
            "noisy_stage.min_stage_cv",
            self.min_stage_cv,
            0.0,
            f64::MAX,
            "[0, ∞)",
        )?;
        check_range(
            "noisy_stage.min_wall_cv",
            self.min_wall_cv,
            0.0,
            f64::MAX,
            "[0, ∞)",
        )
    }
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    let o = &opts.noisy_stage;
    let walls = v.walls();
    if walls.len() < o.min_runs.max(3) {
        return vec![];
    }
    let Some((wall_mean, wall_sd)) = mean_sd(&walls) else {
        return vec![];
    };
    let wall_cv = wall_sd / wall_mean;
    if !(wall_mean > 0.0 && wall_cv >= o.min_wall_cv) {
        return vec![];
    }
    v.paths
        .iter()
        .filter(|p| v.share(p) < 0.9)
        .filter_map(|path| {
            let totals = v.totals(path);
            let (mean, sd) = mean_sd(&totals)?;
            let cv = if mean > 0.0 { sd / mean } else { 0.0 };
            let share = sd * sd / (wall_sd * wall_sd);
            if cv < o.min_stage_cv || share < o.min_variance_share {
                return None;
            }
            let med = median(&totals)?;
            let mut f = finding(RuleKind::NoisyStage, v, Some(path));
            f.title = format!(
                "`{path}` makes runs noisy: it holds {} of the wall-time variance (CV {})",
                pct(share.min(1.0)),
                pct(cv)
            );
            let e = &mut f.evidence;
            e.insert("variance_share".into(), share);
            e.insert("stage_cv".into(), cv);
            e.insert("wall_cv".into(), wall_cv);
            e.insert("mean_s".into(), mean);
            e.insert("median_s".into(), med);
            e.insert("max_s".into(), totals.iter().copied().fold(0.0, f64::max));
            e.insert("runs".into(), totals.len() as f64);
            f.impact_s = (mean - med).max(0.0);
            f.confidence = 0.7;
            let tail = if f.impact_s > 0.0 {
                format!("Removing its slow tail would {}.", saves(f.impact_s))
            } else {
                "Its noise is symmetric, so no saving is claimed.".to_string()
            };
            f.recommendation = format!(
                "Its time varies from run to run (network, contention, caches, input): look at \
                 its slowest runs; for benchmarking, stabilise it (mock or pin the dependency, \
                 warm the cache). Until then comparisons need more runs to see a change of a \
                 few percent. {tail}"
            );
            f.effort = Some("medium".into());
            Some(f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{rng, run, session, uniform, variant};
    use perfwatch_model::SessionExport;

    /// `runs` runs of the given stages: (name, seconds, ± relative spread, busy).
    fn sess(runs: u32, stages: &[(&str, f64, f64, bool)]) -> SessionExport {
        let mut g = rng(31);
        let its = (0..runs)
            .map(|i| {
                let mut r = run(i);
                let job = r.open("job", None);
                for &(name, d, a, busy) in stages {
                    r.step(name, Some(job), d * uniform(&mut g, 1.0 - a, 1.0 + a), busy);
                }
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
    fn the_stage_behind_the_noise_is_named() {
        let fs = rule(&sess(
            8,
            &[("fetch", 0.3, 0.8, false), ("work", 0.7, 0.01, true)],
        ));
        assert_eq!(fs.len(), 1, "{fs:?}");
        assert_eq!(fs[0].stage.as_deref(), Some("job/fetch"));
        assert!(fs[0].evidence["variance_share"] > 0.5);
    }

    #[test]
    fn quiet_runs_or_spread_noise_are_not_noisy_stages() {
        // Both stages vary a little: the wall CV stays under 5 %.
        let quiet = [("fetch", 0.3, 0.05, false), ("work", 0.7, 0.05, true)];
        assert!(rule(&sess(8, &quiet)).is_empty());
        // Four stages vary alike: none holds half of the variance.
        let spread: Vec<(&str, f64, f64, bool)> = ["a", "b", "c", "d"]
            .into_iter()
            .map(|n| (n, 0.25, 0.3, true))
            .collect();
        let s = sess(30, &spread);
        let data = VariantData::new(&s.variants[0]);
        let (m, sd) = mean_sd(&data.walls()).unwrap();
        assert!(sd / m >= 0.05, "the wall time must vary for this case");
        assert!(rule(&s).is_empty());
    }
}
