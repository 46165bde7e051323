//! Replays of synthetic pipelines: the alerting contract, rule by rule.

use super::*;
use perfwatch_model::Severity;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// The typical time of each synthetic stage, seconds.
const STAGES: [(&str, f64); 3] = [("a", 1.0), ("b", 2.0), ("c", 0.5)];

/// A small linear congruential generator (Knuth's MMIX constants): the
/// tests' jitter, reproducible without a `rand` dependency in the replay.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A factor in `[1 − spread, 1 + spread)`.
    fn jitter(&mut self, spread: f64) -> f64 {
        1.0 + spread * (2.0 * self.unit() - 1.0)
    }
}

fn point(index: u32, version: &str, stages: BTreeMap<String, StageFigures>) -> RunPoint {
    RunPoint {
        session_id: format!("sess-{version}"),
        index,
        version: version.to_string(),
        started_at: format!("2025-01-01T00:{:02}:{:02}Z", index / 60, index % 60),
        stages,
        wall_s: 1.0,
        metrics: BTreeMap::new(),
    }
}

/// Runs `from..to` of the three stages with ±5 % jitter; `slow(i, stage)`
/// multiplies a stage's time; `version(i)` names each run's version.
fn runs(
    rng: &mut Lcg,
    from: u32,
    to: u32,
    version: impl Fn(u32) -> &'static str,
    slow: impl Fn(u32, &str) -> f64,
) -> Vec<RunPoint> {
    (from..to)
        .map(|i| {
            let stages = STAGES
                .iter()
                .map(|&(s, t)| {
                    (
                        s.to_string(),
                        StageFigures::duration(t * slow(i, s) * rng.jitter(0.05)),
                    )
                })
                .collect();
            point(i, version(i), stages)
        })
        .collect()
}

/// 22 normal runs of `v1`, then `slow_runs` runs of `v2` with stage `b`
/// 40 % slower, then `back` normal runs of `v2`.
fn regression(seed: u64, slow_runs: u32, back: u32) -> Vec<RunPoint> {
    let end = 22 + slow_runs;
    runs(
        &mut Lcg(seed),
        0,
        end + back,
        |i| if i < 22 { "v1" } else { "v2" },
        move |i, s| {
            if s == "b" && (22..end).contains(&i) {
                1.4
            } else {
                1.0
            }
        },
    )
}

fn normal(_: u32, _: &str) -> f64 {
    1.0
}

fn v1(_: u32) -> &'static str {
    "v1"
}

fn opts() -> MonitorOptions {
    MonitorOptions::default()
}

#[test]
fn steady_runs_with_5_percent_jitter_open_no_alert() {
    for seed in 0..20 {
        let runs = runs(&mut Lcg(seed), 0, 30, v1, normal);
        let alerts = evaluate("svc/root", &runs, None, &opts());
        assert!(alerts.is_empty(), "seed {seed}: {alerts:#?}");
    }
}

#[test]
fn a_sustained_40_percent_slowdown_opens_one_medium_alert_on_its_stage() {
    for seed in 0..10 {
        let alerts = evaluate("svc/root", &regression(seed, 8, 0), None, &opts());
        assert_eq!(alerts.len(), 1, "seed {seed}: {alerts:#?}");
        let a = &alerts[0];
        assert_eq!((a.stage.as_str(), a.kind), ("b", AlertKind::Slower));
        assert_eq!(a.severity, Severity::Medium, "ratio {}", a.ratio);
        assert_eq!(
            (a.first.index, a.first.version.as_str()),
            (22, "v2"),
            "seed {seed}"
        );
        assert_eq!(a.state, AlertState::Open);
        assert!(a.ci_low > 1.0 && a.ci_low <= a.ratio && a.ratio <= a.ci_high);
        assert!(a.p_value.unwrap() < 0.01);
        let base = a.baseline.as_ref().unwrap();
        assert_eq!(base.source, BaselineSource::Learned);
        assert_eq!(base.runs as u32, a.opened.index + 1 - 8);
        assert!(
            (base.p50_s - 2.0).abs() < 0.1 && (a.recent_p50_s - 2.8).abs() < 0.2,
            "{a:#?}"
        );
        assert!(
            a.opened.index >= 25 && a.opened.index <= 29,
            "{}",
            a.opened.index
        );
    }
}

#[test]
fn the_alert_resolves_when_the_stage_is_back_to_normal() {
    for seed in 0..10 {
        let slow_only = evaluate("svc/root", &regression(seed, 8, 0), None, &opts());
        let alerts = evaluate("svc/root", &regression(seed, 8, 10), None, &opts());
        assert_eq!(alerts.len(), 1, "seed {seed}: {alerts:#?}");
        let a = &alerts[0];
        assert_eq!(a.id, slow_only[0].id);
        let AlertState::Resolved { at } = &a.state else {
            panic!("still open: {a:#?}");
        };
        // Resolved once most of the window is back to normal.
        assert!((31..=35).contains(&at.index), "resolved at {}", at.index);
        assert_eq!(a.runs_checked as u32, at.index - a.opened.index + 1);
    }
}

#[test]
fn one_slow_run_opens_no_alert() {
    for seed in 0..20 {
        let runs = runs(&mut Lcg(seed), 0, 40, v1, |i, s| {
            if i == 25 && s == "b" {
                3.0
            } else {
                1.0
            }
        });
        let alerts = evaluate("svc/root", &runs, None, &opts());
        assert!(alerts.is_empty(), "seed {seed}: {alerts:#?}");
    }
}

#[test]
fn a_few_scattered_slow_runs_open_no_alert() {
    let slow = |i: u32, s: &str| {
        if s == "a" && i >= 20 && i.is_multiple_of(3) {
            2.0
        } else {
            1.0
        }
    };
    let runs = runs(&mut Lcg(7), 0, 60, v1, slow);
    assert!(evaluate("svc/root", &runs, None, &opts()).is_empty());
}

#[test]
fn a_budget_below_the_typical_time_opens_one_over_budget_alert() {
    let runs = runs(&mut Lcg(3), 0, 30, v1, normal);
    let mut o = opts();
    o.budgets.insert(
        "b".into(),
        StageBudget {
            p50_s: Some(1.5),
            ..StageBudget::default()
        },
    );
    let alerts = evaluate("svc/root", &runs, None, &o);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    let duration = AlertKind::OverBudget {
        what: BudgetWhat::Duration,
    };
    assert_eq!(
        (a.stage.as_str(), a.kind, a.state.clone()),
        ("b", duration, AlertState::Open)
    );
    // 2.0 s against 1.5 s: +33 %.
    assert_eq!(a.severity, Severity::Medium);
    assert_eq!((a.first.index, a.opened.index), (0, 7));
    assert_eq!((a.limit, a.p_value), (Some(1.5), None));
    assert!(a.ci_low <= a.ratio && a.ratio <= a.ci_high && a.ci_low > 1.0);
    assert_eq!(a.runs_checked, 23);

    o.budgets.insert(
        "b".into(),
        StageBudget {
            p50_s: Some(2.5),
            ..StageBudget::default()
        },
    );
    assert!(evaluate("svc/root", &runs, None, &o).is_empty());
}

#[test]
fn a_memory_budget_read_from_toml_judges_the_median_rss() {
    let o: MonitorOptions = toml::from_str("[budgets.c]\nmax_rss = \"1 GiB\"\n").unwrap();
    let rss = |i: u32| {
        if (10..20).contains(&i) {
            3u64 << 29
        } else {
            1 << 29
        }
    };
    let runs: Vec<RunPoint> = (0..30)
        .map(|i| {
            let f = StageFigures {
                total_s: 1.0,
                max_rss_bytes: Some(rss(i)),
                cpu_pct: Some(f64::NAN),
            };
            point(i, "v1", BTreeMap::from([("etl/c".to_string(), f)]))
        })
        .collect();
    let alerts = evaluate("svc/root", &runs, None, &o);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(
        a.kind,
        AlertKind::OverBudget {
            what: BudgetWhat::Memory
        }
    );
    // Four runs of 1.5 GiB in eight make a median of exactly 1 GiB: the
    // fifth opens the alert, and four runs back resolve it.
    assert_eq!((a.first.index, a.opened.index), (10, 14));
    assert_eq!(
        (a.ratio, a.observed, a.severity),
        (1.5, (3u64 << 29) as f64, Severity::High)
    );
    let AlertState::Resolved { at } = &a.state else {
        panic!("{a:#?}")
    };
    assert_eq!(at.index, 23);
}

/// A hit rate around 0.8 (±5 %) that falls to 0.45 in runs 12..22 and
/// comes back; `missing(i)`: runs that do not report it.
fn hit_rate_runs(missing: impl Fn(u32) -> bool) -> Vec<RunPoint> {
    let mut rng = Lcg(11);
    let mut out = runs(&mut rng, 0, 36, v1, normal);
    for (i, r) in out.iter_mut().enumerate() {
        let i = i as u32;
        let level = if (12..22).contains(&i) { 0.45 } else { 0.8 };
        if !missing(i) {
            r.metrics
                .insert("cache_hit_rate".into(), level * rng.jitter(0.05));
        }
        r.metrics.insert("queue_depth".into(), 3.0);
    }
    out
}

#[test]
fn an_application_metric_under_its_floor_opens_one_alert_that_resolves() {
    let o: MonitorOptions =
        toml::from_str(r#"app_metrics = ["cache_hit_rate >= 0.6", "queue_depth <= 5"]"#).unwrap();
    let alerts = evaluate("svc/root", &hit_rate_runs(|_| false), None, &o);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(
        (a.stage.as_str(), a.kind, a.limit),
        (
            "cache_hit_rate",
            AlertKind::AppMetric {
                op: crate::app_rule::RuleOp::AtLeast
            },
            Some(0.6)
        )
    );
    // 0.6 / 0.45 = 1.33: a third on the wrong side, medium.
    assert_eq!(a.severity, Severity::Medium);
    assert!((a.ratio - 0.6 / a.observed).abs() < 1e-12, "{a:#?}");
    assert!(a.observed < 0.6 && a.ci_low <= a.ratio && a.ratio <= a.ci_high);
    assert_eq!(a.first.index, 12, "the first low run");
    assert!(a.baseline.is_none() && a.p_value.is_none());
    let AlertState::Resolved { at } = &a.state else {
        panic!("{a:#?}")
    };
    assert!((22..30).contains(&at.index), "{at:?}");
    // Runs that do not report the metric are skipped, never read as 0.
    let gappy = evaluate(
        "svc/root",
        &hit_rate_runs(|i| i % 3 == 0 && i < 12),
        None,
        &o,
    );
    assert_eq!(gappy.len(), 1, "{gappy:#?}");
    assert_eq!(gappy[0].first.index, 12);
    // A ceiling the queue keeps opens nothing; one it breaks opens one.
    let o: MonitorOptions = toml::from_str(r#"app_metrics = ["queue_depth < 3"]"#).unwrap();
    let ceiling = evaluate("svc/root", &hit_rate_runs(|_| false), None, &o);
    assert_eq!(ceiling.len(), 1, "{ceiling:#?}");
    assert_eq!((ceiling[0].first.index, ceiling[0].ratio), (0, 1.0));
}

#[test]
fn a_saved_baseline_replaces_the_learned_one() {
    let fast = runs(&mut Lcg(11), 0, 20, v1, normal);
    let slow = runs(
        &mut Lcg(12),
        100,
        130,
        |_| "v2",
        |_, s| if s == "a" { 1.5 } else { 1.0 },
    );
    assert!(evaluate("svc/root", &slow, None, &opts()).is_empty());
    let alerts = evaluate("svc/root", &slow, Some(("release-1", &fast)), &opts());
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(
        (a.stage.as_str(), a.kind, a.severity),
        ("a", AlertKind::Slower, Severity::High)
    );
    assert_eq!(a.first.index, 100);
    let base = a.baseline.as_ref().unwrap();
    assert_eq!(
        base.source,
        BaselineSource::Saved {
            name: "release-1".into()
        }
    );
    assert_eq!(base.runs, 20);
}

#[test]
fn a_stage_the_saved_baseline_lacks_never_alerts() {
    let saved: Vec<RunPoint> = runs(&mut Lcg(1), 0, 20, v1, normal)
        .into_iter()
        .map(|mut r| {
            r.stages.remove("b");
            r
        })
        .collect();
    let history = regression(1, 30, 0);
    assert!(evaluate("svc/root", &history, Some(("old", &saved)), &opts()).is_empty());
}

#[test]
fn alert_ids_are_stable_across_evaluations_and_differ_per_stage() {
    let slow = |i: u32, s: &str| if i >= 22 && s != "c" { 1.4 } else { 1.0 };
    let history = runs(&mut Lcg(5), 0, 32, v1, slow);
    let first = evaluate("svc/root", &history, None, &opts());
    let again = evaluate("svc/root", &history, None, &opts());
    assert_eq!(first, again);
    let stages: Vec<&str> = first.iter().map(|a| a.stage.as_str()).collect();
    assert_eq!(stages, ["a", "b"]);
    assert_ne!(first[0].id, first[1].id);
    let other = evaluate("svc/other", &history, None, &opts());
    assert_ne!(first[0].id, other[0].id);
}

#[test]
fn the_baseline_stays_frozen_while_an_alert_is_open() {
    // 80 slow runs: a learned baseline that followed them would be all
    // slow after 58 runs and resolve the alert.
    let alerts = evaluate("svc/root", &regression(2, 80, 0), None, &opts());
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(a.state, AlertState::Open);
    assert!((a.baseline.as_ref().unwrap().p50_s - 2.0).abs() < 0.1);
    assert_eq!(a.runs_checked as u32, 102 - a.opened.index);
}

#[test]
fn a_second_regression_after_a_resolve_opens_a_new_alert() {
    let slow = |i: u32, s: &str| {
        let slow = (22..32).contains(&i) || (60..72).contains(&i);
        if s == "b" && slow {
            1.4
        } else {
            1.0
        }
    };
    let history = runs(&mut Lcg(9), 0, 72, v1, slow);
    let alerts = evaluate("svc/root", &history, None, &opts());
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    assert!(matches!(alerts[0].state, AlertState::Resolved { .. }));
    assert_eq!(alerts[1].state, AlertState::Open);
    assert_eq!((alerts[0].first.index, alerts[1].first.index), (22, 60));
    assert_ne!(alerts[0].id, alerts[1].id);
    // The first regression's slow runs were kept out of the second's
    // baseline, so its 95th percentile is a normal run's.
    assert!(alerts[1].baseline.as_ref().unwrap().p95_s < 2.2);
}

#[test]
fn severity_is_the_highest_reached_while_open() {
    let slow = |i: u32, s: &str| match (s, i) {
        ("b", 22..=29) => 1.4,
        ("b", 30..) => 2.3,
        _ => 1.0,
    };
    let history = runs(&mut Lcg(4), 0, 40, v1, slow);
    let alerts = evaluate("svc/root", &history, None, &opts());
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!((a.severity, a.first.index), (Severity::Critical, 22));
    assert!(a.ratio >= 2.0 && a.ci_low <= a.ratio && a.ratio <= a.ci_high);
}

#[test]
fn missing_stages_and_unusable_times_are_skipped() {
    let history: Vec<RunPoint> = regression(6, 24, 0)
        .into_iter()
        .map(|mut r| {
            match r.index % 4 {
                1 => drop(r.stages.remove("b")),
                2 => r.stages.get_mut("b").unwrap().total_s = f64::NAN,
                3 if r.index > 30 => r.stages.get_mut("b").unwrap().total_s = -1.0,
                _ => {}
            }
            r
        })
        .collect();
    let alerts = evaluate("svc/root", &history, None, &opts());
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!((alerts[0].stage.as_str(), alerts[0].first.index), ("b", 23));
}

#[test]
fn no_alert_before_the_baseline_has_min_baseline_runs() {
    // 9 normal runs, then slow ones: every learned baseline of 10 runs
    // would hold slow runs, and the window beats no 95th percentile.
    let history = runs(&mut Lcg(8), 0, 17, v1, |i, s| {
        if s == "a" && i >= 9 {
            2.0
        } else {
            1.0
        }
    });
    assert!(evaluate("svc/root", &history, None, &opts()).is_empty());
    let few = runs(&mut Lcg(8), 0, 12, v1, normal);
    assert!(evaluate("svc/root", &history, Some(("few", &few[..5])), &opts()).is_empty());
}

#[test]
fn alerts_serialise_to_snake_case_json_and_back() {
    let alerts = evaluate("svc/root", &regression(0, 8, 10), None, &opts());
    let json = serde_json::to_value(&alerts[0]).unwrap();
    assert_eq!(json["kind"], "slower");
    assert_eq!(json["state"], "resolved");
    assert_eq!(json["severity"], "medium");
    assert_eq!(json["baseline"]["source"]["kind"], "learned");
    assert!(json["resolved_at"]["index"].is_u64());
    let back: Alert = serde_json::from_value(json).unwrap();
    assert_eq!(back, alerts[0]);
    // A budget's kind and figure sit beside the other fields.
    let mut o = opts();
    o.budgets.insert(
        "b".into(),
        StageBudget {
            p50_s: Some(1.5),
            ..StageBudget::default()
        },
    );
    let budget = &evaluate("svc/root", &runs(&mut Lcg(3), 0, 30, v1, normal), None, &o)[0];
    let json = serde_json::to_value(budget).unwrap();
    assert_eq!(
        (json["kind"].as_str(), json["what"].as_str()),
        (Some("over_budget"), Some("duration"))
    );
    assert_eq!(serde_json::from_value::<Alert>(json).unwrap(), *budget);
}

#[test]
fn a_thousand_runs_of_twenty_stages_replay_in_one_pass() {
    let mut rng = Lcg(42);
    let history: Vec<RunPoint> = (0..1000u32)
        .map(|i| {
            let stages = (0..20)
                .map(|s| {
                    let slow = if s % 5 == 0 && (400..600).contains(&i) {
                        1.5
                    } else {
                        1.0
                    };
                    (
                        format!("s{s:02}"),
                        StageFigures::duration(f64::from(s + 1) * slow * rng.jitter(0.05)),
                    )
                })
                .collect();
            point(i, "v1", stages)
        })
        .collect();
    let alerts = evaluate("svc/root", &history, None, &opts());
    let stages: Vec<&str> = alerts.iter().map(|a| a.stage.as_str()).collect();
    assert_eq!(stages, ["s00", "s05", "s10", "s15"], "{alerts:#?}");
    assert!(alerts.iter().all(|a| a.first.index == 400));
}

fn arbitrary_runs() -> impl Strategy<Value = Vec<RunPoint>> {
    let figure = (
        prop_oneof![-1.0..10.0, Just(0.0), 1e-300..1e300f64],
        proptest::option::of(0u64..u64::MAX),
        proptest::option::of(-10.0..400.0f64),
    )
        .prop_map(|(total_s, max_rss_bytes, cpu_pct)| StageFigures {
            total_s,
            max_rss_bytes,
            cpu_pct,
        });
    let stages = proptest::collection::btree_map(
        prop_oneof![Just("a"), Just("b"), Just("x/a")],
        figure,
        0..3,
    )
    .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
    proptest::collection::vec(stages, 0..60).prop_map(|all| {
        all.into_iter()
            .enumerate()
            .map(|(i, stages)| point(i as u32, "v", stages))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn evaluate_never_panics_and_each_ratio_lies_in_its_interval(
        history in arbitrary_runs(),
        saved in proptest::option::of(arbitrary_runs()),
        window in 1usize..10,
        min_baseline in 0usize..12,
        baseline_runs in 0usize..30,
        p50_s in 0.0..5.0f64,
    ) {
        let mut o = MonitorOptions { window, min_baseline, baseline_runs, ..MonitorOptions::default() };
        o.budgets.insert("a".into(), StageBudget {
            p50_s: Some(p50_s),
            max_rss_bytes: Some(1 << 40),
            max_cpu_pct: Some(100.0),
        });
        let saved = saved.as_deref().map(|runs| ("saved", runs));
        let alerts = evaluate("p", &history, saved, &o);
        let mut ids = std::collections::BTreeSet::new();
        for a in &alerts {
            prop_assert!(!a.ratio.is_nan());
            prop_assert!(a.ci_low <= a.ratio && a.ratio <= a.ci_high, "{a:?}");
            prop_assert!(a.severity >= Severity::Low);
            prop_assert!(a.first.index <= a.opened.index);
            prop_assert!(ids.insert(a.id.clone()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_step_change_alert_ratio_lies_in_its_interval(
        seed in any::<u64>(),
        step in 0u32..60,
        factor in 0.2..6.0f64,
        spread in 0.0..0.5f64,
    ) {
        let mut rng = Lcg(seed);
        let history: Vec<RunPoint> = (0..60u32)
            .map(|i| {
                let level = if i >= step { factor } else { 1.0 };
                let t = level * rng.jitter(spread);
                point(i, "v", BTreeMap::from([("s".to_string(), StageFigures::duration(t))]))
            })
            .collect();
        for a in evaluate("p", &history, None, &opts()) {
            prop_assert!(a.ci_low <= a.ratio && a.ratio <= a.ci_high, "{a:?}");
            prop_assert!(a.first.index <= a.opened.index);
            prop_assert_eq!(a.severity, opts().thresholds.classify(a.ratio - 1.0));
        }
    }
}

#[test]
fn a_slower_sub_stage_stands_for_its_slower_parent() {
    for seed in 0..10 {
        // The root `r` holds `b` and lasts 0.1 s more than it.
        let with_root: Vec<RunPoint> = regression(seed, 8, 0)
            .into_iter()
            .map(|mut run| {
                let b = run.stages["b"].total_s;
                run.stages = std::mem::take(&mut run.stages)
                    .into_iter()
                    .map(|(name, f)| (format!("r/{name}"), f))
                    .collect();
                run.stages
                    .insert("r".into(), StageFigures::duration(b + 0.1));
                run
            })
            .collect();
        let alerts = evaluate("svc/r", &with_root, None, &opts());
        let stages: Vec<&str> = alerts.iter().map(|a| a.stage.as_str()).collect();
        assert_eq!(stages, ["r/b"], "seed {seed}: {alerts:#?}");
    }
}
