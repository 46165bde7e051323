//! `perfwatch db copy FROM TO`: a whole history copied between stores,
//! counted and checked, idempotent, and giving the same answers.

use crate::util::{pw, stderr, stdout, TestDir, PERFWATCH};
use perfwatch_model::SessionStatus;
use perfwatch_store::{SqliteStore, Store};
use std::path::Path;

/// (sessions, iterations, spans, baselines) stored in an SQLite history.
fn counts(db: &Path) -> (u64, u64, u64, u64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let count =
        |sql: &str| -> u64 { conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64 };
    (
        count("SELECT count(*) FROM sessions"),
        count("SELECT count(*) FROM iterations"),
        // An iteration's spans are one JSON array.
        count("SELECT coalesce(sum(json_array_length(spans)), 0) FROM iteration_spans"),
        count("SELECT count(*) FROM baselines"),
    )
}

/// A history of two sessions with stages, and a baseline on the first.
fn history_with_stages(dir: &TestDir) -> Vec<String> {
    let staged = format!("{PERFWATCH} span load -- true; {PERFWATCH} span save -- true");
    for runs in ["3", "2"] {
        pw(dir)
            .args(["run", "-r", runs, "--name", "staged", &staged])
            .assert()
            .success();
    }
    let ids: Vec<String> = dir.history().sessions().into_iter().map(|s| s.0).collect();
    pw(dir)
        .args(["baseline", "save", "main", &ids[0]])
        .assert()
        .success();
    ids
}

/// `db copy FROM TO` with the history's database as FROM.
fn copy(dir: &TestDir, to: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    pw(dir)
        .args(["db", "copy"])
        .arg(dir.db())
        .arg(to)
        .args(extra)
        .assert()
}

#[test]
fn db_copy_prints_counts_equal_to_the_source_and_a_second_copy_copies_nothing() {
    let dir = TestDir::new();
    history_with_stages(&dir);
    let source = counts(&dir.db());
    assert_eq!(source.0, 2);
    assert_eq!(source.1, 5);
    // Each run of the command reports two stages (and perhaps the shell's).
    assert!(source.2 >= 10, "{source:?}");
    let to = dir.join("copy.db");

    let assert = copy(&dir, &to, &[]).success();
    assert_eq!(counts(&to), source);
    let out = stdout(&assert);
    let expected = format!(
        "  sessions             2              0\n  \
         iterations           5              0\n  \
         spans       {:>10}              0\n  \
         baselines            1              0\n",
        source.2
    );
    assert!(out.contains(&expected), "{out}");
    assert!(
        out.contains("checked: TO holds the 2 copied sessions with the same counts"),
        "{out}"
    );
    assert!(stderr(&assert).is_empty(), "{}", stderr(&assert));

    let assert = copy(&dir, &to, &[]).success();
    assert_eq!(counts(&to), source, "nothing copied twice");
    let out = stdout(&assert);
    let expected = format!(
        "  sessions             0              2\n  \
         iterations           0              5\n  \
         spans                0 {:>14}\n  \
         baselines            0              1\n",
        source.2
    );
    assert!(out.contains(&expected), "{out}");
    assert!(out.contains("nothing new to copy"), "{out}");
}

#[test]
fn a_copied_session_gives_the_same_report_json_as_the_original() {
    let dir = TestDir::new();
    let ids = history_with_stages(&dir);
    let to = dir.join("copy.db");
    copy(&dir, &to, &[]).success();
    for id in &ids {
        let report = |db: &Path| {
            let assert = pw(&dir)
                .env("PERFWATCH_DB", db)
                .args(["report", id, "--format", "json", "--baseline", "main"])
                .assert()
                .success();
            stdout(&assert)
        };
        let (original, copied) = (report(&dir.db()), report(&to));
        assert!(original.contains("\"schema\""));
        assert_eq!(original, copied, "session {id}");
    }
}

#[test]
fn a_baseline_over_other_sessions_is_reported_and_kept_unless_overwritten() {
    let dir = TestDir::new();
    let ids = history_with_stages(&dir);
    let to = dir.join("copy.db");
    copy(&dir, &to, &[]).success();
    // In TO, `main` now names the second session.
    pw(&dir)
        .env("PERFWATCH_DB", &to)
        .args(["baseline", "save", "main", &ids[1], "--force"])
        .assert()
        .success();
    let main_in = |db: &Path| {
        SqliteStore::open(db)
            .unwrap()
            .get_baseline("main")
            .unwrap()
            .session_ids
    };

    let assert = copy(&dir, &to, &[]).success();
    let err = stderr(&assert);
    assert!(
        err.contains(&format!(
            "warning: baseline `main` differs: sessions {} in FROM, {} in TO; left as it is \
             (--overwrite-baselines replaces it)",
            &ids[0][..8],
            &ids[1][..8]
        )),
        "{err}"
    );
    assert_eq!(main_in(&to), [ids[1].clone()]);

    let assert = copy(&dir, &to, &["--overwrite-baselines"]).success();
    assert!(
        stderr(&assert).contains("note: baseline `main` replaced"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(main_in(&to), [ids[0].clone()]);
    assert!(stdout(&assert).contains("  baselines            1              0\n"));
}

#[test]
fn a_running_session_is_copied_as_it_is_and_said_so() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "1", "--", "true"])
        .assert()
        .success();
    let store = SqliteStore::open(&dir.db()).unwrap();
    let running = perfwatch_testkit::synthetic::bare_session(
        "feedc0de00000001",
        "still-running",
        "2999-01-01T00:00:00Z",
        SessionStatus::Running,
    );
    store.create_session(&running).unwrap();
    let to = dir.join("copy.db");
    let assert = copy(&dir, &to, &[]).success();
    assert!(
        stderr(&assert).contains("note: session feedc0de was still running in"),
        "{}",
        stderr(&assert)
    );
    let (copied, _) = SqliteStore::open(&to)
        .unwrap()
        .load_session(&running.id)
        .unwrap();
    assert_eq!(copied.status, SessionStatus::Running);

    // It goes on in FROM; the next copy leaves it and says it differs.
    store
        .add_iteration(&running.id, &perfwatch_model::Iteration::default())
        .unwrap();
    let assert = copy(&dir, &to, &[]).success();
    assert!(
        stderr(&assert).contains("warning: session feedc0de differs: 1 iterations and 0 spans in"),
        "{}",
        stderr(&assert)
    );
}

#[test]
fn db_copy_onto_itself_or_from_nothing_is_refused() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "1", "--", "true"])
        .assert()
        .success();
    let same = dir.path().join(".").join("history.db");
    let assert = copy(&dir, &same, &[]).code(2);
    assert!(
        stderr(&assert).contains("FROM and TO are the same store"),
        "{}",
        stderr(&assert)
    );
    let assert = pw(&dir)
        .args(["db", "copy", "missing.db", "to.db"])
        .assert()
        .code(2);
    assert!(stderr(&assert).contains("no perfwatch history at missing.db"));
    assert!(!dir.join("to.db").exists(), "nothing created");
}
