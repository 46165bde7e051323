//! Bad input: a clear one-line error, the documented exit code, and
//! nothing written — no database created, an existing file unchanged.

use crate::util::{assert_one_line_error, pw, stderr, tree_snapshot, TestDir};
use std::os::unix::fs::PermissionsExt;

/// Run `args`, expect a one-line usage error mentioning `needles`, and
/// check the directory (database included) is byte-for-byte unchanged.
fn rejects_and_writes_nothing(dir: &TestDir, args: &[&str], needles: &[&str]) {
    let before = tree_snapshot(dir.path());
    assert_one_line_error(pw(dir).args(args).assert(), 2, needles);
    assert_eq!(
        tree_snapshot(dir.path()),
        before,
        "`{args:?}` wrote something"
    );
}

#[test]
fn command_not_found_is_a_usage_error() {
    let dir = TestDir::new();
    rejects_and_writes_nothing(
        &dir,
        &["run", "--", "perfwatch-no-such-program"],
        &["perfwatch-no-such-program", "not found"],
    );
    assert!(!dir.db().exists());
}

#[test]
fn not_executable_command_is_a_usage_error() {
    let dir = TestDir::new();
    let script = dir.write("script.sh", "#!/bin/sh\necho hi\n");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
    rejects_and_writes_nothing(
        &dir,
        &["run", "--", "./script.sh"],
        &["script.sh", "executable"],
    );
    assert!(!dir.db().exists());
}

#[test]
fn directory_as_command_is_a_usage_error() {
    let dir = TestDir::new();
    std::fs::create_dir(dir.join("subdir")).unwrap();
    rejects_and_writes_nothing(&dir, &["run", "--", "./subdir"], &["subdir"]);
}

#[test]
fn empty_command_is_a_usage_error() {
    let dir = TestDir::new();
    rejects_and_writes_nothing(&dir, &["run", "--", ""], &["empty"]);
    rejects_and_writes_nothing(&dir, &["run", "  "], &["empty"]);
    rejects_and_writes_nothing(&dir, &["run"], &["nothing to run"]);
    assert!(!dir.db().exists());
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let dir = TestDir::new();
    let before = tree_snapshot(dir.path());
    let assert = pw(&dir)
        .args(["run", "--frobnicate", "--", "true"])
        .assert()
        .code(2);
    let err = stderr(&assert);
    assert!(
        err.lines()
            .next()
            .is_some_and(|l| l.starts_with("error: ") && l.contains("--frobnicate")),
        "{err}"
    );
    assert_eq!(tree_snapshot(dir.path()), before);
}

#[test]
fn bad_numbers_are_usage_errors() {
    let dir = TestDir::new();
    rejects_and_writes_nothing(
        &dir,
        &["run", "--timeout", "0", "--", "true"],
        &["--timeout"],
    );
    // clap's own message (several lines, with a tip) for a value that looks like a flag.
    pw(&dir)
        .args(["run", "--timeout", "-1", "--", "true"])
        .assert()
        .code(2);
    rejects_and_writes_nothing(&dir, &["run", "-r", "0", "--", "true"], &["runs"]);
    rejects_and_writes_nothing(
        &dir,
        &["run", "--min-runs", "5", "--max-runs", "2", "--", "true"],
        &["--max-runs"],
    );
    rejects_and_writes_nothing(&dir, &["run", "--param", "n", "--", "true"], &["--param"]);
    rejects_and_writes_nothing(
        &dir,
        &["run", "--param", "n=3..1", "--", "true"],
        &["--param"],
    );
}

#[test]
fn db_path_below_a_regular_file_is_a_usage_error() {
    // Tests run as root, so permissions cannot make a path unwritable; a
    // regular file used as a directory fails for everyone.
    let dir = TestDir::new();
    dir.write("file.txt", "not a directory\n");
    let db = dir.join("file.txt/history.db");
    rejects_and_writes_nothing(
        &dir,
        &["run", "--db", db.to_str().unwrap(), "--", "true"],
        &["file.txt"],
    );
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_unchanged() {
    let dir = TestDir::new();
    dir.write("history.db", "these are my notes, not a database\n");
    rejects_and_writes_nothing(&dir, &["run", "--", "true"], &["history.db", "not"]);
    assert_eq!(
        dir.read("history.db"),
        "these are my notes, not a database\n"
    );
}

#[test]
fn another_programs_sqlite_database_is_refused_and_left_unchanged() {
    let dir = TestDir::new();
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    conn.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    drop(conn);
    rejects_and_writes_nothing(&dir, &["run", "--", "true"], &["history.db"]);
}

#[test]
fn a_database_with_a_newer_schema_is_refused_and_left_unchanged() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "1", "--", "true"])
        .assert()
        .success();
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    // Leave a plain, self-contained file behind (no WAL to replay).
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    rejects_and_writes_nothing(&dir, &["run", "--", "true"], &["history.db"]);
    rejects_and_writes_nothing(&dir, &["sessions"], &["history.db"]);
}

#[test]
fn unknown_baseline_for_run_is_a_usage_error_before_anything_runs() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "1", "--", "true"])
        .assert()
        .success();
    let assert = pw(&dir)
        .args(["run", "-r", "1", "--baseline", "nope", "echo ran > ran.txt"])
        .assert();
    assert_one_line_error(assert, 2, &["nope"]);
    assert!(!dir.join("ran.txt").exists());
    assert_eq!(dir.history().sessions().len(), 1);
}

#[test]
fn variant_flag_on_an_ad_hoc_command_is_a_usage_error() {
    let dir = TestDir::new();
    rejects_and_writes_nothing(
        &dir,
        &["run", "--variant", "x", "--", "true"],
        &["--variant"],
    );
}

#[test]
fn name_flag_with_configured_benchmarks_is_a_usage_error() {
    let dir = TestDir::new();
    dir.write("perfwatch.toml", "[benchmark.b]\ncommand = ['true']\n");
    rejects_and_writes_nothing(&dir, &["run", "b", "--name", "x"], &["--name"]);
}
