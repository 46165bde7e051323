//! The shell start-up correction: measured for shell commands, reported,
//! subtracted; absent for argv commands and when turned off.

use crate::harness::*;
use perfwatch_model::ShellCorrection;
use perfwatch_runner::{run, Cancel, Observer, RunError};

/// Remembers the corrections reported.
#[derive(Default)]
struct Corrections(Vec<ShellCorrection>);

impl Observer for Corrections {
    fn shell_correction(&mut self, c: &ShellCorrection) {
        self.0.push(c.clone());
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn a_shell_plan_measures_a_correction_and_subtracts_it_from_each_iteration() {
    let mut plan = sh("sleep 0.05", 5);
    let mut seen = Corrections::default();
    let corrected = run(&plan, &mut [], &mut seen, &Cancel::new()).unwrap();
    let c = corrected.shell_correction.clone().expect("a correction");
    assert_eq!(seen.0, vec![c.clone()], "reported to the observer once");
    assert_eq!(c.shell, "sh");
    assert!(c.runs > 0 && c.wall_s > 0.0, "{c:?}");
    assert!(c.user_s >= 0.0 && c.sys_s >= 0.0, "{c:?}");

    plan.shell_correction = false;
    let raw = run_plan(&plan);
    assert_eq!(raw.shell_correction, None);

    let walls =
        |o: &perfwatch_runner::Outcome| median(o.iterations.iter().map(|it| it.wall_s).collect());
    // corrected ≈ raw − correction; loose, since the two runs are apart.
    let (with, without) = (walls(&corrected), walls(&raw));
    let back = with + c.wall_s;
    assert!(
        (back - without).abs() < 0.5 * without,
        "corrected {with} + {} vs uncorrected {without}",
        c.wall_s
    );
    for it in &corrected.iterations {
        assert!(it.wall_s >= 0.0 && it.user_s.unwrap() >= 0.0 && it.sys_s.unwrap() >= 0.0);
    }
}

#[test]
fn the_correction_runs_the_plans_shell_with_its_options() {
    let mut plan = sh("true", 1);
    plan.shell = vec!["sh".into(), "-e".into()];
    let outcome = run_plan(&plan);
    assert!(outcome.stopped_by.is_none(), "{:?}", outcome.stopped_by);
    assert_eq!(outcome.shell_correction.unwrap().shell, "sh -e");
}

#[test]
fn no_correction_for_argv_commands_or_when_turned_off() {
    let mut seen = Corrections::default();
    let outcome = run(&argv(&["true"], 2), &mut [], &mut seen, &Cancel::new()).unwrap();
    assert_eq!(outcome.shell_correction, None);

    let mut off = sh("true", 2);
    off.shell_correction = false;
    let outcome = run(&off, &mut [], &mut seen, &Cancel::new()).unwrap();
    assert_eq!(outcome.shell_correction, None);
    assert!(seen.0.is_empty(), "{:?}", seen.0);
}

#[test]
fn a_shell_failing_on_the_empty_script_stops_the_run_before_any_iteration() {
    let mut plan = sh("true", 3);
    plan.shell = vec!["false".into()];
    let outcome = run_plan(&plan);
    assert!(
        matches!(outcome.stopped_by, Some(RunError::ShellFailed { .. })),
        "{:?}",
        outcome.stopped_by
    );
    assert!(outcome.iterations.is_empty());
    assert_eq!(
        outcome.exit_code(),
        perfwatch_model::exit_codes::COMMAND_FAILED
    );
}
