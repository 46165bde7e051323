//! `perfwatch serve` as a user runs it: the real binary on a loopback
//! port. Its answers are the CLI's, byte for byte; writes need a write
//! token; tokens are printed once and stored only as hashes; it refuses to
//! listen beyond loopback without a token and stops cleanly on a signal.

use crate::history_detect::{session_ids, stepped};
use crate::util::server::{request, Server};
use crate::util::{assert_one_line_error, pw, stdout, TestDir};

/// `perfwatch ARGS` on `dir`, expected to succeed: its standard output.
fn cli(dir: &TestDir, args: &[&str]) -> String {
    stdout(&pw(dir).args(args).assert().success())
}

/// A write token's secret, made with `perfwatch token create`.
fn write_token(dir: &TestDir, name: &str) -> String {
    cli(dir, &["token", "create", "--write", "--name", name])
        .trim()
        .to_string()
}

#[test]
fn served_answers_are_the_cli_s_byte_for_byte() {
    let dir = stepped();
    let ids = session_ids(&dir);
    pw(&dir)
        .args(["baseline", "save", "main", &ids[0]])
        .assert()
        .success();
    let server = Server::start(&dir, &[]);
    let prefix = &ids[3][..8];
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "/sessions/latest".into(),
            vec!["report", "latest", "--format", "json"],
        ),
        (
            format!("/sessions/{prefix}"),
            vec!["report", prefix, "--format", "json"],
        ),
        (
            "/sessions/latest?baseline=main".into(),
            vec!["report", "latest", "--baseline", "main", "--format", "json"],
        ),
        (
            "/history?metric=stage:step".into(),
            vec!["history", "--metric", "stage:step", "--format", "json"],
        ),
        (
            "/history?benchmark=s&last=5".into(),
            vec!["history", "s", "--last", "5", "--format", "json"],
        ),
        (
            "/history/change-points?metric=stage:step".into(),
            vec!["detect", "--metric", "stage:step", "--format", "json"],
        ),
    ];
    for (path, args) in cases {
        let served = server.get(&path);
        assert_eq!(served.header("content-type"), Some("application/json"));
        assert_eq!(
            served.text(),
            cli(&dir, &args),
            "GET {path} vs perfwatch {args:?}"
        );
    }
    // The step is found, over HTTP as on the command line.
    let cps = server
        .get("/history/change-points?metric=stage:step")
        .json();
    assert_eq!(
        cps[0]["change_points"].as_array().map(Vec::len),
        Some(1),
        "{cps:#}"
    );

    for (base, candidate) in [("main", "latest"), (ids[1].as_str(), ids[12].as_str())] {
        let served = server.get(&format!("/compare?base={base}&candidate={candidate}"));
        pw(&dir)
            .args(["compare", base, candidate, "--export-json", "compare.json"])
            .assert()
            .success();
        assert_eq!(
            served.text(),
            dir.read("compare.json"),
            "compare {base} {candidate}"
        );
    }
}

#[test]
fn a_pushed_session_is_stored_once_and_served_as_exported() {
    let client = TestDir::new();
    pw(&client)
        .args([
            "run",
            "-q",
            "-r",
            "5",
            "--sample-interval",
            "0",
            "--",
            "true",
        ])
        .assert()
        .success();
    let exported = cli(&client, &["export", "latest", "--format", "json"]);
    let id = client.export("latest")["session"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let team = TestDir::new();
    let token = write_token(&team, "ci");
    let server = Server::start(&team, &[]);
    let path = server.api("/sessions");
    let first = server.request("POST", &path, Some(&token), Some(exported.as_bytes()));
    assert_eq!(first.status, 201, "{}", first.text());
    let again = server.request("POST", &path, Some(&token), Some(exported.as_bytes()));
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["created"], false);

    // Stored once, readable by the CLI from the server's history, and
    // served back as the client exported it.
    assert_eq!(team.history().sessions().len(), 1);
    assert_eq!(cli(&team, &["export", &id, "--format", "json"]), exported);
    assert_eq!(server.get(&format!("/sessions/{id}")).text(), exported);
    let page = server.get("/sessions").json();
    assert_eq!(page["sessions"][0]["id"], id.as_str());
}

#[test]
fn writes_over_the_socket_need_a_write_token_and_a_small_body() {
    let dir = TestDir::new();
    let token = write_token(&dir, "ci");
    let reader = cli(&dir, &["token", "create", "--read", "--name", "dash"])
        .trim()
        .to_string();
    let server = Server::start(&dir, &["--max-body", "2KiB"]);
    let path = server.api("/sessions");
    let doc = br#"{"schema": "perfwatch.session.v1"}"#;
    let cases: [(Option<&str>, Vec<u8>, u16); 5] = [
        (None, doc.to_vec(), 401),
        (Some("pw_0000"), doc.to_vec(), 401),
        (Some(&reader), doc.to_vec(), 403),
        (Some(&token), vec![b' '; 4096], 413),
        (Some(&token), doc.to_vec(), 400),
    ];
    for (tok, body, status) in cases {
        let reply = server.request("POST", &path, tok, Some(&body));
        assert_eq!(reply.status, status, "{tok:?}: {}", reply.text());
        assert!(reply.json()["error"].is_string());
        if let Some(t) = tok {
            assert!(!reply.text().contains(t), "the answer quotes the token");
        }
        if status == 401 {
            assert!(reply
                .header("www-authenticate")
                .is_some_and(|v| v.starts_with("Bearer")));
        }
    }
    let reply = server.request("POST", &path, Some(&token), Some(b"{\"schema\": 1}"));
    assert_eq!(reply.json()["field"], "schema");
    assert!(!dir.db().exists() || dir.history().sessions().is_empty());
}

#[test]
fn tokens_are_printed_once_and_stored_only_as_their_hashes() {
    let dir = TestDir::new();
    let created = pw(&dir)
        .args(["token", "create", "--write", "--name", "ci"])
        .assert()
        .success();
    let secret = stdout(&created).trim().to_string();
    assert!(secret.starts_with("pw_") && secret.len() == 67, "{secret}");
    assert_eq!(
        stdout(&created).lines().count(),
        1,
        "the secret alone on stdout"
    );
    let said = String::from_utf8_lossy(&created.get_output().stderr).into_owned();
    assert!(
        said.contains("write token `ci`") && said.contains("only"),
        "{said}"
    );

    // Defaults name tokens by scope.
    let read = cli(&dir, &["token", "create", "--read"]);
    let list = cli(&dir, &["token", "list"]);
    for needle in ["ci", "write", "read-1", "read"] {
        assert!(list.contains(needle), "{needle} not in\n{list}");
    }
    for s in [&secret, read.trim()] {
        assert!(!list.contains(s), "token list shows a secret:\n{list}");
        // Nowhere in the database's files (the log included); its hash is.
        let hash = perfwatch_server::tokens::hash_secret(s);
        let mut found_hash = false;
        for name in ["history.db", "history.db-wal"] {
            let Ok(bytes) = std::fs::read(dir.join(name)) else {
                continue;
            };
            assert!(
                !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                "{name} holds a secret"
            );
            found_hash |= bytes.windows(hash.len()).any(|w| w == hash.as_bytes());
        }
        assert!(
            found_hash,
            "the hash was not found: the wrong file was searched"
        );
    }

    assert_one_line_error(
        pw(&dir)
            .args(["token", "create", "--read", "--name", "ci"])
            .assert(),
        2,
        &["a token named `ci` already exists"],
    );
    pw(&dir)
        .args(["token", "create", "--read", "--write"])
        .assert()
        .code(2);
    pw(&dir).args(["token", "create"]).assert().code(2);

    let revoked = cli(&dir, &["token", "revoke", "ci"]);
    assert!(revoked.contains("revoked token `ci`"), "{revoked}");
    assert!(cli(&dir, &["token", "revoke", "ci"]).contains("revoked already"));
    let row = cli(&dir, &["token", "list"])
        .lines()
        .find(|l| l.trim_start().starts_with("ci "))
        .unwrap()
        .to_string();
    assert!(!row.trim_end().ends_with('-'), "not shown revoked: {row}");
    assert_one_line_error(
        pw(&dir).args(["token", "revoke", "nope"]).assert(),
        2,
        &["no token named `nope`"],
    );

    // The server refuses the revoked token.
    let server = Server::start(&dir, &[]);
    let reply = server.request(
        "DELETE",
        &server.api(&format!("/sessions/{}", "a".repeat(32))),
        Some(&secret),
        None,
    );
    assert_eq!(reply.status, 401, "{}", reply.text());
}

/// Regression: `token create` without a scope said only that `--write`
/// was missing, as if a read token could not be made.
#[test]
fn a_token_without_a_scope_is_refused_naming_both_scopes() {
    let dir = TestDir::new();
    let refused = pw(&dir).args(["token", "create"]).assert().code(2);
    let said = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(said.contains("<--write|--read>"), "{said}");
    pw(&dir)
        .args(["token", "create", "--write", "--read"])
        .assert()
        .code(2);
}

#[test]
fn listening_beyond_loopback_is_refused_until_a_token_exists() {
    let dir = TestDir::new();
    let refused = pw(&dir)
        .args(["serve", "--listen", "0.0.0.0:0"])
        .assert()
        .code(2);
    let said = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        said.contains("refusing to listen on 0.0.0.0:0") && said.contains("perfwatch token create"),
        "{said}"
    );
    // Refused before anything was written: no history was created.
    assert!(!dir.db().exists(), "a refused serve created the history");
    write_token(&dir, "ci");
    let mut cmd = dir.std_pw();
    cmd.args(["serve", "--listen", "0.0.0.0:0"]);
    // Started by hand: `Server::start` listens on loopback.
    let mut child = cmd.stderr(std::process::Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("listening on http://0.0.0.0:"), "{first}");
    let port: u16 = first
        .split("0.0.0.0:")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    let reply = request(
        format!("127.0.0.1:{port}").parse().unwrap(),
        "GET",
        "/api/v1/benchmarks",
        None,
        None,
    );
    assert_eq!(reply.status, 200);
    // SAFETY: a plain kill(2) of our own child.
    unsafe { libc::kill(i32::try_from(child.id()).unwrap(), libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
}

#[test]
fn serve_says_where_it_listens_and_stops_cleanly_on_a_signal() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let dir = TestDir::new();
        let mut server = Server::start(&dir, &[]);
        server.wait_for_line("no API token yet");
        server.wait_for_line("/api/v1/openapi.json");
        server.get("/benchmarks");
        let addr = server.addr;
        let (status, said) = server.stop(signal);
        assert!(status.success(), "{status:?}: {}", said.join("\n"));
        assert!(
            said.iter().any(|l| l.contains("perfwatch serve: stopped")),
            "{said:?}"
        );
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "still listening"
        );
    }
    // With a token, no hint.
    let dir = TestDir::new();
    write_token(&dir, "ci");
    let mut server = Server::start(&dir, &[]);
    server.wait_for_line("Ctrl-C stops it");
    assert!(!server.said.join("\n").contains("no API token"));
}

#[test]
fn serve_help_teaches_with_examples() {
    let help = cli(&TestDir::new(), &["serve", "--help"]);
    for needle in [
        "--listen",
        "127.0.0.1:8427",
        "--read-token-required",
        "--max-body",
        "32MiB",
        "Examples:",
        "perfwatch token create --write",
        "openapi.json",
        "Authorization: Bearer",
    ] {
        assert!(help.contains(needle), "`{needle}` not in:\n{help}");
    }
}
