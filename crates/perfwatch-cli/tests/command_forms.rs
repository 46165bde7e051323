//! The ways to give commands: strings (each through the shell, as in
//! hyperfine; split into argv with `-N`) and one argv after `--` (executed
//! directly, no shell).

use crate::util::{assert_one_line_error, pw, python, stdout, TestDir};

#[test]
fn argv_after_double_dash_is_executed_without_a_shell() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args(["run", "-r", "1", "--show-output", "--", "echo", "$HOME"])
        .assert()
        .success();
    let out = stdout(&assert);
    assert!(out.lines().any(|l| l == "$HOME"), "{out}");
}

#[test]
fn argv_arguments_reach_the_program_byte_for_byte() {
    let dir = TestDir::new();
    let tricky = "$HOME; echo 'x' | `id` *";
    pw(&dir)
        .args([
            "run",
            "-r",
            "1",
            "--",
            python(),
            "-c",
            "import sys; open('argv.txt', 'w').write(sys.argv[1])",
            tricky,
        ])
        .assert()
        .success();
    assert_eq!(dir.read("argv.txt"), tricky);
}

#[test]
fn shell_string_runs_through_sh() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "1", "echo $((6 * 7)) | tr 4 X > out.txt"])
        .assert()
        .success();
    assert_eq!(dir.read("out.txt").trim(), "X2");
    let json = dir.export("latest");
    assert_eq!(json["session"]["command"]["shell"], true);
}

#[test]
fn a_command_line_after_double_dash_gets_the_shell_hint() {
    let dir = TestDir::new();
    assert_one_line_error(
        pw(&dir)
            .args(["run", "-r", "1", "--", "sleep 0.1"])
            .assert(),
        2,
        &["`sleep 0.1`", "drop the `--`", "perfwatch run 'sleep 0.1'"],
    );
    assert!(!dir.db().exists());
}

#[test]
fn shell_string_both_before_and_after_double_dash_is_a_usage_error() {
    let dir = TestDir::new();
    assert_one_line_error(
        pw(&dir).args(["run", "true", "--", "true"]).assert(),
        2,
        &["not both"],
    );
    assert!(!dir.db().exists());
}

#[test]
fn a_misspelt_benchmark_name_is_not_run_as_a_command() {
    let dir = TestDir::new();
    dir.write(
        "perfwatch.toml",
        "[benchmark.pipeline]\ncommand = [\"true\"]\n",
    );
    // Neither a benchmark nor a program: most likely a typo.
    let assert = pw(&dir).args(["run", "pipelne"]).assert().code(2);
    let err = crate::util::stderr(&assert);
    assert!(err.contains("pipelne") && err.contains("pipeline"), "{err}");
    assert!(!dir.db().exists());
}
