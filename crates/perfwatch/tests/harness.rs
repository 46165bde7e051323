//! Runs a scenario in a child process and reads what it wrote.

use perfwatch_model::span_file::SpanRecord;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Names the scenario a child process runs.
pub const SCENARIO_VAR: &str = "PERFWATCH_TEST_SCENARIO";

/// What a scenario left behind.
pub struct Run {
    /// Every line of the span file, parsed.
    pub records: Vec<SpanRecord>,
    /// The child's output (for failure messages).
    pub output: String,
    /// Keeps the span file's directory alive.
    pub dir: tempfile::TempDir,
}

/// How to run a scenario.
pub struct Scenario {
    name: &'static str,
    env: Vec<(String, String)>,
    spans: bool,
}

/// A scenario with a span file and no other probe variables.
pub fn scenario(name: &'static str) -> Scenario {
    Scenario {
        name,
        env: Vec::new(),
        spans: true,
    }
}

impl Scenario {
    /// Sets an environment variable for the child.
    pub fn env(mut self, key: &str, value: impl AsRef<str>) -> Scenario {
        self.env.push((key.into(), value.as_ref().into()));
        self
    }

    /// Runs without `PERFWATCH_SPANS`.
    pub fn without_spans(mut self) -> Scenario {
        self.spans = false;
        self
    }

    /// Runs it; panics unless the child succeeded.
    pub fn run(self) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let path = spans_path(dir.path());
        let mut cmd = command(self.name);
        if self.spans {
            cmd.env(perfwatch::ENV_SPANS, &path);
        }
        cmd.env("PERFWATCH_TEST_DIR", dir.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let output = format!(
            "status {}\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "scenario {} failed: {output}",
            self.name
        );
        let records = read(&path);
        Run {
            records,
            output,
            dir,
        }
    }
}

/// This test binary, set to run `scenario` only.
pub fn command(scenario: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "scenario_entry",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(SCENARIO_VAR, scenario)
    .env_remove(perfwatch::ENV_SPANS)
    .env_remove(perfwatch::ENV_PARENT_SPAN)
    .env_remove(perfwatch::ENV_MAX_CALLS)
    .env_remove(perfwatch::ENV_CLOCK);
    cmd
}

/// Where a scenario's span file goes.
pub fn spans_path(dir: &Path) -> PathBuf {
    dir.join("spans.jsonl")
}

/// Every line of a span file, parsed (a line that does not parse fails the
/// test: the probe must write the documented format).
pub fn read(path: &Path) -> Vec<SpanRecord> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line does not parse ({e}): {line}"))
        })
        .collect()
}

/// A `span` record, flattened for checks.
#[derive(Debug, Clone)]
pub struct SpanLine {
    pub id: String,
    pub parent: Option<String>,
    pub name: String,
    pub tier: Option<String>,
    pub component: Option<String>,
    pub start: u64,
    pub end: u64,
    pub ok: bool,
    pub attrs: perfwatch_model::Attributes,
}

/// An `agg` record, flattened for checks.
#[derive(Debug, Clone)]
pub struct AggLine {
    pub id: String,
    pub parent: Option<String>,
    pub name: String,
    pub calls: u64,
    pub failed: u64,
    pub total_ns: u64,
}

impl Run {
    /// Every `span` record.
    pub fn spans(&self) -> Vec<SpanLine> {
        self.records
            .iter()
            .filter_map(|r| match r.clone() {
                SpanRecord::Span {
                    id,
                    parent,
                    name,
                    tier,
                    component,
                    start_unix_ns,
                    end_unix_ns,
                    ok,
                    attrs,
                } => Some(SpanLine {
                    id: id.into_string(),
                    parent: parent.map(|p| p.into_string()),
                    name: name.into_string(),
                    tier,
                    component,
                    start: start_unix_ns,
                    end: end_unix_ns,
                    ok,
                    attrs,
                }),
                _ => None,
            })
            .collect()
    }

    /// The `span` records named `name`.
    pub fn named(&self, name: &str) -> Vec<SpanLine> {
        self.spans()
            .into_iter()
            .filter(|s| s.name == name)
            .collect()
    }

    /// The one `span` record named `name`.
    pub fn one(&self, name: &str) -> SpanLine {
        let mut found = self.named(name);
        assert_eq!(
            found.len(),
            1,
            "spans named {name}: {found:?}\n{}",
            self.output
        );
        found.remove(0)
    }

    /// Every `agg` record named `name`.
    pub fn aggs(&self, name: &str) -> Vec<AggLine> {
        self.records
            .iter()
            .filter_map(|r| match r.clone() {
                SpanRecord::Agg {
                    id,
                    parent,
                    name: n,
                    calls,
                    failed,
                    total_ns,
                    ..
                } if n == name => Some(AggLine {
                    id: id.into_string(),
                    parent: parent.map(|p| p.into_string()),
                    name: n.into_string(),
                    calls,
                    failed,
                    total_ns,
                }),
                _ => None,
            })
            .collect()
    }

    /// Calls of stage `name`: individual spans plus folded calls.
    pub fn calls(&self, name: &str) -> u64 {
        self.named(name).len() as u64 + self.aggs(name).iter().map(|a| a.calls).sum::<u64>()
    }
}
