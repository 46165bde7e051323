//! Failing commands, bad input, a failing observer.

use crate::harness::*;
use perfwatch_model::{exit_codes, SessionStatus};
use perfwatch_runner::{check, run, Cancel, RunError, Termination};

#[test]
fn a_failing_command_stops_the_run_with_its_stderr_tail() {
    let mut rec = Recorder::default();
    let plan = sh("echo first >&2; echo oops >&2; exit 3", 5);
    let out = run(&plan, &mut [], &mut rec, &Cancel::new()).unwrap();
    assert_eq!(out.status, SessionStatus::Failed);
    assert_eq!(out.iterations.len(), 1, "the failed iteration is kept");
    assert_eq!(rec.finished, vec![0], "and reported");
    assert_eq!(
        out.iterations[0].stderr_tail.as_deref(),
        Some("first\noops")
    );
    match &out.stopped_by {
        Some(RunError::CommandFailed {
            status,
            stderr_tail,
            index,
            ..
        }) => {
            assert_eq!(*status, Termination::Code(3));
            assert_eq!(*index, 0);
            assert!(stderr_tail.as_deref().unwrap().contains("oops"));
        }
        other => panic!("{other:?}"),
    }
    let msg = out.stopped_by.as_ref().unwrap().to_string();
    assert!(msg.contains("exit code 3") && msg.contains("oops"), "{msg}");
    assert_eq!(out.exit_code(), exit_codes::COMMAND_FAILED);
}

#[test]
fn ignore_failure_keeps_going() {
    let mut plan = sh("exit 1", 4);
    plan.ignore_failure = true;
    let out = run_plan(&plan);
    assert_eq!(out.status, SessionStatus::Complete);
    assert_eq!(out.iterations.len(), 4);
    assert!(out.iterations.iter().all(|it| it.exit_code == Some(1)));
    assert!(out.stopped_by.is_none());
    assert_eq!(out.exit_code(), 0);
}

#[test]
fn successful_iterations_carry_no_stderr_tail() {
    let out = run_plan(&sh("echo chatter >&2", 1));
    assert_eq!(out.iterations[0].stderr_tail, None);
}

#[test]
fn bad_commands_fail_before_anything_runs() {
    let dir = scratch();
    let marker = dir.path().join("setup-ran");
    let script = dir.path().join("not-executable");
    std::fs::write(&script, "#!/bin/sh\n").unwrap();
    let cases = [
        (vec!["perfwatch-no-such-command"], "not found"),
        (vec![script.to_str().unwrap()], "not an executable file"),
    ];
    for (args, want) in cases {
        let mut plan = argv(&args, 1);
        plan.hooks.setup = Some(format!("touch {}", q(&marker)));
        let err = check(&plan).unwrap_err();
        assert!(err.to_string().contains(want), "{err}");
        let err = run(&plan, &mut [], &mut (), &Cancel::new()).unwrap_err();
        assert_eq!(err.exit_code(), exit_codes::USAGE);
        assert!(!marker.exists(), "nothing ran for bad input");
    }
}

#[test]
fn a_failing_observer_stops_the_run() {
    let mut rec = Recorder {
        fail_at: Some(1),
        ..Recorder::default()
    };
    let out = run(&argv(&["true"], 5), &mut [], &mut rec, &Cancel::new()).unwrap();
    assert_eq!(out.status, SessionStatus::Failed);
    assert_eq!(out.iterations.len(), 2);
    let err = out.stopped_by.unwrap();
    assert!(err.to_string().contains("disk full"), "{err}");
    assert_eq!(err.exit_code(), exit_codes::ERROR);
}
