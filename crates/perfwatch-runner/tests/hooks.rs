//! Hooks: order, environment, failures, clean-up.

use crate::harness::*;
use perfwatch_model::{exit_codes, SessionStatus};
use perfwatch_runner::{Plan, RunError};

fn hooked(log: &std::path::Path, runs: u32) -> Plan {
    let mut plan = sh(
        &format!("echo run-$PERFWATCH_ITERATION >> {}", q(log)),
        runs,
    );
    let hook = |name: &str| Some(format!("echo {name}-$PERFWATCH_ITERATION >> {}", q(log)));
    plan.hooks.setup = hook("setup");
    plan.hooks.prepare = hook("prepare");
    plan.hooks.conclude = hook("conclude");
    plan.hooks.cleanup = hook("cleanup");
    plan
}

#[test]
fn hooks_run_in_order_around_every_iteration() {
    let dir = scratch();
    let log = dir.path().join("log");
    let mut plan = hooked(&log, 2);
    plan.warmup = 1;
    let out = run_plan(&plan);
    assert_eq!(out.status, SessionStatus::Complete);
    let expected = [
        "setup-",
        "prepare-0",
        "run-0",
        "conclude-0",
        "prepare-1",
        "run-1",
        "conclude-1",
        "prepare-2",
        "run-2",
        "conclude-2",
        "cleanup-",
    ];
    assert_eq!(lines(&log), expected);
    assert!(out.iterations[0].warmup && !out.iterations[1].warmup);
}

#[test]
fn a_failing_prepare_hook_is_named_and_cleanup_still_runs() {
    let dir = scratch();
    let log = dir.path().join("log");
    let mut plan = hooked(&log, 3);
    plan.hooks.prepare = Some("echo 'no fixture' >&2; exit 4".into());
    let out = run_plan(&plan);
    assert_eq!(out.status, SessionStatus::Failed);
    assert!(out.iterations.is_empty());
    let err = out.stopped_by.unwrap();
    match &err {
        RunError::HookFailed { hook, .. } => assert_eq!(*hook, "prepare"),
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("prepare hook") && msg.contains("no fixture"),
        "{msg}"
    );
    assert_eq!(err.exit_code(), exit_codes::HOOK_FAILED);
    assert_eq!(lines(&log), ["setup-", "cleanup-"]);
}

#[test]
fn cleanup_runs_after_a_failing_command_and_conclude_after_it() {
    let dir = scratch();
    let log = dir.path().join("log");
    let mut plan = hooked(&log, 3);
    plan.command.argv = vec![format!(
        "echo run-$PERFWATCH_ITERATION >> {}; exit 2",
        q(&log)
    )];
    let out = run_plan(&plan);
    assert!(matches!(
        out.stopped_by,
        Some(RunError::CommandFailed { .. })
    ));
    assert_eq!(
        lines(&log),
        ["setup-", "prepare-0", "run-0", "conclude-0", "cleanup-"]
    );
}

#[test]
fn a_failing_setup_hook_stops_before_any_iteration() {
    let mut plan = sh("true", 3);
    plan.hooks.setup = Some("exit 9".into());
    let out = run_plan(&plan);
    assert!(out.iterations.is_empty());
    assert!(matches!(
        out.stopped_by,
        Some(RunError::HookFailed { hook: "setup", .. })
    ));
}

#[test]
fn a_hook_may_leave_a_service_running() {
    let dir = scratch();
    let pid_file = dir.path().join("pid");
    let mut plan = sh("true", 1);
    plan.hooks.setup = Some(format!("sleep 300 & echo $! > {}", q(&pid_file)));
    let out = run_plan(&plan);
    assert_eq!(out.status, SessionStatus::Complete);
    let pid = pids_in(&pid_file)[0];
    assert!(alive(pid), "the setup hook's service is still running");
    // SAFETY: kill with plain integers; the test started this process.
    unsafe { libc::kill(pid, libc::SIGKILL) };
}
