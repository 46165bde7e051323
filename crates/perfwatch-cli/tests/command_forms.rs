//! The two ways to give a command: argv after `--` (executed directly, no
//! shell) and `--shell` (one string for `sh -c`).

use crate::util::{assert_one_line_error, pw, python, stdout, TestDir};

#[test]
fn argv_after_double_dash_is_executed_without_a_shell() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args(["run", "-n", "1", "--show-output", "--", "echo", "$HOME"])
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
            "-n",
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
        .args([
            "run",
            "-n",
            "1",
            "--shell",
            "echo $((6 * 7)) | tr 4 X > out.txt",
        ])
        .assert()
        .success();
    assert_eq!(dir.read("out.txt").trim(), "X2");
    let json = dir.export("latest");
    assert_eq!(json["session"]["command"]["shell"], true);
}

#[test]
fn shell_string_may_also_follow_double_dash() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-n",
            "1",
            "--shell",
            "--",
            "echo $((6 * 7)) > out.txt",
        ])
        .assert()
        .success();
    assert_eq!(dir.read("out.txt").trim(), "42");
}

#[test]
fn shell_string_both_before_and_after_double_dash_is_a_usage_error() {
    let dir = TestDir::new();
    assert_one_line_error(
        pw(&dir)
            .args(["run", "--shell", "true", "--", "true"])
            .assert(),
        2,
        &["--shell"],
    );
    assert!(!dir.db().exists());
}

#[test]
fn words_before_double_dash_without_config_name_no_benchmark() {
    let dir = TestDir::new();
    // `perfwatch run sleep 1` (forgotten `--`): a clear usage error.
    let assert = pw(&dir).args(["run", "sleep"]).assert().code(2);
    let err = crate::util::stderr(&assert);
    assert!(err.contains("sleep") && err.contains("--"), "{err}");
    assert!(!dir.db().exists());
}
