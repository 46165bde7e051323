//! Small investigation reports built by hand, for the renderers' tests:
//! bisections ending in each way, attributions with and without a
//! confirming design.

use perfwatch_model::investigation::{
    AdaptiveDecision, AdaptiveVerdict, AttributionReport, BisectOutcome, BisectReport, BisectStep,
    Commit, EffectEstimate, Factor, FactorKind, StageEffects, StepVerdict, StopReason, Term,
    ATTRIBUTION_SCHEMA_V1, BISECT_SCHEMA_V1,
};

/// The subjects of the eight commits of the range, oldest first.
const SUBJECTS: [&str; 8] = [
    "Release 1.4",
    "Parse the config once",
    "Add a retry to the fetcher",
    "Make the cache lock fair",
    "Log every activation",
    "Bump serde",
    "Tidy the README",
    "Release 1.5",
];

/// The range, with made-up ids of 40 hex digits.
pub fn commits() -> Vec<Commit> {
    SUBJECTS
        .iter()
        .enumerate()
        .map(|(i, subject)| Commit {
            id: format!(
                "{:032x}{i:08x}",
                (i as u128 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
            ),
            subject: subject.to_string(),
        })
        .collect()
}

fn step(commits: &[Commit], position: usize, verdict: StepVerdict, median: f64) -> BisectStep {
    BisectStep {
        commit: commits[position].clone(),
        position,
        verdict,
        runs: 12,
        median: Some(median),
        llr: if verdict == StepVerdict::Bad {
            4.8
        } else {
            -4.8
        },
        session_id: Some(format!("session-{position}")),
        reason: None,
    }
}

/// The endpoints' comparison: the bad one 1.12× slower, decided.
pub fn endpoints(commits: &[Commit]) -> AdaptiveVerdict {
    AdaptiveVerdict {
        metric: "wall_s".into(),
        baseline: commits[0].id.clone(),
        candidate: commits[commits.len() - 1].id.clone(),
        decision: AdaptiveDecision::Slower,
        stopped: StopReason::Decided,
        rounds: 12,
        ratio: 1.12,
        ci_low: Some(1.09),
        ci_high: Some(1.15),
        e_value: 230.0,
        alpha: 0.01,
        band: 0.02,
        method: "anytime-valid t-test".into(),
    }
}

/// Three steps (positions 4, 2, 3) finding commit 3 the first bad one.
pub fn first_bad() -> BisectReport {
    let commits = commits();
    BisectReport {
        schema: BISECT_SCHEMA_V1.into(),
        benchmark: "demo-pipeline".into(),
        metric: "wall_s".into(),
        endpoints: Some(endpoints(&commits)),
        good_median: Some(1.23),
        bad_median: Some(1.38),
        steps: vec![
            step(&commits, 4, StepVerdict::Bad, 1.37),
            step(&commits, 2, StepVerdict::Good, 1.24),
            step(&commits, 3, StepVerdict::Bad, 1.38),
        ],
        outcome: BisectOutcome::FirstBad,
        first_bad: Some(commits[3].clone()),
        suspects: vec![],
        effect: Some(EffectEstimate {
            ratio: 1.12,
            ci_low: 1.10,
            ci_high: 1.14,
        }),
        step_error: 0.01,
        total_runs: Some(60),
        step_budget: Some(16),
        expected_step_rounds: Some(4.5),
        commits,
    }
}

/// Endpoints found equivalent: nothing bisected.
pub fn no_difference() -> BisectReport {
    let mut r = first_bad();
    let v = r.endpoints.as_mut().unwrap();
    v.decision = AdaptiveDecision::Equivalent;
    (v.ratio, v.ci_low, v.ci_high, v.rounds) = (1.004, Some(0.99), Some(1.015), 40);
    r.bad_median = Some(1.235);
    r.steps.clear();
    r.outcome = BisectOutcome::NoDifference;
    r.first_bad = None;
    r.effect = None;
    r
}

/// Commit 3 failed to build and commit 2 stayed ambiguous: the first bad
/// commit is 2 or 3.
pub fn ambiguous() -> BisectReport {
    let mut r = first_bad();
    let commits = r.commits.clone();
    let mut skipped = step(&commits, 3, StepVerdict::Skipped, 0.0);
    (skipped.median, skipped.runs, skipped.session_id) = (None, 0, None);
    skipped.reason = Some("build failed: cargo exited with 101".into());
    let mut unclear = step(&commits, 2, StepVerdict::Ambiguous, 1.30);
    unclear.runs = 40;
    r.steps = vec![
        step(&commits, 4, StepVerdict::Bad, 1.37),
        skipped,
        unclear,
        step(&commits, 1, StepVerdict::Good, 1.22),
    ];
    r.outcome = BisectOutcome::Ambiguous;
    r.first_bad = None;
    r.effect = None;
    r.suspects = vec![commits[2].clone(), commits[3].clone()];
    r
}

/// A wall-time term of `factors` (a ratio with its interval).
pub fn wall_term(factors: &[&str], estimate: f64, lo: f64, hi: f64, significant: bool) -> Term {
    Term {
        factors: factors.iter().map(|f| f.to_string()).collect(),
        estimate,
        ci_low: lo,
        ci_high: hi,
        p_value: if significant { 0.0004 } else { 0.41 },
        seconds: Some((estimate - 1.0) * 1.2),
        stage: None,
        stage_share: None,
        significant,
    }
}

/// A stage term of `factors` (seconds with their interval).
pub fn stage_term(factors: &[&str], estimate: f64, lo: f64, hi: f64, significant: bool) -> Term {
    Term {
        seconds: None,
        ..wall_term(factors, estimate, lo, hi, significant)
    }
}

/// Two settings, their interaction and two stages; `DEMO_CACHE` has no
/// effect.
pub fn attribution() -> AttributionReport {
    let mut wait = wall_term(&["DEMO_WAIT"], 1.38, 1.34, 1.42, true);
    (wait.stage, wait.stage_share) = (Some("job/track/activate".into()), Some(0.94));
    let cache = wall_term(&["DEMO_CACHE"], 0.99, 0.98, 1.015, false);
    let mut both = wall_term(&["DEMO_WAIT", "DEMO_CACHE"], 1.03, 1.01, 1.05, true);
    both.stage = Some("job/load".into());
    AttributionReport {
        schema: ATTRIBUTION_SCHEMA_V1.into(),
        benchmark: "demo-pipeline".into(),
        baseline: "before".into(),
        candidate: "after".into(),
        factors: vec![
            Factor {
                name: "DEMO_WAIT".into(),
                kind: FactorKind::Env,
                base: Some("fixed".into()),
                candidate: Some("condition".into()),
            },
            Factor {
                name: "DEMO_CACHE".into(),
                kind: FactorKind::Env,
                base: None,
                candidate: Some("1".into()),
            },
        ],
        design: "full".into(),
        rows: vec![
            vec![false, false],
            vec![true, false],
            vec![false, true],
            vec![true, true],
        ],
        runs_per_row: 5,
        session_id: "0123456789abcdef".into(),
        baseline_s: 1.2,
        candidate_s: 1.70,
        wall: vec![wait, cache, both],
        stages: vec![
            StageEffects {
                path: "job/track/activate".into(),
                baseline_s: 0.3,
                terms: vec![
                    stage_term(&["DEMO_WAIT"], 0.42, 0.40, 0.44, true),
                    stage_term(&["DEMO_CACHE"], -0.004, -0.01, 0.005, false),
                    stage_term(&["DEMO_WAIT", "DEMO_CACHE"], 0.01, -0.002, 0.02, false),
                ],
            },
            StageEffects {
                path: "job/load".into(),
                baseline_s: 0.25,
                terms: vec![
                    stage_term(&["DEMO_WAIT"], 0.001, -0.004, 0.006, false),
                    stage_term(&["DEMO_CACHE"], 0.002, -0.003, 0.007, false),
                ],
            },
        ],
        confirmation: None,
    }
}

/// A Plackett–Burman screening of three settings whose confirmation is
/// [`attribution`] on the two that mattered.
pub fn screened() -> AttributionReport {
    let mut r = attribution();
    r.factors.push(Factor {
        name: "args".into(),
        kind: FactorKind::Args,
        base: Some("--fast".into()),
        candidate: None,
    });
    r.design = "plackett_burman".into();
    r.rows = vec![
        vec![true, false, true],
        vec![true, true, false],
        vec![false, true, true],
        vec![false, false, false],
    ];
    r.wall = vec![
        wall_term(&["DEMO_WAIT"], 1.37, 1.30, 1.45, true),
        wall_term(&["DEMO_CACHE"], 1.0, 0.97, 1.03, false),
        wall_term(&["args"], 1.01, 0.98, 1.05, false),
    ];
    r.stages.clear();
    r.confirmation = Some(Box::new(attribution()));
    r
}

/// A range of 24 commits bisected in five steps, one of them skipped: the
/// page the screenshots show.
pub fn wide_first_bad() -> BisectReport {
    let commits: Vec<Commit> = (0..24)
        .map(|i| Commit {
            id: format!(
                "{:032x}{i:08x}",
                (i as u128 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
            ),
            subject: format!("Change number {i} of the release"),
        })
        .collect();
    let mut r = first_bad();
    r.endpoints = Some(endpoints(&commits));
    let mut skipped = step(&commits, 9, StepVerdict::Skipped, 0.0);
    (skipped.median, skipped.runs) = (None, 0);
    skipped.reason = Some("build failed".into());
    r.steps = vec![
        step(&commits, 12, StepVerdict::Bad, 1.371),
        step(&commits, 6, StepVerdict::Good, 1.236),
        skipped,
        step(&commits, 8, StepVerdict::Bad, 1.384),
        step(&commits, 7, StepVerdict::Good, 1.228),
    ];
    r.first_bad = Some(commits[8].clone());
    r.commits = commits;
    r
}
