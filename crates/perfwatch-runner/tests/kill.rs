//! Timeouts, cancellation and leftovers: no process survives its iteration.

use crate::harness::*;
use perfwatch_model::SessionStatus;
use perfwatch_runner::{run, Cancel, RunError};
use std::time::Duration;

#[test]
fn a_timeout_kills_the_whole_tree_including_a_setsid_escapee() {
    let dir = scratch();
    let pids = dir.path().join("pids");
    let script = format!(
        "sleep 300 & echo $! >> {p}; setsid sleep 300 & echo $! >> {p}; \
         sh -c 'sleep 300' & echo $! >> {p}; wait",
        p = q(&pids)
    );
    let mut plan = sh(&script, 1);
    plan.timeout = Some(Duration::from_millis(1500));
    let out = run_plan(&plan);
    assert_eq!(
        out.status,
        SessionStatus::Complete,
        "a timeout does not stop the run"
    );
    let it = &out.iterations[0];
    assert!(it.timed_out);
    assert!(!it.succeeded() && !it.counts());
    assert!(it.wall_s >= 1.4, "{}", it.wall_s);
    let grandchildren = pids_in(&pids);
    assert_eq!(grandchildren.len(), 3);
    assert!(
        eventually(|| grandchildren.iter().all(|&p| !alive(p))),
        "still alive: {:?}",
        grandchildren
            .iter()
            .filter(|&&p| alive(p))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_child_ignoring_sigterm_is_killed_after_the_grace_period() {
    // The ignored disposition is inherited by `sleep` across exec too.
    let mut plan = sh("trap '' TERM; sleep 300", 1);
    plan.timeout = Some(Duration::from_millis(1000));
    let it = &run_plan(&plan).iterations[0];
    assert!(it.timed_out);
    assert_eq!(it.signal, Some(libc::SIGKILL), "{it:?}");
}

#[test]
fn processes_left_running_by_the_command_are_killed_when_it_exits() {
    let dir = scratch();
    let pids = dir.path().join("pids");
    let script = format!(
        "sleep 300 & echo $! >> {p}; setsid sleep 300 & echo $! >> {p}; sleep 0.3",
        p = q(&pids)
    );
    let out = run_plan(&sh(&script, 2));
    assert!(out.iterations.iter().all(|it| it.succeeded()));
    let left = pids_in(&pids);
    assert_eq!(left.len(), 4);
    assert!(eventually(|| left.iter().all(|&p| !alive(p))));
}

#[test]
fn cancelling_mid_iteration_keeps_finished_iterations_and_leaves_nothing() {
    let dir = scratch();
    let pids = dir.path().join("pids");
    let cleaned = dir.path().join("cleaned");
    // Iterations 0 and 1 finish at once; iteration 2 blocks.
    let script = format!(
        "echo $$ >> {p}; if [ \"$PERFWATCH_ITERATION\" -ge 2 ]; then \
         sleep 300 & echo $! >> {p}; wait; fi",
        p = q(&pids)
    );
    let mut plan = sh(&script, 5);
    plan.hooks.cleanup = Some(format!("touch {}", q(&cleaned)));
    let cancel = Cancel::new();
    let canceller = {
        let cancel = cancel.clone();
        let pids = pids.clone();
        std::thread::spawn(move || {
            assert!(
                eventually(|| pids_in(&pids).len() >= 4),
                "iteration 2 never started"
            );
            cancel.cancel();
        })
    };
    let mut rec = Recorder::default();
    let out = run(&plan, &mut [], &mut rec, &cancel).unwrap();
    canceller.join().unwrap();
    assert_eq!(out.status, SessionStatus::Interrupted);
    assert!(matches!(out.stopped_by, Some(RunError::Interrupted)));
    assert_eq!(out.exit_code(), 130);
    let indices: Vec<u32> = out.iterations.iter().map(|it| it.index).collect();
    assert_eq!(indices, vec![0, 1]);
    assert_eq!(rec.finished, vec![0, 1]);
    assert!(cleaned.exists(), "cleanup ran after the interrupt");
    let all = pids_in(&pids);
    assert!(eventually(|| all.iter().all(|&p| !alive(p))));
}

#[test]
fn cancelling_between_iterations_stops_before_the_next() {
    let cancel = Cancel::new();
    let mut rec = Recorder {
        cancel_after: Some((2, cancel.clone())),
        ..Recorder::default()
    };
    let out = run(&argv(&["true"], 10), &mut [], &mut rec, &cancel).unwrap();
    assert_eq!(out.status, SessionStatus::Interrupted);
    assert_eq!(out.iterations.len(), 2);
}
