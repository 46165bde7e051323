use super::*;
use crate::findings::testkit::{run, session, variant};
use perfwatch_model::{Reference, VariantEvidence, VariantExport};
use proptest::prelude::*;

/// A variant of ten 1-second runs, the first `failed` of them failing.
fn v(name: &str, failed: usize) -> VariantExport {
    let its = (0..10)
        .map(|i| {
            let mut r = run(i);
            r.advance(0.995, true);
            let mut it = r.finish();
            if (i as usize) < failed {
                it.exit_code = Some(1);
            }
            it
        })
        .collect();
    variant(name, its)
}

fn finding(kind: &str, variant: &str, impact_s: f64, confidence: f64) -> Finding {
    Finding {
        kind: kind.into(),
        title: format!("{kind} title"),
        stage: Some("job/x".into()),
        evidence: Default::default(),
        impact_s,
        confidence,
        recommendation: String::new(),
        effort: None,
        variant: Some(variant.into()),
        variants: vec![],
    }
}

/// A finding seen in several variants: `(variant, impact_s)` each, the
/// worst in front.
fn merged(kind: &str, shown: &[(&str, f64)], confidence: f64) -> Finding {
    let worst = shown
        .iter()
        .copied()
        .fold(shown[0], |w, s| if s.1 > w.1 { s } else { w });
    let mut f = finding(kind, worst.0, worst.1, confidence);
    f.variants = shown
        .iter()
        .map(|&(name, impact_s)| VariantEvidence {
            name: name.into(),
            title: format!("{kind} in {name}"),
            impact_s,
            confidence,
            evidence: Default::default(),
        })
        .collect();
    f
}

fn comparison(
    metric: &str,
    stage: Option<&str>,
    severity: Severity,
    verdict: Verdict,
) -> Comparison {
    Comparison {
        metric: metric.into(),
        stage: stage.map(str::to_string),
        baseline: "main".into(),
        candidate: "v".into(),
        baseline_median: 1.0,
        candidate_median: 1.3,
        baseline_n: 10,
        candidate_n: 10,
        ratio: 1.3,
        ci_low: 1.25,
        ci_high: 1.35,
        p_value: 0.001,
        change_pct: 30.0,
        severity,
        verdict,
        note: None,
        confidence: 0.95,
        primary: true,
        reference: perfwatch_model::Reference::Baseline,
    }
}

#[test]
fn a_clean_session_scores_100() {
    let s = session(vec![v("v", 0)]);
    let h = health(&s, &[]);
    assert_eq!(
        h,
        Health {
            score: 100,
            breakdown: vec![]
        }
    );
    // Findings that claim no saving cost nothing.
    let h = health(&s, &[finding("idle", "v", 0.0, 0.9)]);
    assert_eq!(h.score, 100);
}

#[test]
fn a_bottleneck_never_costs_points_whatever_it_would_save_if_halved() {
    let s = session(vec![v("v", 0)]);
    let h = health(&s, &[finding("bottleneck", "v", 0.3, 0.9)]);
    assert_eq!(h.score, 100, "{h:?}");
    // Its cause carries the points, once.
    let fs = [
        finding("bottleneck", "v", 0.3, 0.9),
        finding("fixed_wait", "v", 0.2, 1.0),
    ];
    assert_eq!(health(&s, &fs).score, 80);
}

#[test]
fn findings_cost_their_share_of_the_run_times_confidence() {
    let s = session(vec![v("v", 0)]);
    let h = health(&s, &[finding("fixed_wait", "v", 0.39, 0.9)]);
    assert_eq!(h.score, 100 - 35);
    assert_eq!(h.breakdown[0].0, "finding fixed_wait `job/x` [v]");
    assert_eq!(h.breakdown[0].1, 35);
    // One finding deducts at most 40, all together at most 60.
    let h = health(&s, &[finding("idle", "v", 5.0, 1.0)]);
    assert_eq!(h.score, 60);
    let many: Vec<Finding> = (0..5).map(|_| finding("retries", "v", 0.3, 1.0)).collect();
    let h = health(&s, &many);
    assert_eq!(h.score, 40);
    assert_eq!(h.breakdown.last().unwrap().0, "findings cap");
    // Memory growth costs up to 15.
    let h = health(&s, &[finding("memory_growth", "v", 0.0, 0.8)]);
    assert_eq!(h.score, 88);
}

#[test]
fn the_worst_candidate_counts_and_the_baseline_variant_not_at_all() {
    // `a` is the baseline the candidates `b` and `c` are compared with.
    let s = session(vec![v("a", 0), v("b", 0), v("c", 0)]);
    let fs = [
        finding("fixed_wait", "a", 0.3, 1.0),
        finding("fixed_wait", "b", 0.1, 1.0),
        finding("retries", "c", 0.2, 1.0),
    ];
    let h = health(&s, &fs);
    assert_eq!(h.score, 80, "{h:?}");
    assert_eq!(h.breakdown[0].0, "finding retries `job/x` [c]");
    // A problem only the baseline has costs nothing.
    assert_eq!(health(&s, &fs[..1]).score, 100);
    // Alone, a variant is its own candidate.
    assert_eq!(
        health(
            &session(vec![v("a", 0)]),
            &[finding("fixed_wait", "a", 0.3, 1.0)]
        )
        .score,
        70
    );
}

#[test]
fn a_finding_seen_in_several_variants_counts_each_candidates_own_figures() {
    let s = session(vec![v("before", 0), v("after", 0)]);
    // Worst in `before` (the baseline): only `after`'s 0.1 s counts.
    let f = merged("cold_start", &[("before", 0.3), ("after", 0.1)], 1.0);
    assert_eq!(f.variant.as_deref(), Some("before"));
    let h = health(&s, &[f]);
    assert_eq!(h.score, 90, "{h:?}");
    assert_eq!(h.breakdown[0].0, "finding cold_start `job/x` [after]");
    // A finding naming no variant of the session counts for every
    // candidate, against the session's wall time.
    let mut f = finding("retries", "elsewhere", 0.2, 1.0);
    assert_eq!(health(&s, std::slice::from_ref(&f)).score, 80);
    f.variant = None;
    assert_eq!(health(&s, &[f]).score, 80);
}

#[test]
fn regressions_cost_by_severity_stages_half() {
    let s0 = session(vec![v("v", 0)]);
    let cases = [
        (Severity::Low, None, 95),
        (Severity::Medium, None, 90),
        (Severity::High, None, 80),
        (Severity::Critical, None, 65),
        (Severity::Critical, Some("job/x"), 82),
        (Severity::Low, Some("job/x"), 97),
    ];
    for (severity, stage, want) in cases {
        let mut s = s0.clone();
        let metric = if stage.is_some() { "total_s" } else { "wall_s" };
        s.comparisons = vec![comparison(metric, stage, severity, Verdict::Regressed)];
        assert_eq!(health(&s, &[]).score, want, "{severity:?} {stage:?}");
    }
    // Not regressed, or not a primary metric: nothing.
    let mut s = s0.clone();
    let mut secondary = comparison("voluntary_cs", None, Severity::Critical, Verdict::Regressed);
    secondary.primary = false;
    s.comparisons = vec![
        comparison("wall_s", None, Severity::None, Verdict::Improved),
        secondary,
    ];
    assert_eq!(health(&s, &[]).score, 100);
}

#[test]
fn a_deliberate_comparison_of_variants_is_no_regression() {
    let mut s = session(vec![v("a", 0), v("b", 0)]);
    let mut c = comparison("wall_s", None, Severity::Critical, Verdict::Regressed);
    c.reference = Reference::Variant;
    s.comparisons = vec![c.clone()];
    assert_eq!(health(&s, &[]).score, 100);
    c.reference = Reference::Baseline;
    s.comparisons = vec![c];
    assert_eq!(health(&s, &[]).score, 65);
}

#[test]
fn failures_cost_by_rate() {
    let h = health(&session(vec![v("v", 2)]), &[]);
    assert_eq!(h.score, 90);
    assert_eq!(h.breakdown[0].2, "2 of 10 runs failed or timed out in `v`");
    assert_eq!(health(&session(vec![v("v", 1), v("w", 10)]), &[]).score, 50);
}

#[test]
fn a_session_that_failed_before_measuring_a_variant_is_no_clean_session() {
    let mut s = session(vec![variant("v", Vec::new())]);
    s.session.status = SessionStatus::Failed;
    let h = health(&s, &[]);
    assert_eq!(h.score, 50);
    assert_eq!(h.breakdown[0].2, "the session failed before any run of `v`");
    // Stopped by hand (Ctrl-C) before a run, or still running: no failure.
    for status in [SessionStatus::Interrupted, SessionStatus::Running] {
        s.session.status = status;
        assert_eq!(health(&s, &[]).score, 100);
    }
}

#[test]
fn a_service_failing_requests_costs_its_error_rate() {
    let mut api = v("api", 0);
    // 900 of 950 sent answered 2xx, 50 dropped: 100 of 1,000 not served.
    let summary = serde_json::from_value(serde_json::json!({
        "iterations": 5, "duration_s": 10.0, "sent": 950, "completed": 950,
        "throughput_rps": 95.0, "status": {"2xx": 900, "5xx": 50},
        "timeouts": 0, "errors": {"connect": 0, "transport": 0},
        "late": 0, "dropped": 50, "error_rate": 0.1
    }))
    .unwrap();
    api.service = Some(summary);
    let h = health(&session(vec![api]), &[]);
    assert_eq!(h.score, 95);
    assert_eq!(
        h.breakdown[0].2,
        "100 of 1000 requests due were not served in `api`"
    );
}

fn arb_finding() -> impl Strategy<Value = Finding> {
    (
        prop::sample::select(vec!["fixed_wait", "idle", "memory_growth", "bottleneck"]),
        prop::sample::select(vec!["a", "b", "c", "elsewhere"]),
        0.0f64..3.0,
        0.0f64..1.0,
        prop::option::of(0.0f64..3.0),
    )
        .prop_map(|(k, v, i, c, also)| match also {
            // Also seen in `b`, a candidate.
            Some(j) if v != "b" => merged(k, &[(v, i), ("b", j)], c),
            _ => finding(k, v, i, c),
        })
}

fn arb_comparison() -> impl Strategy<Value = Comparison> {
    (
        prop::sample::select(vec![
            Severity::None,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]),
        any::<bool>(),
        prop::sample::select(vec![
            Verdict::Regressed,
            Verdict::Unchanged,
            Verdict::Improved,
        ]),
        any::<bool>(),
        prop::sample::select(vec![Reference::Baseline, Reference::Variant]),
    )
        .prop_map(|(s, stage, verdict, primary, reference)| {
            let (m, st) = if stage {
                ("total_s", Some("job/x"))
            } else {
                ("wall_s", None)
            };
            Comparison {
                primary,
                reference,
                ..comparison(m, st, s, verdict)
            }
        })
}

proptest! {
    /// Adding a finding, a regression or a failure, or making a finding
    /// bigger or surer, never raises the score.
    #[test]
    fn more_or_bigger_problems_never_raise_the_score(
        fs in prop::collection::vec(arb_finding(), 0..8),
        extra in arb_finding(),
        cs in prop::collection::vec(arb_comparison(), 0..4),
        extra_c in arb_comparison(),
        failed in 0usize..5,
        grow in 1.0f64..3.0,
    ) {
        let mut s = session(vec![v("a", failed), v("b", 0), v("c", 0)]);
        s.comparisons = cs.clone();
        let base = health(&s, &fs).score;
        let mut more = fs.clone();
        more.push(extra);
        let with_more = health(&s, &more).score;
        prop_assert!(with_more <= base);
        let mut bigger = more.clone();
        bigger[0].impact_s *= grow;
        bigger[0].confidence = (bigger[0].confidence * grow).min(1.0);
        for shown in &mut bigger[0].variants {
            shown.impact_s *= grow;
            shown.confidence = (shown.confidence * grow).min(1.0);
        }
        prop_assert!(health(&s, &bigger).score <= with_more);
        let mut s2 = s.clone();
        s2.comparisons.push(extra_c);
        prop_assert!(health(&s2, &fs).score <= base);
        let mut s3 = s.clone();
        s3.variants[1] = v("b", failed + 1);
        prop_assert!(health(&s3, &fs).score <= base);
    }
}
