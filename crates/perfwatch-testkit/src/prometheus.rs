//! Prometheus for tests: `promtool check metrics` on an exposition, and a
//! private Prometheus server on a free loopback port that scrapes given
//! targets every second and answers queries through its HTTP API.
//!
//! Tests call [`require_promtool`] or [`PrometheusServer::require`]: they
//! get the tool or a running server, or `None` (reason printed) when
//! Debian's `prometheus` package is not installed — unless
//! `PERFWATCH_REQUIRE_PROMETHEUS=1` (`scripts/test` sets it), which turns
//! the skip into a failure.
//!
//! ```no_run
//! use std::time::Duration;
//! # let target: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
//! let Some(prom) = perfwatch_testkit::prometheus::PrometheusServer::require(&[target]) else {
//!     return; // Prometheus is not installed; the reason is printed.
//! };
//! prom.wait_until_scraped(Duration::from_secs(30)).unwrap();
//! let up = prom.query("up").unwrap();
//! assert_eq!(up[0].value, 1.0);
//! ```
//!
//! **Cleanup.** The server runs in a temporary directory (configuration,
//! TSDB, log). `Drop` kills it and deletes the directory; a watchdog (an
//! `sh` in a process group of its own, reading a pipe only this process
//! holds, as in [`postgres`](crate::postgres)) does the same when the test
//! process dies without dropping it, `SIGKILL` included.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Set to `1` to make tests that need Prometheus fail, rather than skip,
/// where it is not installed (`scripts/test` does).
pub const REQUIRE_VAR: &str = "PERFWATCH_REQUIRE_PROMETHEUS";

/// How often the server scrapes its targets.
pub const SCRAPE_INTERVAL: Duration = Duration::from_secs(1);

/// Longest wait for the server to be ready.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Tries at a free port: another process may take the one we picked
/// between our probe and the server's `bind`.
const PORT_ATTEMPTS: usize = 5;

/// Kills the server and deletes the directory once stdin reaches end of
/// file. Arguments: the server's pid, the temporary directory.
const WATCHDOG: &str = r#"cat >/dev/null
kill -9 "$1" 2>/dev/null
rm -rf "$2""#;

/// Why Prometheus could not be used. Messages read well after "failed to".
#[derive(Debug, thiserror::Error)]
pub enum PromError {
    /// The binary is not on PATH.
    #[error(
        "find `{0}` on PATH: Prometheus is not installed (on Debian: apt-get install prometheus)"
    )]
    NotInstalled(&'static str),
    /// A file system, process or socket operation failed.
    #[error("{action}: {source}")]
    Io {
        /// What was being done.
        action: String,
        /// The underlying error.
        source: io::Error,
    },
    /// A command or the server said no.
    #[error("{what}: {detail}")]
    Refused {
        /// What was being done.
        what: String,
        /// Its output, the server's answer or log.
        detail: String,
    },
    /// A bounded wait ran out.
    #[error("{what} within {timeout:?}: {detail}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        timeout: Duration,
        /// The last thing seen.
        detail: String,
    },
}

fn io_error(action: impl Into<String>) -> impl FnOnce(io::Error) -> PromError {
    let action = action.into();
    move |source| PromError::Io { action, source }
}

/// `binary` on PATH.
pub fn find(binary: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(binary))
        .find(|p| p.is_file())
}

/// `promtool` for a test that needs it; `None` (reason printed) when it is
/// not installed.
///
/// # Panics
/// When it is not installed and `PERFWATCH_REQUIRE_PROMETHEUS=1`.
#[track_caller]
pub fn require_promtool() -> Option<PathBuf> {
    match find("promtool") {
        Some(path) => Some(path),
        None => skip_or_fail(&PromError::NotInstalled("promtool")),
    }
}

/// Runs `promtool check metrics` on `exposition`; an error carries what
/// promtool printed (its lint problems).
pub fn check_metrics(promtool: &Path, exposition: &str) -> Result<(), PromError> {
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io_error("run promtool check metrics"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Written from a thread: promtool may answer before it read everything.
    let text = exposition.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(io_error("wait for promtool"))?;
    let written = writer.join().expect("the writer thread does not panic");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() && said.trim().is_empty() {
        written.map_err(io_error("write to promtool"))?;
        return Ok(());
    }
    Err(PromError::Refused {
        what: "pass promtool check metrics".into(),
        detail: format!("{}: {}", output.status, said.trim()),
    })
}

/// One series of an instant query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySample {
    /// Its labels, `__name__` included.
    pub labels: BTreeMap<String, String>,
    /// Its value.
    pub value: f64,
}

/// A private Prometheus server; see the [module documentation](self).
#[derive(Debug)]
pub struct PrometheusServer {
    /// Deleted by the watchdog; `TempDir`'s own removal is the fallback.
    dir: tempfile::TempDir,
    server: Child,
    /// Its stdin is the pipe whose end of file triggers the cleanup.
    watchdog: Child,
    port: u16,
}

impl PrometheusServer {
    /// Starts a server scraping `targets` (plain HTTP, path `/metrics`)
    /// every [`SCRAPE_INTERVAL`]; returns once it is ready.
    pub fn start(targets: &[SocketAddr]) -> Result<PrometheusServer, PromError> {
        let binary = find("prometheus").ok_or(PromError::NotInstalled("prometheus"))?;
        let mut last = None;
        for _ in 0..PORT_ATTEMPTS {
            let dir = tempfile::Builder::new()
                .prefix("perfwatch-prometheus-")
                .tempdir()
                .map_err(io_error("create a temporary directory"))?;
            let port = free_port().map_err(io_error("find a free loopback port"))?;
            match Self::start_on(&binary, dir, port, targets) {
                Ok(server) => return Ok(server),
                Err((e, port_taken)) if port_taken => last = Some(e),
                Err((e, _)) => return Err(e),
            }
        }
        Err(last.expect("at least one attempt"))
    }

    /// [`start`](Self::start) for a test: `None` (reason printed) when
    /// Prometheus is not installed.
    ///
    /// # Panics
    /// When it is not installed and `PERFWATCH_REQUIRE_PROMETHEUS=1`, and
    /// when it is installed but does not start.
    #[track_caller]
    pub fn require(targets: &[SocketAddr]) -> Option<PrometheusServer> {
        match Self::start(targets) {
            Ok(server) => Some(server),
            Err(e @ PromError::NotInstalled(_)) => skip_or_fail(&e),
            Err(e) => panic!("failed to start a private Prometheus server: failed to {e}"),
        }
    }

    /// One attempt; the error says whether the port was taken.
    fn start_on(
        binary: &Path,
        dir: tempfile::TempDir,
        port: u16,
        targets: &[SocketAddr],
    ) -> Result<PrometheusServer, (PromError, bool)> {
        let not_taken = |e: PromError| (e, false);
        let config = dir.path().join("prometheus.yml");
        let secs = SCRAPE_INTERVAL.as_secs_f64();
        let targets: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
        let yaml = format!(
            "global:\n  scrape_interval: {secs}s\n  scrape_timeout: {secs}s\n  evaluation_interval: {secs}s\n\
             scrape_configs:\n  - job_name: perfwatch\n    static_configs:\n      - targets: [{}]\n",
            targets.join(", ")
        );
        std::fs::write(&config, yaml)
            .map_err(io_error("write prometheus.yml"))
            .map_err(not_taken)?;
        let log_path = dir.path().join("prometheus.log");
        let log = std::fs::File::create(&log_path)
            .map_err(io_error("create prometheus.log"))
            .map_err(not_taken)?;
        let err_log = log
            .try_clone()
            .map_err(io_error("open prometheus.log"))
            .map_err(not_taken)?;
        let server = Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err_log)
            .spawn()
            .map_err(io_error("start prometheus"))
            .map_err(not_taken)?;
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("perfwatch-prometheus-watchdog")
            .arg(server.id().to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
        let mut prom = match watchdog {
            Ok(watchdog) => PrometheusServer {
                dir,
                server,
                watchdog,
                port,
            },
            Err(e) => {
                let mut server = server;
                let _ = server.kill();
                let _ = server.wait();
                return Err(not_taken(PromError::Io {
                    action: "start the cleanup watchdog (sh)".into(),
                    source: e,
                }));
            }
        };
        match prom.wait_until_ready() {
            Ok(()) => Ok(prom),
            Err(e) => {
                let log = prom.log();
                let taken = log.contains("address already in use");
                Err((e, taken))
            }
        }
    }

    /// Polls `/-/ready` until it answers 200, the server exits or
    /// [`START_TIMEOUT`] passes.
    fn wait_until_ready(&mut self) -> Result<(), PromError> {
        let start = Instant::now();
        let mut last = String::from("no answer yet");
        while start.elapsed() < START_TIMEOUT {
            if let Ok(Some(status)) = self.server.try_wait() {
                return Err(PromError::Refused {
                    what: "start prometheus".into(),
                    detail: format!("it exited ({status}); its log:\n{}", self.log_tail()),
                });
            }
            match http_get(self.port, "/-/ready") {
                Ok((200, _)) => return Ok(()),
                Ok((status, body)) => last = format!("{status} {}", body.trim()),
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(PromError::Timeout {
            what: "get prometheus ready".into(),
            timeout: START_TIMEOUT,
            detail: format!("{last}; its log:\n{}", self.log_tail()),
        })
    }

    /// The server's address, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The temporary directory holding its configuration, data and log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.server.id()
    }

    /// Its whole log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Waits until every target was scraped successfully at least once;
    /// the error carries the targets' last errors.
    pub fn wait_until_scraped(&self, timeout: Duration) -> Result<(), PromError> {
        let start = Instant::now();
        let mut last = String::from("no answer yet");
        while start.elapsed() < timeout {
            match self.api("/api/v1/targets") {
                Ok(data) => {
                    let targets = data["activeTargets"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    if !targets.is_empty() && targets.iter().all(|t| t["health"] == "up") {
                        return Ok(());
                    }
                    last = if targets.is_empty() {
                        "no active target yet".to_owned()
                    } else {
                        targets
                            .iter()
                            .map(|t| {
                                format!("{} {} {}", t["scrapeUrl"], t["health"], t["lastError"])
                            })
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                }
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(PromError::Timeout {
            what: "see every target scraped".into(),
            timeout,
            detail: last,
        })
    }

    /// An instant query (`/api/v1/query`) whose answer is a vector.
    pub fn query(&self, promql: &str) -> Result<Vec<QuerySample>, PromError> {
        let data = self.api(&format!("/api/v1/query?query={}", percent_encode(promql)))?;
        let refused = |detail: String| PromError::Refused {
            what: format!("read the answer to `{promql}`"),
            detail,
        };
        if data["resultType"] != "vector" {
            return Err(refused(format!("not a vector: {data}")));
        }
        let mut samples = Vec::new();
        for series in data["result"].as_array().cloned().unwrap_or_default() {
            let labels = series["metric"]
                .as_object()
                .ok_or_else(|| refused(format!("no labels in {series}")))?
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect();
            let value = series["value"][1]
                .as_str()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| refused(format!("no value in {series}")))?;
            samples.push(QuerySample { labels, value });
        }
        Ok(samples)
    }

    /// Polls [`query`](Self::query) until it answers at least one series.
    pub fn query_until_found(
        &self,
        promql: &str,
        timeout: Duration,
    ) -> Result<Vec<QuerySample>, PromError> {
        let start = Instant::now();
        loop {
            let samples = self.query(promql)?;
            if !samples.is_empty() {
                return Ok(samples);
            }
            if start.elapsed() >= timeout {
                return Err(PromError::Timeout {
                    what: format!("find a series for `{promql}`"),
                    timeout,
                    detail: format!(
                        "the answer stayed empty; the server's log:\n{}",
                        self.log_tail()
                    ),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A GET of the HTTP API: its `data`, once `status` is `success`.
    fn api(&self, path_and_query: &str) -> Result<serde_json::Value, PromError> {
        let (status, body) = http_get(self.port, path_and_query)?;
        let refused = |detail: String| PromError::Refused {
            what: format!("GET {path_and_query}"),
            detail,
        };
        let mut json: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| refused(format!("{status}, not JSON ({e}): {body}")))?;
        if status != 200 || json["status"] != "success" {
            return Err(refused(format!("{status}: {body}")));
        }
        Ok(json["data"].take())
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        // The watchdog kills the server while it is still this process's
        // unreaped child, so its pid cannot have been reused; then it is
        // reaped here.
        drop(self.watchdog.stdin.take());
        if let Err(e) = self.watchdog.wait() {
            eprintln!("perfwatch-testkit: waiting for Prometheus's watchdog: {e}");
            let _ = self.server.kill();
        }
        let _ = self.server.wait();
    }
}

#[track_caller]
fn skip_or_fail<T>(error: &PromError) -> Option<T> {
    if std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1") {
        panic!(
            "{REQUIRE_VAR}=1 but failed to {error}. scripts/test installs it; \
             unset {REQUIRE_VAR} to skip the Prometheus tests instead"
        );
    }
    eprintln!("skipped: failed to {error}; set {REQUIRE_VAR}=1 to fail instead");
    None
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// A GET over HTTP/1.0 (so the server closes the connection after a
/// plain, unchunked body): status and body.
fn http_get(port: u16, path: &str) -> Result<(u16, String), PromError> {
    let what = format!("GET http://127.0.0.1:{port}{path}");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(io_error(&what))?;
    for timeout in [
        stream.set_read_timeout(Some(Duration::from_secs(10))),
        stream.set_write_timeout(Some(Duration::from_secs(10))),
    ] {
        timeout.map_err(io_error(&what))?;
    }
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .map_err(io_error(&what))?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(io_error(&what))?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| PromError::Refused {
            what: what.clone(),
            detail: format!("not an HTTP response: {head}"),
        })?;
    Ok((status, body.to_owned()))
}

/// A query-string value: everything but RFC 3986's unreserved characters
/// percent-encoded.
fn percent_encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(
            percent_encode(r#"m{a="x y",b=~"é"}"#),
            "m%7Ba%3D%22x%20y%22%2Cb%3D~%22%C3%A9%22%7D"
        );
    }

    #[test]
    fn promtool_refuses_a_bad_exposition() {
        let Some(promtool) = require_promtool() else {
            return;
        };
        check_metrics(&promtool, "# HELP up Up.\n# TYPE up gauge\nup 1\n").unwrap();
        let e = check_metrics(&promtool, "# HELP x X.\n# TYPE x counter\nx 1\n").unwrap_err();
        assert!(e.to_string().contains("_total"), "{e}");
    }
}
