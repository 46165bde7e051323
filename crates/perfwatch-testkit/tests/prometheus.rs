//! The private Prometheus server: it scrapes its target and answers
//! queries, and nothing of it — directory or process — outlives its
//! owner, however the owner ends.
//!
//! Skipped when Prometheus is not installed, unless
//! `PERFWATCH_REQUIRE_PROMETHEUS=1`.

use perfwatch_testkit::prometheus::PrometheusServer;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ENV_MODE: &str = "PERFWATCH_TESTKIT_PROMETHEUS_CHILD";
const WAIT: Duration = Duration::from_secs(30);

/// A target answering every request with one gauge, `testkit_value 7`.
fn target() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body =
                "# HELP testkit_value A value.\n# TYPE testkit_value gauge\ntestkit_value 7\n";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    addr
}

fn alive(pid: u32) -> bool {
    // A zombie has no `cmdline`; a reaped process has no directory.
    std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty())
}

fn wait_gone(dir: &Path, pid: u32) {
    let start = Instant::now();
    while (dir.exists() || alive(pid)) && start.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!dir.exists(), "directory {} left behind", dir.display());
    assert!(!alive(pid), "prometheus (pid {pid}) still running");
}

#[test]
fn a_server_scrapes_its_target_and_leaves_nothing_when_dropped() {
    let Some(prom) = PrometheusServer::require(&[target()]) else {
        return;
    };
    prom.wait_until_scraped(WAIT).unwrap();
    let found = prom.query_until_found("testkit_value", WAIT).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].value, 7.0);
    assert_eq!(found[0].labels["job"], "perfwatch");
    let (dir, pid) = (prom.dir().to_path_buf(), prom.pid());
    assert!(alive(pid));
    drop(prom);
    // Drop waits for the watchdog: nothing is left when it returns.
    assert!(!dir.exists(), "directory {} left behind", dir.display());
    assert!(!alive(pid), "prometheus (pid {pid}) still running");
}

#[test]
fn a_target_that_cannot_be_scraped_is_reported_with_its_error() {
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let Some(prom) = PrometheusServer::require(&[closed]) else {
        return;
    };
    // Prometheus adds targets after its discovery's first update (about
    // 5 s); the first scrape then fails.
    let e = prom
        .wait_until_scraped(Duration::from_secs(15))
        .unwrap_err();
    assert!(e.to_string().contains("down"), "{e}");
}

#[test]
fn the_server_is_removed_when_its_owner_is_killed() {
    if std::env::var_os(ENV_MODE).is_some() {
        return; // Only the parent's run of this test does the work.
    }
    if perfwatch_testkit::prometheus::find("prometheus").is_none() {
        // `require` in the child decides between skipping and failing.
        let _ = PrometheusServer::require(&[]);
        return;
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(ENV_MODE, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = lines
        .by_ref()
        .map_while(Result::ok)
        // libtest prints the test's name on the same line first.
        .find_map(|l| l.split_once("started: ").map(|(_, s)| s.to_owned()))
        .expect("the child reports its server");
    let (pid, dir) = started.split_once(' ').unwrap();
    let (pid, dir): (u32, PathBuf) = (pid.parse().unwrap(), dir.into());
    assert!(dir.exists() && alive(pid));
    child.kill().unwrap(); // SIGKILL: no destructor runs.
    child.wait().unwrap();
    wait_gone(&dir, pid);
}

/// Run by [`the_server_is_removed_when_its_owner_is_killed`] in a child
/// process: starts a server, says where, and waits to be killed.
#[test]
fn child_process_entry() {
    if std::env::var_os(ENV_MODE).is_none() {
        return;
    }
    let prom = PrometheusServer::start(&[]).unwrap();
    println!("started: {} {}", prom.pid(), prom.dir().display());
    std::io::stdout().flush().unwrap();
    std::thread::sleep(WAIT * 2);
    drop(prom);
}
