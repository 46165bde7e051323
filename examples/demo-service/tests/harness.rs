//! Starting the service, talking to it, and never leaving it behind.

use std::net::TcpListener;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long start-up may take before a test gives up.
const READY_DEADLINE: Duration = Duration::from_secs(20);
/// Pause between two `/health` polls.
const POLL: Duration = Duration::from_millis(5);

/// A running `demo-service`, killed when dropped.
pub struct Service {
    child: Child,
    port: u16,
    agent: ureq::Agent,
}

impl Service {
    /// Starts the service with `args` (besides the port); does not wait.
    pub fn spawn(args: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_demo-service"))
            .arg("--port")
            .arg(port.to_string())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("demo-service starts");
        Self {
            child,
            port,
            agent: agent(),
        }
    }

    /// Starts the service with `args` and waits until it is ready.
    pub fn start(args: &[&str]) -> Self {
        let mut service = Self::spawn(args);
        service.wait_ready();
        service
    }

    /// Polls `/health` until it answers; returns how long that took.
    pub fn wait_ready(&mut self) -> Duration {
        let start = Instant::now();
        let quick = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_millis(500)))
            .build()
            .new_agent();
        while start.elapsed() < READY_DEADLINE {
            if let Some(status) = self.child.try_wait().expect("demo-service is waitable") {
                panic!("demo-service exited before it was ready: {status}");
            }
            if let Ok(mut response) = quick.get(self.url("/health")).call() {
                assert_eq!(response.body_mut().read_to_string().unwrap(), "ok");
                return start.elapsed();
            }
            thread::sleep(POLL);
        }
        panic!("demo-service not ready within {READY_DEADLINE:?}");
    }

    /// The full URL of `path` on this service.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The body of a successful `GET path`.
    pub fn get(&self, path: &str) -> String {
        let mut response = self.agent.get(self.url(path)).call().unwrap();
        response.body_mut().read_to_string().unwrap()
    }

    /// The value of the unlabelled metric `name` on `/metrics`.
    pub fn metric(&self, name: &str) -> f64 {
        let text = self.get("/metrics");
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{name} missing from /metrics:\n{text}"))
            .parse()
            .unwrap()
    }

    /// Sends SIGTERM to the service.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -TERM failed: {status}");
    }

    /// Waits up to `deadline` for the service to exit.
    pub fn wait_exit(&mut self, deadline: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("demo-service is waitable") {
                return Some(status);
            }
            if start.elapsed() >= deadline {
                return None;
            }
            thread::sleep(POLL);
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // Already exited is fine; kill errors then and wait reaps it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client with a timeout, so a stuck service fails the test.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .new_agent()
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().unwrap().port()
}
