//! `bottleneck`: where the time of a run goes, stage by stage.
//!
//! Stages are ranked by **self time** (a call's duration minus its direct
//! children's), as a median share of the run's wall time: a parent that
//! merely encloses its children ranks low, and the stage named is the one
//! where the time is actually spent. A stage that covers ≥ 90 % of the run
//! and never has children is the program itself and is left out: naming it
//! says nothing. Ratings: red from `red` (40 %), yellow from `yellow`
//! (20 %), green below.
//!
//! The finding names the top stage when it is red. Its `impact_s` is what
//! its text states: halving the stage's self time would save half of it
//! per run (`if_halved_s` in the evidence). That is a yardstick, not a
//! diagnosis — a bottleneck shows where to look, and the other findings
//! say why it is slow and what fixing that would save — so the health
//! score never counts it (see [`health`](mod@crate::health)). On its own
//! (nothing else found) it is dropped by [`diagnose`](super::diagnose).

use super::context::VariantData;
use super::format::{pct, saves, secs};
use super::options::{check_range, FindingOptionsError};
use super::{finding, FindingOptions, RuleKind};
use perfwatch_model::{Finding, VariantExport};
use perfwatch_stats::median;
use serde::{Deserialize, Serialize};

/// Thresholds of the stage ratings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BottleneckOptions {
    /// Red from this share of wall time (default 0.40).
    pub red: f64,
    /// Yellow from this share (default 0.20).
    pub yellow: f64,
}

impl Default for BottleneckOptions {
    fn default() -> Self {
        BottleneckOptions {
            red: 0.40,
            yellow: 0.20,
        }
    }
}

impl BottleneckOptions {
    pub(crate) fn validate(&self) -> Result<(), FindingOptionsError> {
        check_range("bottleneck.red", self.red, 0.0, 1.0, "[0, 1]")?;
        check_range(
            "bottleneck.yellow",
            self.yellow,
            0.0,
            self.red,
            "[0, bottleneck.red]",
        )
    }

    fn rate(&self, share: f64) -> Rating {
        if share >= self.red {
            Rating::Red
        } else if share >= self.yellow {
            Rating::Yellow
        } else {
            Rating::Green
        }
    }
}

/// How much of the run a stage takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// At least `red` of wall time.
    Red,
    /// At least `yellow`.
    Yellow,
    /// Less.
    Green,
}

/// One stage in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRank {
    /// Stage path.
    pub path: String,
    /// Median share of wall time spent in the stage itself.
    pub self_share: f64,
    /// Median share of wall time spent in the stage, children included.
    pub total_share: f64,
    /// Median self seconds per run.
    pub self_s: f64,
    /// Rating of `self_share`.
    pub rating: Rating,
}

/// The stages of a variant ranked by self share, largest first.
pub fn rank_stages(variant: &VariantExport, opts: &BottleneckOptions) -> Vec<StageRank> {
    ranks(&VariantData::new(variant), opts)
}

pub(crate) fn ranks(v: &VariantData, opts: &BottleneckOptions) -> Vec<StageRank> {
    let mut out: Vec<StageRank> = v
        .paths
        .iter()
        .filter_map(|path| {
            let per_run: Vec<(f64, f64)> = v
                .runs
                .iter()
                .filter(|r| r.it.wall_s > 0.0)
                .map(|r| (r.self_total(path), r.it.wall_s))
                .collect();
            let self_share = median(&per_run.iter().map(|(s, w)| s / w).collect::<Vec<_>>())?;
            let self_s = median(&per_run.iter().map(|(s, _)| *s).collect::<Vec<_>>())?;
            let total_share = v.share(path);
            let childless = v
                .runs
                .iter()
                .all(|r| r.calls_of(path).all(|c| c.children_s == 0.0));
            if childless && total_share >= 0.9 {
                return None;
            }
            Some(StageRank {
                path: path.clone(),
                self_share,
                total_share,
                self_s,
                rating: opts.rate(self_share),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.self_share
            .total_cmp(&a.self_share)
            .then_with(|| a.path.cmp(&b.path))
    });
    out
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    let ranked = ranks(v, &opts.bottleneck);
    let Some(top) = ranked.first().filter(|r| r.rating == Rating::Red) else {
        return vec![];
    };
    let mut f = finding(RuleKind::Bottleneck, v, Some(&top.path));
    f.title = format!(
        "`{}` is the primary bottleneck: {} of wall time",
        top.path,
        pct(top.self_share)
    );
    let e = &mut f.evidence;
    e.insert("self_share".into(), top.self_share);
    e.insert("total_share".into(), top.total_share);
    e.insert("self_s".into(), top.self_s);
    e.insert("wall_s".into(), v.wall_median);
    e.insert("if_halved_s".into(), top.self_s / 2.0);
    e.insert("red_threshold".into(), opts.bottleneck.red);
    let count = |rating| ranked.iter().filter(|r| r.rating == rating).count() as f64;
    e.insert("red_stages".into(), count(Rating::Red));
    e.insert("yellow_stages".into(), count(Rating::Yellow));
    for r in ranked.iter().take(5) {
        e.insert(format!("share:{}", r.path), r.self_share);
    }
    f.impact_s = top.self_s / 2.0;
    f.confidence = if v.runs.len() >= 5 { 0.9 } else { 0.6 };
    f.recommendation = format!(
        "Start here: `{}` takes {} of each run; halving it would {}. \
         The other findings say why it is slow.",
        top.path,
        secs(top.self_s),
        saves(f.impact_s)
    );
    f.effort = Some("medium".into());
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{assert_states_its_saving, run, session, variant};

    fn data(steps: &[(&str, f64)]) -> perfwatch_model::SessionExport {
        let its = (0..5)
            .map(|i| {
                let mut r = run(i);
                let job = r.open("job", None);
                for &(name, d) in steps {
                    r.step(name, Some(job), d, true);
                }
                r.close(job);
                r.finish()
            })
            .collect();
        session(vec![variant("v", its)])
    }

    #[test]
    fn names_the_red_stage_by_self_time() {
        let s = data(&[("load", 0.1), ("compute", 0.6), ("save", 0.3)]);
        let v = VariantData::new(&s.variants[0]);
        let fs = find(std::slice::from_ref(&v), 0, &FindingOptions::default());
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].stage.as_deref(), Some("job/compute"));
        assert!((fs[0].impact_s - fs[0].evidence["self_s"] / 2.0).abs() < 1e-12);
        assert_states_its_saving(&fs[0]);
        assert!((fs[0].evidence["self_share"] - 0.6).abs() < 0.02);
        let ranks = rank_stages(&s.variants[0], &BottleneckOptions::default());
        let ratings: Vec<(&str, Rating)> =
            ranks.iter().map(|r| (r.path.as_str(), r.rating)).collect();
        assert_eq!(
            ratings,
            [
                ("job/compute", Rating::Red),
                ("job/save", Rating::Yellow),
                ("job/load", Rating::Green),
                ("job", Rating::Green),
            ]
        );
    }

    #[test]
    fn balanced_stages_and_the_whole_program_are_not_bottlenecks() {
        let s = data(&[("a", 0.3), ("b", 0.35), ("c", 0.35)]);
        let v = VariantData::new(&s.variants[0]);
        assert!(find(std::slice::from_ref(&v), 0, &FindingOptions::default()).is_empty());
        // One childless root covering the run: the program itself.
        let its = (0..5)
            .map(|i| {
                let mut r = run(i);
                r.step("main", None, 1.0, true);
                r.finish()
            })
            .collect();
        let s = session(vec![variant("v", its)]);
        let v = VariantData::new(&s.variants[0]);
        assert!(find(std::slice::from_ref(&v), 0, &FindingOptions::default()).is_empty());
    }
}
