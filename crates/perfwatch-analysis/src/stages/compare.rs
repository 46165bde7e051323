//! Per-stage comparisons: which stage got slower.
//!
//! Every stage path that ran in at least `min_samples` counted iterations
//! of both variants gets one comparison of its per-iteration total time
//! (metric `total_s`), made by [`compare_samples`] like the whole-process
//! ones. A stage's time includes its children's, so a slower stage also
//! slows every stage above it, by a smaller fraction of their time; the
//! deepest regressed stage is the one to look at. Stages come in the
//! baseline's share order (largest first), then by path.

use super::summary::stage_samples;
use crate::{compare_samples, CompareOptions};
use perfwatch_model::{Comparison, VariantExport};
use std::collections::HashMap;

/// The metric key of stage comparisons.
pub const STAGE_METRIC: &str = "total_s";

/// One comparison per stage path that ran often enough on both sides; empty
/// when either variant reported no stages.
pub fn compare_stages(
    base: &VariantExport,
    cand: &VariantExport,
    opts: &CompareOptions,
) -> Vec<Comparison> {
    let need = opts.min_samples.max(1);
    let base_stages = stage_samples(&base.iterations);
    if base_stages.is_empty() {
        return Vec::new();
    }
    let cand_stages: HashMap<String, Vec<f64>> = stage_samples(&cand.iterations)
        .into_iter()
        .map(|s| (s.path, s.total_s))
        .collect();
    base_stages
        .iter()
        .filter(|b| b.total_s.len() >= need)
        .filter_map(|b| {
            let c = cand_stages.get(&b.path).filter(|c| c.len() >= need)?;
            Some(compare_samples(
                STAGE_METRIC,
                Some(&b.path),
                &base.name,
                &cand.name,
                &b.total_s,
                c,
                opts,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::tests::{iteration, span};
    use crate::summarize_variant;
    use perfwatch_model::{Iteration, Severity, Verdict};
    use perfwatch_stats::CiOptions;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// `n` iterations of `job` = load, transform (with parse), save, each
    /// stage's time jittered by ±1 %; `save` lasts `save_s`.
    fn pipeline(name: &str, n: u32, save_s: f64, seed: u64) -> VariantExport {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let its: Vec<Iteration> = (0..n)
            .map(|i| {
                let mut jitter = |s: f64| s * rng.random_range(0.99..1.01);
                let (load, parse, rest, save) =
                    (jitter(0.20), jitter(0.15), jitter(0.15), jitter(save_s));
                let t1 = load;
                let t2 = t1 + parse + rest;
                let end = t2 + save;
                let spans = vec![
                    span(1, None, "job", 0.0, end),
                    span(2, Some(1), "load", 0.0, t1),
                    span(3, Some(1), "transform", t1, t2),
                    span(4, Some(3), "parse", t1, t1 + parse),
                    span(5, Some(1), "save", t2, end),
                ];
                iteration(i, end + 0.005, spans)
            })
            .collect();
        summarize_variant(name, None, its, &CiOptions::default())
    }

    #[test]
    fn a_planted_regression_names_its_stage() {
        let base = pipeline("main", 20, 0.10, 1);
        let cand = pipeline("pr", 20, 0.13, 2);
        let cs = crate::compare_variants(&base, &cand, &crate::CompareOptions::default());
        let keys: Vec<(&str, Option<&str>)> = cs
            .iter()
            .map(|c| (c.metric.as_str(), c.stage.as_deref()))
            .collect();
        assert_eq!(
            keys,
            [
                ("wall_s", None),
                ("total_s", Some("job")),
                ("total_s", Some("job/transform")),
                ("total_s", Some("job/load")),
                ("total_s", Some("job/transform/parse")),
                ("total_s", Some("job/save")),
            ],
            "whole process first, then stages by share"
        );
        let by_stage = |path: &str| {
            cs.iter()
                .find(|c| c.stage.as_deref() == Some(path))
                .unwrap()
        };
        let save = by_stage("job/save");
        assert_eq!(
            (save.verdict, save.severity),
            (Verdict::Regressed, Severity::Medium)
        );
        assert!((save.change_pct - 30.0).abs() < 3.0, "{save:?}");
        assert_eq!((save.baseline_n, save.candidate_n), (20, 20));
        for path in ["job/load", "job/transform", "job/transform/parse"] {
            let c = by_stage(path);
            assert_eq!(c.verdict, Verdict::Unchanged, "{c:?}");
            assert_eq!(c.severity, Severity::None);
        }
        // The enclosing stage slows by save's part of it: 0.03 s of 0.6 s.
        let job = by_stage("job");
        assert!((job.change_pct - 5.0).abs() < 1.5, "{job:?}");
    }

    #[test]
    fn stages_must_run_often_enough_on_both_sides() {
        let opts = crate::CompareOptions::default();
        let base = pipeline("a", 6, 0.1, 3);
        let plain: Vec<Iteration> = (0..6).map(|i| iteration(i, 1.0, vec![])).collect();
        let plain = summarize_variant("b", None, plain, &CiOptions::default());
        assert!(compare_stages(&base, &plain, &opts).is_empty());
        assert!(compare_stages(&plain, &base, &opts).is_empty());
        let cs = crate::compare_variants(&base, &plain, &opts);
        assert!(cs.iter().all(|c| c.stage.is_none()), "{cs:?}");

        // Four runs on one side is below the default minimum of five.
        let few = pipeline("c", 4, 0.1, 4);
        assert!(compare_stages(&base, &few, &opts).is_empty());
        let lenient = crate::CompareOptions {
            min_samples: 4,
            ..opts
        };
        assert_eq!(compare_stages(&base, &few, &lenient).len(), 5);

        // A stage on one side only is not compared.
        let mut extra = pipeline("d", 6, 0.1, 5);
        for it in &mut extra.iterations {
            it.stages.push(span(9, None, "cleanup", 1.0, 1.1));
        }
        let cs = compare_stages(&base, &extra, &opts);
        assert_eq!(cs.len(), 5);
        assert!(cs.iter().all(|c| c.stage.as_deref() != Some("cleanup")));
    }
}
