//! A session: one invocation of `run` or `ab`, with its provenance.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The command a benchmark runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandSpec {
    /// The argv, executed directly; with `shell`, a single string for `sh -c`.
    pub argv: Vec<String>,
    /// Run `argv[0]` through `sh -c`.
    #[serde(default)]
    pub shell: bool,
}

impl CommandSpec {
    /// The command as one line, for display.
    pub fn display(&self) -> String {
        if self.shell {
            self.argv.join(" ")
        } else {
            self.argv
                .iter()
                .map(|a| {
                    if a.is_empty()
                        || a.contains(|c: char| c.is_whitespace() || "'\"$`\\|&;<>()*?".contains(c))
                    {
                        format!("'{}'", a.replace('\'', "'\\''"))
                    } else {
                        a.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

/// A named configuration of a benchmark: environment, extra arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VariantSpec {
    /// The variant's name (`default` when none was named).
    pub name: String,
    /// What the variant is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Extra environment variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Extra arguments appended to the command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// A command of the variant's own, replacing the benchmark's (a
    /// parameter scan that substitutes `{NAME}` in the command line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandSpec>,
    /// The parameter values of a scan's variant (`--parameter-scan`,
    /// `--parameter-list`), in the order the parameters were given; empty
    /// outside a scan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<(String, String)>,
    /// Mean CPU times per run as another tool reported them, for an
    /// imported variant whose source kept no per-run CPU times (hyperfine
    /// exports only these means). Shown and exported as reported, never
    /// fed into statistics: repeating a mean as every run's figure would
    /// give a zero-width interval and false verdicts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_means: Option<CpuMeans>,
}

/// Mean user and system CPU seconds per run, as a tool reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CpuMeans {
    /// Mean user CPU seconds per run.
    pub user_s: f64,
    /// Mean system CPU seconds per run.
    pub sys_s: f64,
}

/// The git state of the working tree the session ran in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitInfo {
    /// Full commit hash of `HEAD`.
    pub commit: Option<String>,
    /// Current branch, absent when detached.
    pub branch: Option<String>,
    /// Whether tracked files had uncommitted changes.
    pub dirty: bool,
}

/// The machine the session ran on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostInfo {
    /// Host name.
    pub hostname: Option<String>,
    /// Operating system, e.g. `linux`.
    pub os: String,
    /// Kernel release, e.g. `6.1.0-18-amd64`.
    pub kernel: Option<String>,
    /// CPU model name.
    pub cpu_model: Option<String>,
    /// Logical CPUs available.
    pub cores: Option<u32>,
    /// Total memory in bytes.
    pub memory_bytes: Option<u64>,
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Still running (or the process died without closing it).
    Running,
    /// All planned iterations finished.
    Complete,
    /// Stopped by Ctrl-C / SIGTERM; finished iterations are kept.
    Interrupted,
    /// Stopped by a failing command or hook.
    Failed,
    /// The perfwatch that ran it died (killed, crashed, rebooted) before
    /// it could say how it ended; finished iterations are kept.
    Abandoned,
}

impl SessionStatus {
    /// The key stored and printed.
    pub fn key(self) -> &'static str {
        match self {
            SessionStatus::Running => "running",
            SessionStatus::Complete => "complete",
            SessionStatus::Interrupted => "interrupted",
            SessionStatus::Failed => "failed",
            SessionStatus::Abandoned => "abandoned",
        }
    }

    /// Parse a stored key.
    pub fn from_key(s: &str) -> Option<Self> {
        Some(match s {
            "running" => SessionStatus::Running,
            "complete" => SessionStatus::Complete,
            "interrupted" => SessionStatus::Interrupted,
            "failed" => SessionStatus::Failed,
            "abandoned" => SessionStatus::Abandoned,
            _ => return None,
        })
    }
}

/// One invocation of `run` or `ab`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Unique id (lowercase hex); prefixes identify it on the command line.
    pub id: String,
    /// RFC 3339 UTC time the session started.
    pub started_at: String,
    /// RFC 3339 UTC time the session ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Benchmark name (the command line itself for ad-hoc runs).
    pub benchmark: String,
    /// The command measured.
    pub command: CommandSpec,
    /// The variants, in plan order.
    #[serde(default)]
    pub variants: Vec<VariantSpec>,
    /// Git provenance, absent outside a work tree.
    pub git: Option<GitInfo>,
    /// The host.
    pub host: HostInfo,
    /// perfwatch's version.
    pub perfwatch_version: String,
    /// How the session ended.
    pub status: SessionStatus,
    /// The saved baseline the session was compared with when it ran
    /// (`--baseline`): every later analysis of the session compares with it
    /// again, so that each command gives the same answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The start-up time of the shell, measured before the runs and
    /// subtracted from each run's figures, when commands ran through a
    /// shell with the correction on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell_correction: Option<ShellCorrection>,
    /// Where an imported session came from; absent for measured sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<ImportOrigin>,
    /// The perfwatch process that measured the session: a `running`
    /// session whose owner died is `abandoned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<crate::owner::Owner>,
    /// How the session was run adaptively (`--until-confident`), when it
    /// was: every analysis of it carries the same adaptive verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<crate::investigation::AdaptiveSpec>,
    /// The version of the program measured, as the program reported it
    /// (a monitored pipeline's `service.version`): the history and its
    /// change points name it. Absent for benchmarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_version: Option<String>,
}

impl Session {
    /// Every command the session ran, each once, for a header: its own,
    /// then the commands of its own of variants that are not a scan's
    /// values (`perfwatch run 'A' 'B'` ran A and B; a scan ran its
    /// template, which the session's command shows).
    pub fn commands(&self) -> Vec<String> {
        let mut out = vec![self.command.display()];
        for v in &self.variants {
            if let (Some(c), true) = (&v.command, v.parameters.is_empty()) {
                let line = c.display();
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        }
        out
    }
}

/// The empty shell's cost, measured and subtracted from every run of a
/// command that ran through that shell (as hyperfine does).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShellCorrection {
    /// The shell, as it was run (`sh`, `bash --norc`).
    pub shell: String,
    /// Mean wall time of the empty shell, subtracted from `wall_s`.
    pub wall_s: f64,
    /// Mean user CPU time of the empty shell, subtracted from `user_s`.
    pub user_s: f64,
    /// Mean system CPU time of the empty shell, subtracted from `sys_s`.
    pub sys_s: f64,
    /// How many empty-shell runs the means come from.
    pub runs: u32,
}

/// The file an imported session was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOrigin {
    /// The tool that wrote the file (`hyperfine`, `criterion`).
    pub tool: String,
    /// The file as it was named on the command line.
    pub file: String,
    /// SHA-256 of the file's bytes (lowercase hex): the same file imported
    /// twice is recognised by it.
    pub sha256: String,
}
