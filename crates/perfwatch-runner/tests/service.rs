//! Services under test: started, found ready (or not), stopped, and
//! nothing left behind on any path. The services are tiny `sh` and
//! `python3` scripts.

use crate::harness::*;
use perfwatch_model::CommandSpec;
use perfwatch_runner::service::{self, Ready, ServiceError, ServiceSpec};
use perfwatch_runner::Termination;
use std::net::TcpListener;
use std::time::Duration;

/// A spec running `script` with `sh -c`.
fn sh_service(script: &str, ready: Ready) -> ServiceSpec {
    let command = CommandSpec {
        argv: vec![script.to_string()],
        shell: true,
    };
    let mut spec = ServiceSpec::new(command, ready);
    spec.ready_timeout = Duration::from_secs(10);
    spec.stop_timeout = Duration::from_secs(5);
    spec.sample_interval = Some(Duration::from_millis(20));
    spec
}

/// An HTTP server that starts listening after 0.3 s and answers 200 at
/// `/health`; the port is its first argument.
const SLOW_HTTP: &str = "\
import http.server, sys, time
time.sleep(0.3)
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == '/health' else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), Health).serve_forever()
";

#[test]
fn an_http_service_is_ready_when_its_health_url_answers_and_stops_on_sigterm() {
    let command = CommandSpec {
        argv: vec![
            "python3".into(),
            "-c".into(),
            SLOW_HTTP.into(),
            "{port}".into(),
        ],
        shell: false,
    };
    let mut spec = ServiceSpec::new(
        command,
        Ready::Http {
            url: "http://127.0.0.1:{port}/health".into(),
        },
    );
    spec.ready_timeout = Duration::from_secs(20);
    spec.sample_interval = Some(Duration::from_millis(20));
    let port = service::free_port().unwrap();
    let running = service::start(&spec, port).unwrap();
    let startup_s = running.startup().as_secs_f64();
    assert!(startup_s >= 0.25, "ready before it listened: {startup_s}");
    assert_eq!(running.port(), port);
    assert!(!running.has_exited());
    let stopped = running.stop().unwrap();
    eprintln!(
        "http service: startup_s {:.3}, shutdown_s {:?}, samples {}, peak {:?}",
        stopped.startup_s,
        stopped.shutdown_s,
        stopped.timeline.len(),
        stopped.peak_tree_rss_bytes
    );
    assert_eq!(stopped.status, Termination::Signal(libc::SIGTERM));
    assert!(!stopped.killed);
    let shutdown_s = stopped.shutdown_s.expect("it was running");
    assert!(shutdown_s < 2.0, "{shutdown_s}");
    assert_eq!(stopped.startup_s, startup_s);
    assert!(stopped.wall_s >= startup_s);
    assert!(!stopped.timeline.is_empty());
    assert!(stopped.peak_tree_rss_bytes.is_some_and(|b| b > 1 << 20));
}

#[test]
fn a_service_that_exits_before_ready_reports_its_status_and_stderr() {
    let spec = sh_service("echo boom >&2; exit 3", Ready::Tcp);
    let err = service::start(&spec, service::free_port().unwrap()).unwrap_err();
    match &err {
        ServiceError::ExitedBeforeReady {
            status,
            stderr_tail,
            ..
        } => {
            assert_eq!(*status, Termination::Code(3));
            assert!(
                stderr_tail.as_deref().unwrap_or("").contains("boom"),
                "{err}"
            );
        }
        other => panic!("{other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("echo boom >&2; exit 3"), "{message}");
    assert!(message.ends_with("    boom"), "{message}");
}

#[test]
fn a_service_never_ready_is_killed_at_the_timeout() {
    let dir = scratch();
    let pids = dir.path().join("pids");
    let script = format!(
        "echo $$ >> {p}; sleep 30 & echo $! >> {p}; exec sleep 31",
        p = q(&pids)
    );
    let mut spec = sh_service(&script, Ready::Tcp);
    spec.ready_timeout = Duration::from_millis(500);
    let err = service::start(&spec, service::free_port().unwrap()).unwrap_err();
    match err {
        ServiceError::NotReady { after, .. } => assert_eq!(after, Duration::from_millis(500)),
        other => panic!("{other:?}"),
    }
    let pids = pids_in(&pids);
    assert_eq!(pids.len(), 2, "{pids:?}");
    assert!(!alive(pids[0]), "the service was reaped");
    assert!(eventually(|| !alive(pids[1])), "its child was killed");
}

#[test]
fn a_taken_port_fails_before_anything_is_spawned() {
    let dir = scratch();
    let marker = dir.path().join("spawned");
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let spec = sh_service(&format!("touch {}; sleep 30", q(&marker)), Ready::Tcp);
    match service::start(&spec, port) {
        Err(ServiceError::PortTaken { port: p, .. }) => assert_eq!(p, port),
        other => panic!("{other:?}"),
    }
    // Had it been spawned, `touch` would have run by now.
    std::thread::sleep(Duration::from_millis(300));
    assert!(!marker.exists());
}

#[test]
fn a_service_ignoring_sigterm_is_killed_after_the_stop_timeout() {
    let dir = scratch();
    let pids = dir.path().join("pids");
    // The ignored disposition is inherited by the server (Python leaves
    // SIGTERM as it found it), which is a child of the shell.
    let script = format!(
        "trap '' TERM; echo $$ >> {p}; \
         python3 -m http.server {{port}} --bind 127.0.0.1 & echo $! >> {p}; wait",
        p = q(&pids)
    );
    let mut spec = sh_service(&script, Ready::Tcp);
    spec.stop_timeout = Duration::from_millis(500);
    let running = service::start(&spec, service::free_port().unwrap()).unwrap();
    let stopped = running.stop().unwrap();
    eprintln!(
        "sigterm ignored: startup_s {:.3}, shutdown_s {:?}",
        stopped.startup_s, stopped.shutdown_s
    );
    assert!(stopped.killed);
    assert_eq!(stopped.status, Termination::Signal(libc::SIGKILL));
    let shutdown_s = stopped.shutdown_s.unwrap();
    assert!((0.5..5.0).contains(&shutdown_s), "{shutdown_s}");
    let pids = pids_in(&pids);
    assert_eq!(pids.len(), 2, "{pids:?}");
    assert!(eventually(|| pids.iter().all(|&p| !alive(p))), "{pids:?}");
}

#[test]
fn a_dropped_service_leaves_neither_itself_nor_its_child() {
    let dir = scratch();
    let pids = dir.path().join("pids");
    let script = format!(
        "echo $$ >> {p}; sleep 30 & echo $! >> {p}; echo up >&2; wait",
        p = q(&pids)
    );
    let spec = sh_service(&script, Ready::LogLine("up".into()));
    let running = service::start(&spec, service::free_port().unwrap()).unwrap();
    let pids = pids_in(&pids);
    assert_eq!(pids.len(), 2, "{pids:?}");
    assert!(pids.iter().all(|&p| alive(p)));
    drop(running);
    assert!(!alive(pids[0]), "the service was reaped");
    assert!(eventually(|| !alive(pids[1])), "its child was killed");
}

#[test]
fn a_dropped_service_is_killed_when_the_caller_panics() {
    let dir = scratch();
    let pids = dir.path().join("pids");
    let script = format!("echo $$ >> {p}; echo up; exec sleep 30", p = q(&pids));
    let spec = sh_service(&script, Ready::LogLine("up".into()));
    let port = service::free_port().unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _running = service::start(&spec, port).unwrap();
        // A panic that skips the panic hook: no message in the output.
        std::panic::resume_unwind(Box::new("the load failed"));
    }));
    assert!(result.is_err());
    let pids = pids_in(&pids);
    assert_eq!(pids.len(), 1, "{pids:?}");
    assert!(!alive(pids[0]));
}

#[test]
fn a_log_line_service_is_ready_when_the_line_appears() {
    let spec = sh_service(
        "echo starting >&2; sleep 0.2; echo listening on {port} >&2; exec sleep 30",
        Ready::LogLine("listening on {port}".into()),
    );
    let running = service::start(&spec, service::free_port().unwrap()).unwrap();
    let startup_s = running.startup().as_secs_f64();
    assert!(startup_s >= 0.15, "{startup_s}");
    let stopped = running.stop().unwrap();
    eprintln!(
        "log-line service: startup_s {:.3}, shutdown_s {:?}",
        stopped.startup_s, stopped.shutdown_s
    );
    assert_eq!(stopped.status, Termination::Signal(libc::SIGTERM));
    assert!(!stopped.killed);
    assert!(stopped.shutdown_s.unwrap() < 2.0);
    let tail = stopped.stderr_tail.unwrap_or_default();
    assert!(tail.starts_with("starting\nlistening on "), "{tail}");
}
