//! The test harness: a temporary working directory per test, the
//! `perfwatch` binary configured to use it, and helpers to read what it
//! stored.
//!
//! ```ignore
//! let dir = TestDir::new();
//! pw(&dir).args(["run", "-r", "3", "--", "true"]).assert().success();
//! let json = dir.export("latest");
//! ```

mod fake_server;
mod history;
mod redact;
pub mod server;

pub use fake_server::{dead_port, TestServer};
pub use history::History;
pub use redact::{json_shape, redact};

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The binary under test.
pub const PERFWATCH: &str = env!("CARGO_BIN_EXE_perfwatch");

/// Longest any single `perfwatch` invocation may take before the test
/// fails instead of hanging the suite.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// Environment variables a surrounding perfwatch (or OpenTelemetry setup)
/// could leak into the tests; every command starts without them.
const SCRUBBED_ENV: &[&str] = &[
    // The width of piped output: tests that want one set it.
    "COLUMNS",
    "GITHUB_STEP_SUMMARY",
    "PERFWATCH_DB",
    "PERFWATCH_CONFIG",
    "PERFWATCH_SPANS",
    "PERFWATCH_PARENT_SPAN",
    "PERFWATCH_ITERATION",
    "PERFWATCH_VARIANT",
    // A GPU script or switch of the surrounding shell.
    "PERFWATCH_GPU",
    "PERFWATCH_GPU_SCRIPT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "OTEL_TRACES_EXPORTER",
    "PERFWATCH_SERVER",
    "PERFWATCH_TOKEN",
    // Pushes to the tests' loopback servers go direct.
    "ALL_PROXY",
    "all_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
];

/// A temporary directory that is the working directory of every command
/// of one test, with the history database inside it.
pub struct TestDir {
    tmp: tempfile::TempDir,
}

/// A `perfwatch` command for `dir`: cwd, `PERFWATCH_DB` and `--color never`
/// set, a clean environment otherwise.
pub fn pw(dir: &TestDir) -> Command {
    dir.pw()
}

impl TestDir {
    /// A fresh, empty directory.
    pub fn new() -> TestDir {
        let tmp = tempfile::Builder::new()
            .prefix("perfwatch-cli-test-")
            .tempdir()
            .expect("create a temporary directory");
        TestDir { tmp }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// A path inside the directory.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path().join(rel)
    }

    /// The history database every command uses (through `PERFWATCH_DB`).
    pub fn db(&self) -> PathBuf {
        self.join("history.db")
    }

    /// Write a file (creating parent directories); returns its path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directory");
        }
        std::fs::write(&path, contents).expect("write test file");
        path
    }

    /// Read a text file; panics with its path when it is missing.
    pub fn read(&self, rel: &str) -> String {
        let path = self.join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// The non-empty lines of a text file (missing file: none).
    pub fn lines(&self, rel: &str) -> Vec<String> {
        std::fs::read_to_string(self.join(rel))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    }

    /// A configured `perfwatch` command (assert_cmd flavour).
    pub fn pw(&self) -> Command {
        let mut cmd = Command::from_std(self.std_pw());
        cmd.timeout(COMMAND_LIMIT);
        cmd
    }

    /// A configured `perfwatch` command to spawn as a background child.
    pub fn std_pw(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(PERFWATCH);
        cmd.current_dir(self.path());
        for var in SCRUBBED_ENV {
            cmd.env_remove(var);
        }
        cmd.env("PERFWATCH_DB", self.db())
            .env("NO_COLOR", "1")
            .args(["--color", "never"]);
        cmd
    }

    /// `perfwatch export SESSION --format json`, parsed.
    pub fn export(&self, session: &str) -> Value {
        let out = self
            .pw()
            .args(["export", session, "--format", "json"])
            .assert()
            .success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("export is not JSON ({e}):\n{text}"))
    }

    /// Read-only access to the history database.
    pub fn history(&self) -> History {
        History::open(&self.db())
    }
}

/// Standard output of a finished command as text.
pub fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// Standard error of a finished command as text.
pub fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// Assert that a command failed with a usage-style error: `code`, a
/// standard error whose only line is `error: …` containing every one of
/// `needles`, and nothing on standard output.
pub fn assert_one_line_error(assert: assert_cmd::assert::Assert, code: i32, needles: &[&str]) {
    let assert = assert.code(code);
    let err = stderr(&assert);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines.len() == 1 && lines[0].starts_with("error: "),
        "expected one `error:` line, got:\n{err}"
    );
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` missing from:\n{err}");
    }
    assert!(
        assert.get_output().stdout.is_empty(),
        "unexpected stdout:\n{}",
        stdout(&assert)
    );
}

/// The real Python 3 interpreter (not a version-manager shim, which would
/// add a process and ~100 ms to every iteration).
pub fn python() -> &'static str {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = std::process::Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 is needed by these tests");
        let exe = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if exe.is_empty() {
            "python3".into()
        } else {
            exe
        }
    })
}

/// The iterations of an export, all variants, in index order.
pub fn iterations(export: &Value) -> Vec<Value> {
    let mut all: Vec<Value> = export["variants"]
        .as_array()
        .expect("variants array")
        .iter()
        .flat_map(|v| v["iterations"].as_array().cloned().unwrap_or_default())
        .collect();
    all.sort_by_key(|it| it["index"].as_u64());
    all
}

/// The single variant of an export.
pub fn only_variant(export: &Value) -> &Value {
    let variants = export["variants"].as_array().expect("variants array");
    assert_eq!(variants.len(), 1, "expected one variant: {export:#}");
    &variants[0]
}

/// Poll `cond` every 20 ms until it holds; panics after `limit` with `what`.
pub fn wait_until(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether a process is still alive (a zombie counts as gone: it no longer
/// runs, it only waits to be reaped by whoever adopted it).
pub fn process_alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // The state follows the parenthesised command name.
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.trim().chars().next());
            !matches!(state, Some('Z') | Some('X'))
        }
        Err(_) => false,
    }
}

/// Pids written one per line to a file by the measured commands.
pub fn pids_in(dir: &TestDir, rel: &str) -> Vec<i32> {
    dir.lines(rel)
        .iter()
        .map(|l| {
            l.trim()
                .parse()
                .unwrap_or_else(|_| panic!("bad pid line `{l}`"))
        })
        .collect()
}

/// A snapshot of the files under a directory (relative path → bytes), to
/// prove a failed command wrote nothing.
pub fn tree_snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                out.push((rel, std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}
