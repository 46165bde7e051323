//! `run --push` reports the run while it goes on: a real `perfwatch
//! serve` lists it at `GET /api/v1/live/runs` with its progress before
//! the run ends, and as ended once it did — with or without `--live`. A
//! server that cannot be reached is said once and the run succeeds.

use crate::demo_proof::demo_dir;
use crate::util::server::{write_token, Server};
use crate::util::{pw, stderr, wait_until, TestDir};
use serde_json::Value;
use std::time::Duration;

fn runs(server: &Server) -> Vec<Value> {
    server.get("/live/runs").json()["runs"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_pushed_run_shows_at_the_live_runs_route_while_it_runs() {
    let server_dir = TestDir::new();
    let token = write_token(&server_dir);
    let server = Server::start(&server_dir, &[]);
    let url = format!("http://{}", server.addr);
    let dir = demo_dir();
    let mut child = dir
        .std_pw()
        .env("PERFWATCH_TOKEN", &token)
        .args(["run", "pipeline", "--variant", "before", "-r", "4", "-q"])
        .arg(format!("--push={url}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start perfwatch run");
    let mut running = None;
    wait_until(Duration::from_secs(120), "the run to be listed", || {
        running = runs(&server)
            .into_iter()
            .find(|r| r["state"] == "running" && r["progress"]["done"].as_u64() >= Some(1));
        running.is_some()
    });
    let running = running.unwrap();
    assert_eq!(running["benchmark"], "pipeline");
    assert_eq!(running["progress"]["planned"], 4);
    assert_eq!(running["variants"][0]["name"], "before");
    let status = child.wait().expect("wait for perfwatch");
    assert!(status.success(), "{status}");
    // At its end: finished, then forgotten once its session was stored.
    let id = running["run_id"].as_str().unwrap().to_string();
    wait_until(Duration::from_secs(60), "the run to end", || {
        runs(&server)
            .iter()
            .all(|r| r["run_id"] != id.as_str() || r["state"] == "finished")
    });
    let stored = server.get(&format!("/sessions/{id}")).json();
    assert_eq!(stored["session"]["id"], id.as_str());
}

#[test]
fn a_server_that_cannot_be_reached_is_said_once_and_the_run_succeeds() {
    let dir = TestDir::new();
    let port = crate::util::dead_port();
    let out = pw(&dir)
        .args(["run", "-r", "3", "-n", "nap", "-q"])
        .arg(format!("--push=http://127.0.0.1:{port}"))
        .args(["--", "sleep", "0.6"])
        .assert()
        .success();
    let err = stderr(&out);
    let said = err
        .lines()
        .filter(|l| l.contains("live view of this run could not be sent"))
        .count();
    assert_eq!(said, 1, "{err}");
}
