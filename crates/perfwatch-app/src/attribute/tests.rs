use super::*;
use perfwatch_model::investigation::FactorKind;
use perfwatch_model::{Iteration, VariantSpec};
use perfwatch_stats::factorial::full_factorial;
use perfwatch_testkit::synthetic::call as span;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn variant(name: &str, env: &[(&str, &str)]) -> VariantSpec {
    VariantSpec {
        name: name.into(),
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..VariantSpec::default()
    }
}

/// A run of `job` with stages `wait` and `poll` lasting `wait_s` and
/// `poll_s`, plus a fixed 0.1 s of other work.
fn run(variant: &str, wait_s: f64, poll_s: f64) -> Iteration {
    let wall = 0.1 + wait_s + poll_s;
    Iteration {
        variant: variant.into(),
        exit_code: Some(0),
        wall_s: wall,
        stages: vec![
            span(1, None, "job", 0.0, wall),
            span(2, Some(1), "wait", 0.05, 0.05 + wait_s),
            span(3, Some(1), "poll", 0.05 + wait_s, 0.05 + wait_s + poll_s),
        ],
        ..Iteration::default()
    }
}

#[test]
fn factors_are_the_variables_args_and_command_that_differ() {
    let mut before = variant(
        "before",
        &[("WAIT", "fixed"), ("POLL", "100"), ("SAME", "1")],
    );
    let mut after = variant(
        "after",
        &[
            ("WAIT", "condition"),
            ("POLL", "100"),
            ("SAME", "1"),
            ("NEW", "x"),
        ],
    );
    before.args = vec!["--a".into()];
    after.args = vec!["--b".into()];
    let factors = differing_factors(&before, &after);
    let names: Vec<(&str, FactorKind)> =
        factors.iter().map(|f| (f.name.as_str(), f.kind)).collect();
    assert_eq!(
        names,
        [
            ("NEW", FactorKind::Env),
            ("WAIT", FactorKind::Env),
            ("args", FactorKind::Args)
        ]
    );
    assert_eq!(factors[0].base, None, "unset in the baseline");
    assert_eq!(factors[1].candidate.as_deref(), Some("condition"));
}

#[test]
fn each_row_takes_its_settings_from_the_candidate_and_is_named_for_them() {
    let before = variant("before", &[("WAIT", "fixed"), ("POLL", "100")]);
    let after = variant("after", &[("WAIT", "condition"), ("POLL", "10")]);
    let factors = differing_factors(&before, &after);
    let design = full_factorial(factors.len()).unwrap();
    let rows = row_variants(&before, &after, &factors, &design.rows);
    let names: Vec<&str> = rows.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["before", "before+POLL", "before+WAIT", "after"]);
    assert_eq!(rows[1].env["POLL"], "10");
    assert_eq!(rows[1].env["WAIT"], "fixed");
    assert_eq!(rows[3].env, after.env);
}

#[test]
fn planted_effects_are_attributed_to_the_stage_that_holds_them() {
    // WAIT adds 0.2 s to `wait`; POLL adds 0.02 s to `poll`; 1 % noise.
    let before = variant(
        "before",
        &[("WAIT", "fixed"), ("POLL", "100"), ("CACHE", "0")],
    );
    let after = variant(
        "after",
        &[("WAIT", "condition"), ("POLL", "10"), ("CACHE", "1")],
    );
    let factors = differing_factors(&before, &after);
    let names: Vec<&str> = factors.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["CACHE", "POLL", "WAIT"]);
    let design = full_factorial(3).unwrap();
    let variants: Vec<String> = row_variants(&before, &after, &factors, &design.rows)
        .into_iter()
        .map(|v| v.name)
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut iterations = Vec::new();
    for _ in 0..6 {
        for (r, row) in design.rows.iter().enumerate() {
            let noise = |rng: &mut ChaCha8Rng| 1.0 + 0.01 * (rng.random::<f64>() - 0.5);
            // Candidate level of WAIT (index 2) removes the fixed wait.
            let wait = if row[2] { 0.05 } else { 0.25 } * noise(&mut rng);
            let poll = if row[1] { 0.01 } else { 0.03 } * noise(&mut rng);
            iterations.push(run(&variants[r], wait, poll));
        }
    }
    let runs = RowRuns {
        design: &design,
        variants: &variants,
        iterations: &iterations,
    };
    let report = attribution("pipeline", "before", "after", &factors, runs, "s1", 6).unwrap();
    let first = &report.wall[0];
    assert_eq!(first.factors, ["WAIT"]);
    assert!(first.significant && first.estimate < 0.7, "{first:?}");
    assert_eq!(first.stage.as_deref(), Some("job/wait"), "{first:?}");
    assert!((first.stage_share.unwrap() - 1.0).abs() < 0.1);
    let poll = report.wall.iter().find(|t| t.factors == ["POLL"]).unwrap();
    assert!(poll.significant);
    assert_eq!(poll.stage.as_deref(), Some("job/poll"));
    let cache = report.wall.iter().find(|t| t.factors == ["CACHE"]).unwrap();
    assert!(!cache.significant, "{cache:?}");
    assert_eq!(cache.stage, None);
    assert_eq!(
        report.wall.len(),
        6,
        "three main effects and three interactions"
    );
    assert!(report.wall[..3].iter().all(|t| t.factors.len() == 1));
    assert!(
        (report.baseline_s - 0.38).abs() < 0.01,
        "{}",
        report.baseline_s
    );
    assert!(
        (report.candidate_s - 0.16).abs() < 0.01,
        "{}",
        report.candidate_s
    );
}

#[test]
fn too_few_runs_give_no_attribution() {
    let before = variant("before", &[("WAIT", "fixed")]);
    let after = variant("after", &[("WAIT", "condition")]);
    let factors = differing_factors(&before, &after);
    let design = full_factorial(1).unwrap();
    let variants = vec!["before".to_string(), "after".to_string()];
    let iterations = vec![run("before", 0.2, 0.0), run("after", 0.1, 0.0)];
    let runs = RowRuns {
        design: &design,
        variants: &variants,
        iterations: &iterations,
    };
    assert!(attribution("p", "before", "after", &factors, runs, "s", 1).is_none());
}
