//! `perfwatch push` and `run/ab --push`, against a loopback server that
//! answers as `perfwatch serve` does (`util::TestServer`): nothing lost
//! when the server is down, nothing sent twice, refusals explained without
//! the token.

use crate::util::{assert_one_line_error, dead_port, pw, stderr, stdout, TestDir, TestServer};
use perfwatch_model::SessionStatus;
use perfwatch_store::{SqliteStore, Store};

const TOKEN: &str = "pw-test-token-5f1c9a";

/// `run -r 2 … -- true` with `extra` flags; returns the new session's id.
fn run_one(dir: &TestDir, extra: &[&str]) -> (assert_cmd::assert::Assert, String) {
    let before = dir.history().sessions().len();
    let assert = pw(dir)
        .args(["run", "-r", "2"])
        .args(extra)
        .args(["--", "true"])
        .assert();
    let sessions = dir.history().sessions();
    assert_eq!(sessions.len(), before + 1, "the run stored one session");
    let id = sessions.last().unwrap().0.clone();
    (assert, id)
}

/// The `pushes` rows: (session id, server, pushed).
fn push_rows(dir: &TestDir) -> Vec<(String, String, bool)> {
    let store = SqliteStore::open(&dir.db()).unwrap();
    store
        .push_queue(None, true)
        .unwrap()
        .into_iter()
        .map(|e| (e.session_id, e.server, e.pushed_at.is_some()))
        .collect()
}

#[test]
fn an_unreachable_server_leaves_the_session_queued_and_the_run_exit_code_alone() {
    let dir = TestDir::new();
    let port = dead_port();
    let url = format!("http://127.0.0.1:{port}");
    let (assert, id) = run_one(&dir, &[&format!("--push={url}/")]);
    let err = stderr(&assert.success());
    let short = &id[..8];
    assert!(
        err.contains(&format!(
            "note: session {short} queued for {url} (connection refused); \
             run `perfwatch push` to send it"
        )),
        "{err}"
    );
    // The trailing slash is gone: one server, one key.
    assert_eq!(push_rows(&dir), [(id, url.clone(), false)]);

    // A failing command keeps its own exit code (3) with --push too.
    pw(&dir)
        .args(["run", "-r", "1", &format!("--push={url}"), "--", "false"])
        .assert()
        .code(3);
    assert_eq!(push_rows(&dir).len(), 2);
}

#[test]
fn push_sends_the_queue_later_oldest_first_and_nothing_twice() {
    let dir = TestDir::new();
    let port = dead_port();
    let url = format!("http://127.0.0.1:{port}");
    let (_, first) = run_one(&dir, &[&format!("--push={url}")]);
    let (_, second) = run_one(&dir, &[&format!("--push={url}")]);

    // Still down: `push` fails, both stay queued.
    let assert = pw(&dir).args(["push", "--token", TOKEN]).assert().code(1);
    let (out, err) = (stdout(&assert), stderr(&assert));
    assert!(
        out.contains(&format!("pushed 0 sessions to {url}, 2 still queued")),
        "{out}"
    );
    assert!(err.contains("connection refused"), "{err}");

    let server = TestServer::start_on(port, TOKEN);
    let assert = pw(&dir)
        .env("PERFWATCH_TOKEN", TOKEN)
        .arg("push")
        .assert()
        .success();
    assert_eq!(
        stdout(&assert).trim(),
        format!("pushed 2 sessions to {url}")
    );
    assert_eq!(server.stored_ids(), [first.clone(), second.clone()]);
    assert!(push_rows(&dir).iter().all(|(_, _, pushed)| *pushed));

    // Nothing is queued now: nothing is sent.
    let assert = pw(&dir)
        .env("PERFWATCH_TOKEN", TOKEN)
        .arg("push")
        .assert()
        .success();
    assert_eq!(
        stdout(&assert).trim(),
        "nothing to push: no session is queued"
    );
    // Naming a pushed session says so and sends nothing; --force sends it,
    // and the server, holding it, answers 200.
    let assert = pw(&dir)
        .args(["push", &first[..8], "--to", &url, "--token", TOKEN])
        .assert()
        .success();
    assert!(
        stdout(&assert).contains(&format!(
            "session {} was pushed to {url} already (--force sends it again)",
            &first[..8]
        )),
        "{}",
        stdout(&assert)
    );
    assert_eq!(server.requests().len(), 2);
    let assert = pw(&dir)
        .args([
            "push",
            &first[..8],
            "--force",
            "--to",
            &url,
            "--token",
            TOKEN,
        ])
        .assert()
        .success();
    assert_eq!(
        stdout(&assert).trim(),
        format!("pushed 0 sessions to {url}, 1 already there")
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn run_push_sends_the_document_report_json_writes() {
    let dir = TestDir::new();
    let server = TestServer::start(TOKEN);
    let url = server.url();
    let assert = pw(&dir)
        .env("PERFWATCH_TOKEN", TOKEN)
        .env("PERFWATCH_SERVER", &url)
        .args(["run", "-r", "3", "--push", "--", "true"])
        .assert()
        .success();
    let id = dir.history().sessions()[0].0.clone();
    assert!(
        stderr(&assert).contains(&format!("pushed session {} to {url}", &id[..8])),
        "{}",
        stderr(&assert)
    );
    // The live snapshots the run posted while it ran go elsewhere.
    let requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/sessions")
        .collect();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let report = pw(&dir)
        .args(["report", &id, "--format", "json"])
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_str(&stdout(&report)).unwrap();
    assert_eq!(server.stored(&id).unwrap(), report);
    assert_eq!(push_rows(&dir), [(id, url, true)]);
}

#[test]
fn a_server_error_leaves_the_session_queued_until_the_server_takes_it() {
    let dir = TestDir::new();
    let server = TestServer::start(TOKEN);
    let url = server.url();
    server.answer_with(Some(500));
    let (assert, id) = run_one(&dir, &[&format!("--push={url}")]);
    let err = stderr(&assert.success());
    assert!(
        err.contains(&format!(
            "note: session {} queued for {url} (the server answered 500 Internal Server Error: \
             the test server was told to fail); run `perfwatch push` to send it",
            &id[..8]
        )),
        "{err}"
    );
    let assert = pw(&dir).args(["push", "--token", TOKEN]).assert().code(1);
    assert!(stderr(&assert).contains("1 session still queued"));
    assert_eq!(push_rows(&dir), [(id.clone(), url.clone(), false)]);

    server.answer_with(None);
    pw(&dir).args(["push", "--token", TOKEN]).assert().success();
    assert_eq!(server.stored_ids(), std::slice::from_ref(&id));
    assert_eq!(push_rows(&dir), [(id, url, true)]);
}

#[test]
fn a_refused_token_is_an_error_that_never_shows_the_token() {
    let dir = TestDir::new();
    let server = TestServer::start(TOKEN);
    let url = server.url();
    let wrong = "wrong-token-0d9e8f7a";
    // The run itself succeeded; the refusal fails it (exit 1) and the
    // session stays queued.
    let before = dir.history().sessions().len();
    let assert = pw(&dir)
        .env("PERFWATCH_TOKEN", wrong)
        .args(["run", "-r", "2", &format!("--push={url}"), "--", "true"])
        .assert()
        .code(1);
    assert_eq!(dir.history().sessions().len(), before + 1);
    let (out, err) = (stdout(&assert), stderr(&assert));
    assert!(
        err.contains("401 Unauthorized: missing or invalid bearer token (check the token)"),
        "{err}"
    );
    assert!(err.contains("stays queued"), "{err}");
    assert!(!err.contains(wrong) && !out.contains(wrong), "{err}{out}");

    // `push` without any token: told how to give one.
    let assert = pw(&dir).arg("push").assert().code(1);
    let err = stderr(&assert);
    assert!(
        err.contains("401 Unauthorized") && err.contains("set PERFWATCH_TOKEN or give --token"),
        "{err}"
    );
    let assert = pw(&dir).args(["push", "--token", wrong]).assert().code(1);
    assert!(!stderr(&assert).contains(wrong) && !stdout(&assert).contains(wrong));
    assert!(server.stored_ids().is_empty());
    assert_eq!(push_rows(&dir).len(), 1);
}

#[test]
fn push_all_queues_every_session_not_yet_pushed_and_leaves_running_ones_queued() {
    let dir = TestDir::new();
    let server = TestServer::start(TOKEN);
    let url = server.url();
    run_one(&dir, &[]);
    run_one(&dir, &[]);
    // A session still running (written as a run in progress would).
    let store = SqliteStore::open(&dir.db()).unwrap();
    let running = perfwatch_testkit::synthetic::bare_session(
        "feedc0de00000001",
        "still-running",
        "2999-01-01T00:00:00Z",
        SessionStatus::Running,
    );
    store.create_session(&running).unwrap();
    drop(store);

    let assert = pw(&dir)
        .args([
            "push",
            "--all",
            "--to",
            &format!("{url}/"),
            "--token",
            TOKEN,
        ])
        .assert()
        .success();
    assert_eq!(
        stdout(&assert).trim(),
        format!("pushed 2 sessions to {url}, 1 still queued (1 still running)")
    );
    assert_eq!(server.stored_ids().len(), 2);
    assert!(!server.stored_ids().contains(&running.id));

    // A new session: --all queues and sends only it.
    let (_, third) = run_one(&dir, &[]);
    let assert = pw(&dir)
        .args(["push", "--all", "--to", &url, "--token", TOKEN])
        .assert()
        .success();
    assert_eq!(
        stdout(&assert).trim(),
        format!("pushed 1 session to {url}, 1 still queued (1 still running)")
    );
    assert_eq!(server.stored_ids().last(), Some(&third));
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn push_needs_a_server_and_a_well_formed_url_before_anything_runs() {
    let dir = TestDir::new();
    let assert = pw(&dir)
        .args(["run", "-r", "1", "--push", "--", "true"])
        .assert()
        .code(2);
    assert!(
        stderr(&assert).contains("PERFWATCH_SERVER, which is not set"),
        "{}",
        stderr(&assert)
    );
    assert!(dir.history().sessions().is_empty(), "nothing ran");
    let assert = pw(&dir)
        .args(["run", "-r", "1", "--push=perf.example.com", "--", "true"])
        .assert()
        .code(2);
    assert!(stderr(&assert).contains("invalid server URL `perf.example.com`"));
    let assert = pw(&dir)
        .args([
            "run",
            "-r",
            "1",
            "--push=http://me:hunter2@host",
            "--",
            "true",
        ])
        .assert()
        .code(2);
    assert!(!stderr(&assert).contains("hunter2"), "{}", stderr(&assert));
    assert!(dir.history().sessions().is_empty(), "nothing ran");
    // A space instead of `=` made the URL a command to run.
    for args in [
        &["run", "--push", "http://127.0.0.1:9", "sleep 0.01"][..],
        &["ab", "--push", "https://perf.example.com", "bench"][..],
    ] {
        let url = args[2];
        assert_one_line_error(
            pw(&dir).args(args).assert(),
            2,
            &[&format!("--push takes its URL after `=`: --push={url}")],
        );
    }
    assert!(dir.history().sessions().is_empty(), "nothing ran");

    run_one(&dir, &[]);
    let assert = pw(&dir).args(["push", "latest"]).assert().code(2);
    assert!(stderr(&assert).contains("no server to push to: give --to URL or set PERFWATCH_SERVER"));
    let assert = pw(&dir).args(["push", "--force"]).assert().code(2);
    assert!(stderr(&assert).contains("--force sends sessions again"));
}

#[test]
fn ab_push_sends_the_session_with_its_variants() {
    let dir = crate::config::configured();
    let server = TestServer::start(TOKEN);
    pw(&dir)
        .env("PERFWATCH_TOKEN", TOKEN)
        .args([
            "ab",
            "b",
            "x",
            "y",
            "-r",
            "2",
            &format!("--push={}", server.url()),
        ])
        .assert()
        .success();
    let id = dir.history().sessions()[0].0.clone();
    let doc = server.stored(&id).expect("the session was pushed");
    let variants: Vec<&str> = doc["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(variants, ["x", "y"]);
}

#[test]
fn push_forget_drops_queued_sessions_without_sending_and_keeps_them_in_the_history() {
    let dir = TestDir::new();
    let port = dead_port();
    let other_port = std::iter::repeat_with(dead_port)
        .find(|&p| p != port)
        .unwrap();
    let (gone, other) = (
        format!("http://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{other_port}"),
    );
    let (_, a) = run_one(&dir, &[&format!("--push={gone}")]);
    let (_, b) = run_one(&dir, &[&format!("--push={gone}")]);
    pw(&dir)
        .args(["push", "latest", "--to", &other])
        .assert()
        .code(1);
    assert_eq!(push_rows(&dir).len(), 3);

    // One session, one server: the other server's entry stays.
    let out = stdout(
        &pw(&dir)
            .args(["push", "--forget", &b[..8], "--to", &gone])
            .assert()
            .success(),
    );
    assert_eq!(
        out,
        format!("forgot 1 queued push to {gone} (the session stays in the history)\n")
    );
    assert_eq!(
        push_rows(&dir),
        [
            (a.clone(), gone.clone(), false),
            (b.clone(), other.clone(), false)
        ]
    );
    // Everything left, for any server.
    let out = stdout(&pw(&dir).args(["push", "--forget"]).assert().success());
    assert_eq!(
        out,
        "forgot 2 queued pushes to any server (the sessions stay in the history)\n"
    );
    assert!(push_rows(&dir).is_empty());
    assert_eq!(dir.history().sessions().len(), 2);
    let out = stdout(&pw(&dir).args(["push", "--forget"]).assert().success());
    assert_eq!(out, "nothing queued for any server to forget\n");
    // Nothing to send afterwards; --forget with --all is refused.
    let out = stdout(&pw(&dir).arg("push").assert().success());
    assert_eq!(out, "nothing to push: no session is queued\n");
    pw(&dir)
        .args(["push", "--forget", "--all", "--to", &gone])
        .assert()
        .code(2);
}
