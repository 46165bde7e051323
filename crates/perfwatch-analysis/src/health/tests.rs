use super::*;
use crate::findings::testkit::{run, session, variant};
use perfwatch_model::VariantExport;
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
    }
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
    let h = health(&s, &[finding("bottleneck", "v", 0.0, 0.9)]);
    assert_eq!(h.score, 100);
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
fn the_worst_variant_counts() {
    let s = session(vec![v("a", 0), v("b", 0)]);
    let fs = [
        finding("fixed_wait", "a", 0.2, 1.0),
        finding("fixed_wait", "b", 0.1, 1.0),
    ];
    assert_eq!(health(&s, &fs).score, 80);
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
    // Not regressed, or a metric not gated by default: nothing.
    let mut s = s0.clone();
    s.comparisons = vec![
        comparison("wall_s", None, Severity::None, Verdict::Improved),
        comparison("voluntary_cs", None, Severity::Critical, Verdict::Regressed),
    ];
    assert_eq!(health(&s, &[]).score, 100);
}

#[test]
fn failures_cost_by_rate() {
    let h = health(&session(vec![v("v", 2)]), &[]);
    assert_eq!(h.score, 90);
    assert_eq!(h.breakdown[0].2, "2 of 10 runs failed or timed out in `v`");
    assert_eq!(health(&session(vec![v("v", 1), v("w", 10)]), &[]).score, 50);
}

fn arb_finding() -> impl Strategy<Value = Finding> {
    (
        prop::sample::select(vec!["fixed_wait", "idle", "memory_growth", "bottleneck"]),
        prop::sample::select(vec!["a", "b"]),
        0.0f64..3.0,
        0.0f64..1.0,
    )
        .prop_map(|(k, v, i, c)| finding(k, v, i, c))
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
    )
        .prop_map(|(s, stage, verdict)| {
            let (m, st) = if stage {
                ("total_s", Some("job/x"))
            } else {
                ("wall_s", None)
            };
            comparison(m, st, s, verdict)
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
        let mut s = session(vec![v("a", failed), v("b", 0)]);
        s.comparisons = cs.clone();
        let base = health(&s, &fs).score;
        let mut more = fs.clone();
        more.push(extra);
        let with_more = health(&s, &more).score;
        prop_assert!(with_more <= base);
        let mut bigger = more.clone();
        bigger[0].impact_s *= grow;
        bigger[0].confidence = (bigger[0].confidence * grow).min(1.0);
        prop_assert!(health(&s, &bigger).score <= with_more);
        let mut s2 = s.clone();
        s2.comparisons.push(extra_c);
        prop_assert!(health(&s2, &fs).score <= base);
        let mut s3 = s.clone();
        s3.variants[1] = v("b", failed + 1);
        prop_assert!(health(&s3, &fs).score <= base);
    }
}
