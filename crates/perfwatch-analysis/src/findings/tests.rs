//! Whole-session tests: the demo pipeline's planted problems are found with
//! savings near the planted ones, and clean sessions yield nothing.

use super::testkit::{
    assert_states_its_saving, rng, run, session, uniform, variant, Demo, BASE_RSS,
};
use super::*;
use crate::health::health;
use perfwatch_model::{Finding, Iteration};

/// Whether a finding shows in `variant` (in front, or among `variants`).
fn shows(f: &Finding, variant: &str) -> bool {
    f.variant.as_deref() == Some(variant) || f.variants.iter().any(|v| v.name == variant)
}

/// `variant`'s saving in the finding.
fn impact_in(f: &Finding, variant: &str) -> f64 {
    match f.variants.iter().find(|v| v.name == variant) {
        Some(v) => v.impact_s,
        None => f.impact_s,
    }
}

fn find<'a>(fs: &'a [Finding], kind: &str, variant: &str, stage: &str) -> &'a Finding {
    fs.iter()
        .find(|f| f.kind == kind && shows(f, variant) && f.stage.as_deref() == Some(stage))
        .unwrap_or_else(|| panic!("no {kind} on {stage} in {variant}: {fs:#?}"))
}

/// Every finding states its saving, no cause is told twice, and the order
/// is the documented ranking.
fn assert_believable(fs: &[Finding]) {
    fs.iter().for_each(assert_states_its_saving);
    for (i, f) in fs.iter().enumerate() {
        let same = |g: &&Finding| {
            g.kind == f.kind
                && g.stage == f.stage
                && g.evidence.contains_key("slope_bytes_per_run")
                    == f.evidence.contains_key("slope_bytes_per_run")
        };
        assert_eq!(
            fs.iter().filter(same).count(),
            1,
            "told twice: {:#?}",
            fs[i]
        );
        let names: Vec<&str> = f.variants.iter().map(|v| v.name.as_str()).collect();
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(names, unique);
        assert!(f.variants.is_empty() || f.variants.len() >= 2);
    }
    assert!(fs.windows(2).all(|w| rank(&w[0], &w[1]).is_le()));
}

fn within(estimate: f64, planted: f64, tolerance: f64) -> bool {
    (estimate - planted).abs() <= tolerance * planted
}

const ACTIVATE: &str = "job/track/activate";
const DOWNLOAD: &str = "job/track/monitor_download";
const FETCH: &str = "job/track/fetch";

#[test]
fn demo_pipeline_with_its_comparison_variants() {
    let s = session(vec![
        Demo::BEFORE.variant("before", 10, 1),
        Demo::AFTER.variant("after", 10, 2),
        Demo::WARM.variant("warm", 10, 3),
    ]);
    let fs = diagnose(&s, &FindingOptions::default());
    for f in &fs {
        eprintln!(
            "{:>7.4} s  {:.2}  [{}] {}",
            f.impact_s,
            f.confidence,
            f.variant.as_deref().unwrap_or("-"),
            f.title
        );
    }
    let wait = find(&fs, "fixed_wait", "before", ACTIVATE);
    let poll = find(&fs, "polling_granularity", "before", DOWNLOAD);
    let cold = find(&fs, "cold_start", "before", FETCH);
    eprintln!(
        "demo, 3 variants: fixed_wait {:.4} s (planted 0.480), polling {:.4} s (planted 0.150), \
         cold_start {:.4} s (planted 0.150)",
        wait.impact_s,
        poll.impact_s,
        impact_in(cold, "before")
    );
    assert!(within(wait.impact_s, 0.480, 0.25), "{wait:#?}");
    assert_eq!(wait.evidence["condition_observed"], 1.0);
    assert!(within(poll.impact_s, 0.150, 0.25), "{poll:#?}");
    assert!(within(impact_in(cold, "before"), 0.150, 0.25), "{cold:#?}");
    // `after` keeps its cold start: the same cause, one finding with each
    // variant's figures; `warm` has none of the three.
    let names: Vec<&str> = cold.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["before", "after"], "{cold:#?}");
    assert!(within(impact_in(cold, "after"), 0.150, 0.25), "{cold:#?}");
    let worst = cold.variants.iter().map(|v| v.impact_s).fold(0.0, f64::max);
    assert_eq!(cold.impact_s, worst);
    let planted = ["fixed_wait", "polling_granularity", "cold_start"];
    assert!(
        !fs.iter()
            .any(|f| (shows(f, "after") || shows(f, "warm"))
                && planted[..2].contains(&f.kind.as_str())),
        "{fs:#?}"
    );
    assert!(!fs
        .iter()
        .any(|f| shows(f, "warm") && planted.contains(&f.kind.as_str())));
    assert_believable(&fs);
    assert_eq!(fs[0].kind, "fixed_wait");
}

#[test]
fn demo_pipeline_alone_still_fires_with_stated_estimates() {
    let s = session(vec![Demo::BEFORE.variant("before", 10, 1)]);
    let fs = diagnose(&s, &FindingOptions::default());
    let wait = find(&fs, "fixed_wait", "before", ACTIVATE);
    let poll = find(&fs, "polling_granularity", "before", DOWNLOAD);
    let cold = find(&fs, "cold_start", "before", FETCH);
    eprintln!(
        "demo, `before` alone: fixed_wait {:.4} s (planted 0.480; assumes half the wait), \
         polling {:.4} s (planted 0.150), cold_start {:.4} s (planted 0.150)",
        wait.impact_s, poll.impact_s, cold.impact_s
    );
    assert_eq!(wait.evidence["condition_observed"], 0.0);
    assert_eq!(wait.evidence["assumed_fraction"], 0.5);
    assert!(within(wait.impact_s, 0.300, 0.05));
    assert!(within(poll.impact_s, 0.150, 0.25));
    assert!(within(cold.impact_s, 0.150, 0.25));
    // The whole run waits, but the stage findings carry the estimates.
    let idle = fs
        .iter()
        .find(|f| f.kind == "idle" && f.stage.is_none())
        .unwrap();
    assert_eq!(idle.impact_s, 0.0);
    // The stage that takes the most time is named, with what halving it
    // would save, ranked after the causes.
    let b = fs.iter().find(|f| f.kind == "bottleneck").unwrap();
    assert_eq!(b.stage.as_deref(), Some(ACTIVATE));
    assert!((b.impact_s - b.evidence["self_s"] / 2.0).abs() < 1e-12);
    assert_eq!(fs.last().map(|f| f.kind.as_str()), Some("bottleneck"));
    assert_believable(&fs);
}

#[test]
fn an_ab_session_tells_each_shared_cause_once() {
    // `ab` of before and after: both keep the cold start of `fetch`, both
    // idle — one finding each, with both variants' figures.
    let s = session(vec![
        Demo::BEFORE.variant("before", 8, 11),
        Demo::AFTER.variant("after", 8, 12),
    ]);
    let fs = diagnose(&s, &FindingOptions::default());
    assert_believable(&fs);
    let colds: Vec<&Finding> = fs.iter().filter(|f| f.kind == "cold_start").collect();
    assert_eq!(colds.len(), 1, "{fs:#?}");
    assert!(shows(colds[0], "before") && shows(colds[0], "after"));
    let idle = fs
        .iter()
        .filter(|f| f.kind == "idle" && f.stage.is_none())
        .count();
    assert_eq!(idle, 1, "{fs:#?}");
}

#[test]
fn a_deliberate_wait_is_information_not_a_cost() {
    // `sleep 1`: no stages, nothing computes.
    let mut g = rng(50);
    let sleeps: Vec<Iteration> = (0..8)
        .map(|i| {
            let mut r = run(i);
            r.advance(1.0 + uniform(&mut g, 0.0005, 0.002), false);
            r.finish()
        })
        .collect();
    // A program that only waits, in two stages of irregular length.
    let waits: Vec<Iteration> = (0..8)
        .map(|i| {
            let mut r = run(i);
            let job = r.open("job", None);
            r.step("connect", Some(job), uniform(&mut g, 0.30, 0.36), false);
            r.step("receive", Some(job), uniform(&mut g, 0.45, 0.55), false);
            r.close(job);
            r.finish()
        })
        .collect();
    for (name, its) in [("sleep", sleeps), ("waits", waits)] {
        let s = session(vec![variant("v", its)]);
        let fs = diagnose(&s, &FindingOptions::default());
        assert_believable(&fs);
        assert!(!fs.is_empty(), "{name}: the waiting is still told");
        for f in &fs {
            assert_eq!(f.kind, "idle", "{name}: {f:#?}");
            assert_eq!(f.impact_s, 0.0, "{name}: {f:#?}");
            assert_eq!(f.evidence["deliberate_wait"], 1.0, "{name}");
        }
        assert_eq!(health(&s, &fs).score, 100, "{name}: {fs:#?}");
    }
}

#[test]
fn waiting_beside_work_is_not_deliberate() {
    // The same waits, then real work: overlapping them is worth a try.
    let mut g = rng(51);
    let its: Vec<Iteration> = (0..8)
        .map(|i| {
            let mut r = run(i);
            let job = r.open("job", None);
            r.step("connect", Some(job), uniform(&mut g, 0.30, 0.36), false);
            r.step("receive", Some(job), uniform(&mut g, 0.45, 0.55), false);
            r.step("render", Some(job), 0.2, true);
            r.close(job);
            r.finish()
        })
        .collect();
    let s = session(vec![variant("v", its)]);
    let fs = diagnose(&s, &FindingOptions::default());
    assert_believable(&fs);
    assert!(
        fs.iter().any(|f| f.kind == "idle" && f.impact_s > 0.0),
        "{fs:#?}"
    );
    assert!(health(&s, &fs).score < 100);
}

#[test]
fn the_fixed_variant_alone_claims_no_short_waits() {
    // `after` alone: 40 ms and 50 ms of constant idling are indistinguishable
    // from fixed costs, and too short to be reported as waits.
    let s = session(vec![Demo::AFTER.variant("after", 10, 2)]);
    let fs = diagnose(&s, &FindingOptions::default());
    let kinds = ["fixed_wait", "polling_granularity"];
    assert!(
        !fs.iter().any(|f| kinds.contains(&f.kind.as_str())),
        "{fs:#?}"
    );
    find(&fs, "cold_start", "after", FETCH);
}

#[test]
fn disabled_rules_do_not_run() {
    let s = session(vec![Demo::BEFORE.variant("before", 6, 1)]);
    let opts = FindingOptions {
        disable: RULE_KINDS.iter().map(|k| k.to_string()).collect(),
        ..Default::default()
    };
    assert!(diagnose(&s, &opts).is_empty());
}

/// CPU-bound runs of `stages` (name, seconds, ± relative spread, calls per
/// run), memory loaded early then flat.
fn clean(runs: u32, stages: &[(&str, f64, f64, u32)], seed: u64, timeline: bool) -> Vec<Iteration> {
    let mut g = rng(seed);
    (0..runs)
        .map(|i| {
            let mut r = run(i).rss(|t| {
                let ramp = (t / 0.1).min(1.0);
                BASE_RSS + (ramp * 20e6) as u64 + ((t * 1e3) as u64 * 7919 % 13) * 8192
            });
            if !timeline {
                r = r.without_timeline();
            }
            r.advance(0.01 * uniform(&mut g, 0.9, 1.1), true);
            let root = r.open("main", None);
            for &(name, d, spread, calls) in stages {
                for _ in 0..calls {
                    r.step(
                        name,
                        Some(root),
                        d * uniform(&mut g, 1.0 - spread, 1.0 + spread),
                        true,
                    );
                }
            }
            r.close(root);
            r.finish()
        })
        .collect()
}

#[test]
fn clean_sessions_yield_no_finding() {
    let cases: Vec<(&str, Vec<Iteration>)> = vec![
        ("no stages", {
            let mut g = rng(40);
            (0..10)
                .map(|i| {
                    let mut r = run(i);
                    r.advance(uniform(&mut g, 0.98, 1.02), true);
                    r.finish()
                })
                .collect()
        }),
        (
            "three busy stages, one dominant",
            clean(
                10,
                &[
                    ("load", 0.15, 0.05, 1),
                    ("compute", 0.6, 0.03, 1),
                    ("save", 0.25, 0.05, 1),
                ],
                41,
                true,
            ),
        ),
        (
            "many variable items",
            clean(
                12,
                &[
                    ("read", 0.05, 0.2, 1),
                    ("process_item", 0.03, 0.3, 30),
                    ("write", 0.08, 0.1, 1),
                ],
                42,
                true,
            ),
        ),
        (
            "no timeline",
            clean(
                8,
                &[("parse", 0.2, 0.05, 1), ("solve", 0.5, 0.05, 1)],
                43,
                false,
            ),
        ),
        (
            "round, constant, but busy",
            clean(
                8,
                &[("tick", 0.1, 0.001, 5), ("rest", 0.3, 0.05, 1)],
                44,
                true,
            ),
        ),
    ];
    for (name, its) in cases {
        let s = session(vec![variant("v", its)]);
        let fs = diagnose(&s, &FindingOptions::default());
        assert!(fs.is_empty(), "{name}: {fs:#?}");
    }
    // Two clean variants of different speed (an A/B of a CPU optimisation).
    let s = session(vec![
        variant(
            "a",
            clean(
                10,
                &[("compute", 0.6, 0.03, 1), ("io", 0.2, 0.05, 1)],
                45,
                true,
            ),
        ),
        variant(
            "b",
            clean(
                10,
                &[("compute", 0.45, 0.03, 1), ("io", 0.2, 0.05, 1)],
                46,
                true,
            ),
        ),
    ]);
    let fs = diagnose(&s, &FindingOptions::default());
    assert!(fs.is_empty(), "a/b: {fs:#?}");
}

#[test]
fn empty_and_degenerate_sessions_do_not_panic() {
    assert!(diagnose(&session(vec![]), &FindingOptions::default()).is_empty());
    assert!(diagnose(
        &session(vec![variant("v", vec![])]),
        &FindingOptions::default()
    )
    .is_empty());
    let mut it = run(0).finish();
    it.wall_s = f64::NAN;
    it.user_s = Some(f64::INFINITY);
    let mut odd = run(1);
    let id = odd.step("x", None, 0.1, false);
    odd.span(id).unwrap().end_s = f64::NAN;
    let s = session(vec![variant(
        "v",
        vec![it, odd.finish(), Iteration::default()],
    )]);
    let fs = diagnose(&s, &FindingOptions::default());
    assert!(fs
        .iter()
        .all(|f| f.impact_s.is_finite() && f.evidence.values().all(|v| v.is_finite())));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A random run: spans with random names, parents (sometimes unknown
    /// or looping), durations, failures and aggregation; random busy time.
    fn arb_run() -> impl Strategy<Value = Iteration> {
        let span = (
            0usize..4,
            0u64..8,
            0.0f64..0.5,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        );
        (prop::collection::vec(span, 0..12), 0u32..3, any::<bool>()).prop_map(
            |(spans, warm, timeline)| {
                let mut r = run(0);
                if !timeline {
                    r = r.without_timeline();
                }
                let mut ids = vec![];
                for (name, parent, d, busy, ok, agg) in spans {
                    let parent = ids.get(parent as usize).copied().or(Some(parent + 100));
                    let id = r.step(["a", "b", "poll", "c"][name], parent, d, busy);
                    let s = r.span(id).unwrap();
                    s.ok = ok;
                    if agg {
                        s.calls = 5;
                        s.failed_calls = u64::from(!ok);
                        s.total_s = Some(d * 5.0);
                    }
                    ids.push(id);
                }
                let mut it = r.finish();
                it.warmup = warm == 0;
                it
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn findings_are_finite_valid_and_ranked(runs in prop::collection::vec(arb_run(), 0..8)) {
            let its: Vec<Iteration> = runs.into_iter().enumerate().map(|(i, mut it)| {
                it.index = i as u32;
                it
            }).collect();
            let s = session(vec![variant("v", its.clone()), variant("w", its)]);
            let fs = diagnose(&s, &FindingOptions::default());
            for f in &fs {
                prop_assert!(f.impact_s.is_finite() && f.impact_s >= 0.0);
                prop_assert!((0.0..=1.0).contains(&f.confidence));
                prop_assert!(f.evidence.values().all(|v| v.is_finite()));
                prop_assert!(RULE_KINDS.contains(&f.kind.as_str()));
                prop_assert!(!f.title.is_empty() && !f.recommendation.is_empty());
            }
            prop_assert!(fs.windows(2).all(|w| rank(&w[0], &w[1]).is_le()));
            for f in &fs {
                assert_states_its_saving(f);
            }
        }
    }
}
