//! A failing, crashing or hanging command: exit codes, what is kept, and
//! that no process outlives its iteration.

use crate::util::{
    assert_one_line_error, iterations, only_variant, pids_in, process_alive, pw, python, stderr,
    stdout, wait_until, TestDir,
};
use std::time::Duration;

/// Wait (bounded) until none of the recorded pids runs any more.
fn assert_all_gone(dir: &TestDir, file: &str, expected: usize) {
    let pids = pids_in(dir, file);
    assert_eq!(pids.len(), expected, "pids recorded: {pids:?}");
    wait_until(
        Duration::from_secs(5),
        "the process tree to be killed",
        || pids.iter().all(|&p| !process_alive(p)),
    );
}

#[test]
fn non_zero_exit_stops_the_session_with_exit_code_3_and_the_stderr_tail() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args([
            "run",
            "-r",
            "5",
            "echo ran >> runs.txt; echo boom-marker >&2; exit 7",
        ])
        .assert()
        .code(3);
    let err = stderr(&assert);
    assert!(err.contains("exit code 7"), "{err}");
    assert!(err.contains("boom-marker"), "stderr tail missing:\n{err}");
    assert_eq!(dir.lines("runs.txt").len(), 1, "the session did not stop");
    let sessions = dir.history().sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].1, "failed");
    assert_eq!(sessions[0].2, 1, "the failed iteration is kept");
    assert_eq!(iterations(&dir.export("latest"))[0]["exit_code"], 7);
}

#[test]
fn ignore_failure_runs_every_iteration_and_exits_3_when_none_succeeded() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-r",
            "3",
            "--ignore-failure",
            "--",
            "sh",
            "-c",
            "exit 1",
        ])
        .assert()
        .code(3);
    let its = iterations(&dir.export("latest"));
    assert_eq!(its.len(), 3);
    assert!(its.iter().all(|it| it["exit_code"] == 1), "{its:?}");
    assert_eq!(dir.history().sessions()[0].1, "complete");
}

/// hyperfine's `--ignore-failure=1,2`: only those exit codes let the run
/// go on; another one stops it as without the flag; a malformed list is a
/// usage error before anything runs.
#[test]
fn ignore_failure_with_exit_codes_ignores_only_those() {
    let dir = TestDir::new();
    let script = "echo ran >> runs.txt; exit $(( $(wc -l < runs.txt) == 2 ? 5 : 3 ))";
    let assert = pw(&dir)
        .args(["run", "-r", "4", "--ignore-failure=3,4", script])
        .assert()
        .code(3);
    assert!(
        stderr(&assert).contains("exit code 5"),
        "{}",
        stderr(&assert)
    );
    let its = iterations(&dir.export("latest"));
    let codes: Vec<_> = its.iter().map(|it| it["exit_code"].clone()).collect();
    assert_eq!(codes, [3, 5], "the run went on after 3 and stopped at 5");
    assert_eq!(dir.history().sessions()[0].1, "failed");

    pw(&dir)
        .args(["run", "-r", "2", "--ignore-failure=all-non-zero", "exit 9"])
        .assert()
        .code(3);
    assert_eq!(iterations(&dir.export("latest")).len(), 2);
    for bad in [
        "--ignore-failure=x",
        "--ignore-failure=0",
        "--ignore-failure=1,,2",
    ] {
        assert_one_line_error(
            pw(&dir).args(["run", "-r", "1", bad, "true"]).assert(),
            2,
            &["exit codes 1–255"],
        );
    }
    assert_eq!(
        dir.history().sessions().len(),
        2,
        "nothing ran for a bad list"
    );
}

#[test]
fn crash_by_signal_is_a_command_failure_naming_the_signal() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args(["run", "-r", "3", "--", "sh", "-c", "kill -SEGV $$"])
        .assert()
        .code(3);
    let err = stderr(&assert);
    assert!(err.contains("SIGSEGV"), "{err}");
    let its = iterations(&dir.export("latest"));
    assert_eq!(its.len(), 1);
    assert_eq!(its[0]["signal"], libc::SIGSEGV);
    assert!(its[0]["exit_code"].is_null(), "{}", its[0]);
}

/// A script that, in iteration 1 only, starts two subshells that each
/// start a `sleep 30`, records all four pids and waits for them.
const TREE_SCRIPT: &str = r#"
if [ "$PERFWATCH_ITERATION" = 1 ]; then
  for i in 1 2; do
    sh -c 'sleep 30 & echo $! >> pids.txt; wait' &
    echo $! >> pids.txt
  done
  wait
fi
"#;

#[test]
fn timeout_kills_the_process_tree_and_excludes_the_iteration_from_statistics() {
    let dir = TestDir::new();
    dir.write("tree.sh", TREE_SCRIPT);
    let assert = pw(&dir)
        .args(["run", "-r", "3", "--timeout", "0.5", "--", "sh", "tree.sh"])
        .assert()
        .success();
    let out = stdout(&assert);
    assert!(out.contains("1 timed out"), "{out}");
    assert_all_gone(&dir, "pids.txt", 4);

    let json = dir.export("latest");
    let its = iterations(&json);
    assert_eq!(its.len(), 3, "the timed-out iteration is kept");
    let timed_out: Vec<u64> = its
        .iter()
        .filter(|it| it["timed_out"] == true)
        .map(|it| it["index"].as_u64().unwrap())
        .collect();
    assert_eq!(timed_out, [1]);
    assert_eq!(only_variant(&json)["summary"]["wall_s"]["n"], 2);
    let shown = stdout(&pw(&dir).args(["show", "latest"]).assert().success());
    assert!(shown.contains("1 timed out"), "{shown}");
}

#[test]
fn timeout_kills_a_command_that_ignores_sigterm() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-r",
            "1",
            "--timeout",
            "0.5",
            "--",
            python(),
            "-c",
            "import os, signal, time\n\
             signal.signal(signal.SIGTERM, signal.SIG_IGN)\n\
             open('pids.txt', 'a').write(f'{os.getpid()}\\n')\n\
             time.sleep(30)",
        ])
        .assert()
        // Nothing was measured: every run timed out.
        .code(3);
    assert_all_gone(&dir, "pids.txt", 1);
    let its = iterations(&dir.export("latest"));
    assert_eq!(its[0]["timed_out"], true, "{}", its[0]);
    assert_eq!(its[0]["signal"], libc::SIGKILL, "{}", its[0]);
}

#[test]
fn processes_left_running_by_a_finished_command_are_killed() {
    // "No process outlives its iteration": a background job the command
    // forgot about does not survive it.
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "1", "sleep 30 & echo $! >> pids.txt"])
        .assert()
        .success();
    assert_all_gone(&dir, "pids.txt", 1);
}
