//! A PostgreSQL history (`--db postgres://…`): every command that works
//! on SQLite works on it, and says where it is without the password.

use crate::config::configured;
use crate::util::{pw, stdout, TestDir};
use perfwatch_testkit::postgres::require;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A new, empty database in this process's private cluster, its URL with
/// a password the cluster ignores (trust on loopback) but messages must
/// never show; `None` when PostgreSQL is not installed.
fn database() -> Option<String> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let cluster = require()?;
    let name = format!(
        "cli{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let url = cluster.create_database(&name).unwrap();
    Some(url.replacen("postgres://perfwatch@", "postgres://perfwatch:hunter2@", 1))
}

/// `perfwatch --db URL ARGS…` in `dir`.
fn pg(dir: &TestDir, url: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    let assert = pw(dir).env("PERFWATCH_DB", url).args(args).assert();
    let out = assert.get_output();
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains("hunter2"),
            "{args:?} printed the password:\n{text}"
        );
    }
    assert
}

#[test]
fn every_command_works_on_a_postgres_history() {
    let Some(url) = database() else { return };
    let dir = configured();
    // Nothing stored yet: reading says so, with the URL but no password.
    let empty = pg(&dir, &url, &["sessions"]).failure();
    let err = String::from_utf8_lossy(&empty.get_output().stderr).into_owned();
    assert!(
        err.contains("no perfwatch history at postgres://perfwatch:***@"),
        "{err}"
    );

    pg(
        &dir,
        &url,
        &[
            "run",
            "-r",
            "5",
            "-n",
            "gz",
            "--",
            "gzip",
            "-c",
            "/etc/services",
        ],
    )
    .success();
    pg(
        &dir,
        &url,
        &[
            "run",
            "-r",
            "5",
            "-n",
            "gz",
            "--",
            "gzip",
            "-9",
            "-c",
            "/etc/services",
        ],
    )
    .success();
    pg(&dir, &url, &["ab", "b", "x", "y", "-r", "3"]).success();
    pg(&dir, &url, &["baseline", "save", "main", "latest~2"]).success();
    let listed = stdout(&pg(&dir, &url, &["sessions"]).success());
    assert_eq!(
        listed.lines().filter(|l| l.contains("complete")).count(),
        3,
        "{listed}"
    );
    assert!(stdout(&pg(&dir, &url, &["baseline", "list"]).success()).contains("main"));

    let compared = stdout(&pg(&dir, &url, &["compare", "main", "latest~1"]).success());
    assert!(compared.contains("vs baseline main"), "{compared}");
    let history = stdout(&pg(&dir, &url, &["history", "gz"]).success());
    assert!(
        history
            .lines()
            .filter(|l| l.contains("gz") || l.contains("ms"))
            .count()
            >= 2,
        "{history}"
    );
    let gate = pg(
        &dir,
        &url,
        &[
            "gate",
            "latest~1",
            "--baseline",
            "main",
            "--max-regression-critical",
            "100",
        ],
    );
    assert!(
        matches!(gate.get_output().status.code(), Some(0 | 4)),
        "gate: {:?}",
        gate.get_output()
    );
    pg(&dir, &url, &["show", "latest"]).success();
    pg(&dir, &url, &["report", "latest~1", "--html", "report.html"]).success();
    pg(&dir, &url, &["dashboard", "-o", "dash"]).success();
    assert!(dir.join("report.html").exists() && dir.join("dash/index.html").exists());
    let markdown =
        stdout(&pg(&dir, &url, &["report", "latest~1", "--format", "markdown"]).success());
    assert!(markdown.contains("gz"), "{markdown}");

    // The stored session reads back as it was measured: its export lists
    // every iteration, and `export` and `report --format json` agree.
    let export: serde_json::Value = serde_json::from_str(&stdout(
        &pg(&dir, &url, &["export", "latest~1", "--format", "json"]).success(),
    ))
    .unwrap();
    assert_eq!(
        export["variants"][0]["iterations"].as_array().map(Vec::len),
        Some(5),
        "{export}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(
        &pg(&dir, &url, &["report", "latest~1", "--format", "json"]).success(),
    ))
    .unwrap();
    assert_eq!(export["session"], report["session"]);

    // Change points need ten sessions: eight more, quick ones.
    for _ in 0..8 {
        pg(
            &dir,
            &url,
            &[
                "run",
                "-r",
                "2",
                "-n",
                "gz",
                "--",
                "gzip",
                "-c",
                "/etc/services",
            ],
        )
        .success();
    }
    let detected = stdout(&pg(&dir, &url, &["detect", "gz", "--format", "json"]).success());
    let detected: serde_json::Value = serde_json::from_str(&detected).unwrap();
    assert!(detected[0]["change_points"].is_array(), "{detected}");
    pg(&dir, &url, &["baseline", "delete", "main"]).success();
    assert!(!dir.join(".perfwatch").exists(), "no SQLite file was made");
}

#[test]
fn an_unreachable_server_is_an_error_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://ci:hunter2@127.0.0.1:{port}/perf?connect_timeout=2");
    let dir = TestDir::new();
    for args in [&["sessions"][..], &["run", "-r", "1", "--", "true"]] {
        let out = pg(&dir, &url, args).failure();
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.contains("cannot connect to postgres://ci:***@127.0.0.1"),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
}

/// The answer `args` print (stdout), asked of `db`.
fn answer(dir: &TestDir, db: &str, args: &[&str]) -> String {
    stdout(&pg(dir, db, args).success())
}

#[test]
fn a_history_copied_to_postgres_and_back_gives_the_same_answers() {
    let Some(url) = database() else { return };
    let dir = configured();
    let sqlite = dir.db().display().to_string();
    for level in ["-1", "-9"] {
        pg(
            &dir,
            &sqlite,
            &[
                "run",
                "-r",
                "4",
                "-n",
                "gz",
                "--",
                "gzip",
                level,
                "-c",
                "/etc/services",
            ],
        )
        .success();
    }
    pg(&dir, &sqlite, &["ab", "b", "x", "y", "-r", "3"]).success();
    pg(&dir, &sqlite, &["baseline", "save", "main", "latest~2"]).success();

    let copied = answer(&dir, &sqlite, &["db", "copy", &sqlite, &url]);
    assert!(
        copied.contains("checked: TO holds the 3 copied sessions"),
        "{copied}"
    );
    // Every way of asking gives the same answer from either store.
    let ids: Vec<String> = dir.history().sessions().into_iter().map(|s| s.0).collect();
    assert_eq!(ids.len(), 3);
    let mut questions: Vec<Vec<String>> = ids
        .iter()
        .map(|id| {
            vec![
                "report".into(),
                id.clone(),
                "--format".into(),
                "json".into(),
            ]
        })
        .collect();
    for q in [
        &["sessions"][..],
        &["show", "latest"],
        &["compare", "main", "latest~1"],
        &["history", "gz", "--format", "json"],
        &["baseline", "show", "main"],
        &["export", "latest~1", "--format", "csv"],
    ] {
        questions.push(q.iter().map(|s| s.to_string()).collect());
    }
    for q in &questions {
        let q: Vec<&str> = q.iter().map(String::as_str).collect();
        assert_eq!(answer(&dir, &sqlite, &q), answer(&dir, &url, &q), "{q:?}");
    }

    // And back into a new file: the same again, and a second copy copies
    // nothing.
    let back = dir.join("back.db").display().to_string();
    answer(&dir, &url, &["db", "copy", &url, &back]);
    let again = answer(&dir, &url, &["db", "copy", &url, &back]);
    assert!(again.contains("nothing new to copy"), "{again}");
    for q in &questions {
        let q: Vec<&str> = q.iter().map(String::as_str).collect();
        assert_eq!(answer(&dir, &sqlite, &q), answer(&dir, &back, &q), "{q:?}");
    }
}
