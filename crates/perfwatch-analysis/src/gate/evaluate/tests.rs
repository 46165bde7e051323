use super::*;
use crate::findings::testkit::{run, session, variant};
use crate::gate::StageBudget;
use perfwatch_model::VariantExport;

/// Ten runs of `job/wait` (0.2 s idle) then `job/work` (0.3 s busy), the
/// first `failed` failing.
fn v(name: &str, failed: usize) -> VariantExport {
    let its = (0..10)
        .map(|i| {
            let mut r = run(i);
            let job = r.open("job", None);
            r.step("wait", Some(job), 0.2, false);
            r.step("work", Some(job), 0.3, true);
            r.close(job);
            let mut it = r.finish();
            if (i as usize) < failed {
                it.exit_code = Some(1);
            }
            it
        })
        .collect();
    variant(name, its)
}

fn comparison(
    metric: &str,
    stage: Option<&str>,
    change_pct: f64,
    severity: Severity,
) -> Comparison {
    Comparison {
        metric: metric.into(),
        stage: stage.map(str::to_string),
        baseline: "main".into(),
        candidate: "v".into(),
        baseline_median: 1.0,
        candidate_median: 1.0 + change_pct / 100.0,
        baseline_n: 10,
        candidate_n: 10,
        ratio: 1.0 + change_pct / 100.0,
        ci_low: 1.0,
        ci_high: 1.0,
        p_value: 0.001,
        change_pct,
        severity,
        verdict: if severity == Severity::None {
            Verdict::Unchanged
        } else {
            Verdict::Regressed
        },
        note: None,
        confidence: 0.95,
        // Context switches are never primary here (by default they are
        // not); the CPU times stand for metrics a user made primary.
        primary: metric != "voluntary_cs",
        reference: perfwatch_model::Reference::Baseline,
    }
}

fn healthy() -> Health {
    Health {
        score: 100,
        breakdown: vec![],
    }
}

fn one(cfg: GateConfig, s: &SessionExport) -> RuleResult {
    let report = evaluate(&cfg, s, &healthy());
    assert_eq!(report.rules.len(), 1, "{report:#?}");
    assert_eq!(report.passed, report.rules[0].passed);
    report.rules.into_iter().next().unwrap()
}

#[test]
fn nothing_configured_passes_with_no_rules() {
    let r = evaluate(
        &GateConfig::default(),
        &session(vec![v("v", 3)]),
        &healthy(),
    );
    assert_eq!(
        r,
        GateReport {
            passed: true,
            rules: vec![]
        }
    );
}

#[test]
fn regressions_are_counted_at_their_severity_or_worse() {
    let mut s = session(vec![v("v", 0)]);
    s.comparisons = vec![
        comparison("wall_s", None, 60.0, Severity::High),
        comparison("user_s", None, 30.0, Severity::Medium),
        comparison("voluntary_cs", None, 300.0, Severity::Critical),
        comparison("total_s", Some("job/wait"), 150.0, Severity::Critical),
        comparison("sys_s", None, 1.0, Severity::None),
    ];
    let r = one(
        GateConfig {
            max_regression_critical: Some(0),
            ..Default::default()
        },
        &s,
    );
    assert!(!r.passed);
    assert_eq!((r.actual.as_str(), r.limit.as_str()), ("1", "≤ 0"));
    assert_eq!(
        r.detail,
        "1 over the limit: `job/wait` total_s +150.0 % (critical, `main` → `v`)"
    );
    let r = one(
        GateConfig {
            max_regression_high: Some(1),
            ..Default::default()
        },
        &s,
    );
    assert!(!r.passed);
    assert_eq!(r.actual, "2");
    let r = one(
        GateConfig {
            max_regression_medium: Some(3),
            ..Default::default()
        },
        &s,
    );
    assert!(r.passed, "{r:?}");
    assert!(r.detail.starts_with("within the limit"));
    // A secondary metric never counts, even when named: it is
    // information (make it primary to gate on it).
    let cfg = GateConfig {
        max_regression_low: Some(0),
        metrics: Some(vec!["voluntary_cs".into()]),
        ..Default::default()
    };
    assert_eq!(one(cfg, &s).actual, "0");
    // `metrics` narrows the primary comparisons counted.
    let cfg = GateConfig {
        max_regression_low: Some(0),
        metrics: Some(vec!["wall_s".into()]),
        ..Default::default()
    };
    assert_eq!(one(cfg, &s).actual, "1");
    let r = one(
        GateConfig {
            max_regression_low: Some(0),
            ..Default::default()
        },
        &session(vec![v("v", 0)]),
    );
    assert!(r.passed);
    assert_eq!(r.detail, "no significant regression at low or worse");
}

#[test]
fn health_below_the_minimum_fails_with_the_largest_deductions() {
    let s = session(vec![v("v", 0)]);
    let h = Health {
        score: 72,
        breakdown: vec![
            ("finding idle".into(), 8, "…".into()),
            ("regression wall_s".into(), 20, "…".into()),
        ],
    };
    let cfg = GateConfig {
        min_health_score: Some(80),
        ..Default::default()
    };
    let r = &evaluate(&cfg, &s, &h).rules[0];
    assert!(!r.passed);
    assert_eq!(
        r.detail,
        "8 points short; largest deductions: regression wall_s (−20), finding idle (−8)"
    );
    let cfg = GateConfig {
        min_health_score: Some(70),
        ..Default::default()
    };
    assert!(evaluate(&cfg, &s, &h).passed);
}

#[test]
fn duration_increase_is_judged_on_the_median_change() {
    let mut s = session(vec![v("v", 0)]);
    s.comparisons = vec![comparison("wall_s", None, 12.3, Severity::Low)];
    let r = one(
        GateConfig {
            max_duration_increase_percent: Some(10.0),
            ..Default::default()
        },
        &s,
    );
    assert!(!r.passed);
    assert_eq!(r.actual, "+12.3 %");
    assert!(
        r.detail.ends_with("2.3 points over the limit"),
        "{}",
        r.detail
    );
    let r = one(
        GateConfig {
            max_duration_increase_percent: Some(15.0),
            ..Default::default()
        },
        &s,
    );
    assert!(r.passed);
    s.comparisons.clear();
    let r = one(
        GateConfig {
            max_duration_increase_percent: Some(5.0),
            ..Default::default()
        },
        &s,
    );
    assert!(r.passed);
    assert_eq!(r.actual, "n/a");
}

#[test]
fn failure_rate() {
    let s = session(vec![v("a", 0), v("b", 2)]);
    let r = one(
        GateConfig {
            max_failure_rate: Some(0.1),
            ..Default::default()
        },
        &s,
    );
    assert!(!r.passed);
    assert_eq!(r.actual, "20.0 %");
    assert_eq!(
        r.detail,
        "2 of 10 runs failed or timed out in `b`: 10.0 points over the limit"
    );
    assert!(
        one(
            GateConfig {
                max_failure_rate: Some(0.25),
                ..Default::default()
            },
            &s
        )
        .passed
    );
    // Only the chosen variant is judged.
    let cfg = GateConfig {
        max_failure_rate: Some(0.0),
        variant: Some("a".into()),
        ..Default::default()
    };
    assert!(one(cfg, &s).passed);
}

#[test]
fn peak_rss_budget() {
    let s = session(vec![v("v", 0)]);
    let r = one(
        GateConfig {
            max_peak_rss_bytes: Some(20 << 20),
            ..Default::default()
        },
        &s,
    );
    assert!(!r.passed);
    assert!(
        r.detail.starts_with("peak RSS 30.") && r.detail.contains("exceeds 20.0 MiB by"),
        "{}",
        r.detail
    );
    assert!(
        one(
            GateConfig {
                max_peak_rss_bytes: Some(100 << 20),
                ..Default::default()
            },
            &s
        )
        .passed
    );
    let mut s = s;
    for it in &mut s.variants[0].iterations {
        it.max_rss_bytes = None;
        it.peak_tree_rss_bytes = None;
    }
    let r = one(
        GateConfig {
            max_peak_rss_bytes: Some(1),
            ..Default::default()
        },
        &s,
    );
    assert_eq!((r.passed, r.actual.as_str()), (true, "n/a"));
}

#[test]
fn stage_budgets() {
    let s = session(vec![v("v", 0)]);
    let budget = |p50_s, max_rss_bytes, max_cpu_pct| StageBudget {
        max_gpu_memory_bytes: None,
        p50_s,
        max_rss_bytes,
        max_cpu_pct,
    };
    let cfg = GateConfig {
        stage: [
            (
                "job/work".to_string(),
                budget(Some(0.25), Some(1 << 30), Some(50.0)),
            ),
            ("job/wait".to_string(), budget(Some(0.5), None, Some(5.0))),
            ("job/gone".to_string(), budget(Some(1.0), None, None)),
        ]
        .into(),
        ..Default::default()
    };
    let report = evaluate(&cfg, &s, &healthy());
    let got: Vec<(&str, bool)> = report
        .rules
        .iter()
        .map(|r| (r.rule.as_str(), r.passed))
        .collect();
    assert_eq!(
        got,
        [
            ("stage.\"job/gone\".p50_s", false),
            ("stage.\"job/wait\".p50_s", true),
            ("stage.\"job/wait\".max_cpu_pct", true),
            ("stage.\"job/work\".p50_s", false),
            ("stage.\"job/work\".max_rss_bytes", true),
            ("stage.\"job/work\".max_cpu_pct", false),
        ]
    );
    assert!(!report.passed);
    let p50 = &report.rules[3];
    assert_eq!(
        p50.detail,
        "median 300 ms exceeds 250 ms by 50 ms (+20.0 %) in `v`"
    );
    assert_eq!(
        report.rules[0].detail,
        "no judged variant reports a stage `job/gone`"
    );
}

#[test]
fn an_unknown_variant_fails() {
    let s = session(vec![v("a", 0)]);
    let cfg = GateConfig {
        variant: Some("b".into()),
        ..Default::default()
    };
    let r = evaluate(&cfg, &s, &healthy());
    assert!(!r.passed);
    assert_eq!(
        r.rules[0].detail,
        "no variant `b` in this session (it has: a)"
    );
}

#[test]
fn reports_serialise() {
    let r = GateReport::new(vec![RuleResult {
        rule: "min_health_score".into(),
        passed: false,
        actual: "72".into(),
        limit: "≥ 80".into(),
        detail: "8 points short".into(),
    }]);
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(
        json,
        r#"{"passed":false,"rules":[{"rule":"min_health_score","passed":false,"actual":"72","limit":"≥ 80","detail":"8 points short"}]}"#
    );
    let h = serde_json::to_string(&Health {
        score: 90,
        breakdown: vec![("failures".into(), 10, "2 of 10".into())],
    })
    .unwrap();
    assert_eq!(
        h,
        r#"{"score":90,"breakdown":[{"what":"failures","points":10,"why":"2 of 10"}]}"#
    );
}

/// `v`'s runs with a GPU reading in every sample: the tree holds 3 GiB
/// during `job/work` and 1 GiB before it.
fn with_gpu(name: &str) -> VariantExport {
    let mut v = v(name, 0);
    for it in &mut v.iterations {
        for s in &mut it.timeline {
            let tree: u64 = if s.t_s > 0.25 { 3 << 30 } else { 1 << 30 };
            s.gpus = vec![perfwatch_model::GpuReading {
                memory_used_bytes: tree,
                memory_total_bytes: 16 << 30,
                tree_memory_bytes: Some(tree),
                ..Default::default()
            }];
        }
    }
    v
}

#[test]
fn gpu_memory_budgets_judge_the_run_and_the_stage_and_pass_unmeasured() {
    let gpu = session(vec![with_gpu("v")]);
    let cfg = |max| GateConfig {
        max_gpu_memory_bytes: Some(max),
        ..Default::default()
    };
    let r = one(cfg(2 << 30), &gpu);
    assert!(!r.passed);
    assert!(
        r.detail
            .contains("peak GPU memory 3.00 GiB exceeds 2.00 GiB"),
        "{}",
        r.detail
    );
    assert!(one(cfg(4 << 30), &gpu).passed);
    // Without GPU readings: not judged, never a zero that passes silently.
    let plain = session(vec![v("v", 0)]);
    let r = one(cfg(1), &plain);
    assert_eq!((r.passed, r.actual.as_str()), (true, "n/a"));
    assert!(
        r.detail.contains("GPU memory was not measured"),
        "{}",
        r.detail
    );

    let stage = |path: &str, max| GateConfig {
        stage: [(
            path.to_string(),
            StageBudget {
                max_gpu_memory_bytes: Some(max),
                ..Default::default()
            },
        )]
        .into(),
        ..Default::default()
    };
    let work = one(stage("job/work", 2 << 30), &gpu);
    assert_eq!(work.rule, "stage.\"job/work\".max_gpu_memory_bytes");
    assert!(!work.passed, "{}", work.detail);
    assert!(one(stage("job/wait", 2 << 30), &gpu).passed);
}

/// `v` whose runs report `hit_rate` as a gauge: `rates[i]` in run `i`
/// (`None`: not reported).
fn with_hit_rate(name: &str, rates: &[Option<f64>]) -> VariantExport {
    let mut out = v(name, 0);
    for (it, rate) in out.iterations.iter_mut().zip(rates) {
        if let Some(r) = rate {
            it.gauges.insert("hit_rate".into(), *r);
        }
    }
    out
}

#[test]
fn app_metric_rules_judge_the_worst_variants_median_and_fail_an_unreported_metric() {
    let cfg: GateConfig = toml::from_str(
        r#"app_metrics = ["hit_rate >= 0.6", "hit_rate <= 0.9", "pool.waits <= 3"]"#,
    )
    .unwrap();
    let good = with_hit_rate("good", &[Some(0.8); 10]);
    // Seven runs at 0.5 and three not reporting: its median is 0.5.
    let mut rates = vec![Some(0.5); 7];
    rates.extend([None, None, None]);
    let poor = with_hit_rate("poor", &rates);
    let r = evaluate(&cfg, &session(vec![good.clone(), poor]), &healthy());
    let floor = &r.rules[0];
    assert_eq!(floor.rule, "app_metrics.\"hit_rate\"");
    assert!(!floor.passed, "{floor:?}");
    assert_eq!(
        (floor.actual.as_str(), floor.limit.as_str()),
        ("0.5", ">= 0.6")
    );
    assert_eq!(
        floor.detail,
        "median 0.5 over 7 runs of `poor` breaks >= 0.6"
    );
    assert!(r.rules[1].passed, "{:?}", r.rules[1]);
    assert_eq!(
        r.rules[1].actual, "0.8",
        "the ceiling's worst is the highest"
    );
    let absent = &r.rules[2];
    assert!(!absent.passed && absent.actual == "absent", "{absent:?}");
    assert!(!r.passed);
    // The good variant alone passes both rules on the hit rate.
    let cfg: GateConfig = toml::from_str(r#"app_metrics = ["hit_rate >= 0.6"]"#).unwrap();
    let r = evaluate(&cfg, &session(vec![good]), &healthy());
    assert!(r.passed, "{:?}", r.rules);
    assert_eq!(
        r.rules[0].detail,
        "median 0.8 over 10 runs of `good` keeps >= 0.6"
    );
}
