//! `perfwatch.toml`: benchmarks, variants, thresholds and gates.
//!
//! Parsing is strict: an unknown key or a value of the wrong type is an
//! error naming the file, line, column and key, and nothing runs.

use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Default configuration file name, looked up in the current directory.
pub const DEFAULT_CONFIG: &str = "perfwatch.toml";

/// The whole file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Benchmarks by name, in file order.
    #[serde(default)]
    pub benchmark: IndexMap<String, BenchmarkConfig>,
    /// Statistical thresholds for comparisons.
    #[serde(default)]
    pub thresholds: ThresholdsConfig,
    /// Thresholds of the diagnostic rules.
    #[serde(default)]
    pub findings: perfwatch_analysis::FindingOptions,
    /// Gate rules (`perfwatch gate`, `--gate`).
    #[serde(default)]
    pub gates: perfwatch_analysis::GateConfig,
}

/// `[benchmark.NAME]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkConfig {
    /// What the benchmark measures.
    pub description: Option<String>,
    /// The argv, executed directly.
    pub command: Option<Vec<String>>,
    /// A shell string, run through `sh -c`.
    pub shell: Option<String>,
    /// Working directory, relative to the config file.
    pub cwd: Option<PathBuf>,
    /// Environment for every variant.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Hook run once before all runs.
    pub setup: Option<String>,
    /// Hook run before each run.
    pub prepare: Option<String>,
    /// Hook run after each run.
    pub conclude: Option<String>,
    /// Hook run once after all runs.
    pub cleanup: Option<String>,
    /// Exact measured runs per variant.
    pub runs: Option<u32>,
    /// Warm-up runs per variant.
    pub warmup: Option<u32>,
    /// Minimum measured runs.
    pub min_runs: Option<u32>,
    /// Maximum measured runs.
    pub max_runs: Option<u32>,
    /// Per-run timeout in seconds.
    pub timeout: Option<f64>,
    /// Sampling interval in ms (0 = off).
    pub sample_interval: Option<u64>,
    /// Keep going when the command fails.
    pub ignore_failure: Option<bool>,
    /// Variants by name, in file order.
    #[serde(default)]
    pub variant: IndexMap<String, VariantConfig>,
}

/// `[benchmark.NAME.variant.VNAME]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantConfig {
    /// What the variant is.
    pub description: Option<String>,
    /// Extra environment.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Extra arguments appended to the command.
    #[serde(default)]
    pub args: Vec<String>,
}

/// `[thresholds]`: when a change counts and how severe it is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThresholdsConfig {
    /// Confidence level of intervals and tests.
    pub confidence: f64,
    /// Relative change inside which a difference is noise.
    pub noise: f64,
    /// Fewer runs than this on either side: inconclusive.
    pub min_samples: usize,
    /// Severity "low" from this relative change.
    pub low: f64,
    /// Severity "medium" from this relative change.
    pub medium: f64,
    /// Severity "high" from this relative change.
    pub high: f64,
    /// Severity "critical" above this relative change.
    pub critical: f64,
}

impl Default for ThresholdsConfig {
    fn default() -> Self {
        ThresholdsConfig {
            confidence: 0.95,
            noise: 0.02,
            min_samples: 5,
            low: 0.10,
            medium: 0.20,
            high: 0.50,
            critical: 1.00,
        }
    }
}

/// A configuration error, with its position when there is one.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("failed to read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid perfwatch TOML.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A semantic problem (e.g. both `command` and `shell`).
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A loaded configuration and where it came from.
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// The parsed file.
    pub file: ConfigFile,
    /// The file's path, when one was read.
    pub path: Option<PathBuf>,
}

impl Config {
    /// Load `explicit`, or `perfwatch.toml` in the current directory when it
    /// exists; an explicit path that does not exist is an error.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(DEFAULT_CONFIG);
                if !p.exists() {
                    return Ok(Config::default());
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let file = parse(&text, &path)?;
        Ok(Config {
            file,
            path: Some(path),
        })
    }

    /// The directory relative paths in the file are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."))
            .to_path_buf()
    }

    /// The benchmark of that name, or an error listing the known ones.
    pub fn benchmark(&self, name: &str) -> Result<&BenchmarkConfig, String> {
        self.file.benchmark.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.file.benchmark.keys().map(String::as_str).collect();
            let file = self
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| DEFAULT_CONFIG.to_string());
            if known.is_empty() {
                format!("no benchmark named `{name}`: {file} defines none (run `perfwatch init` for an example, or put a command after `--`)")
            } else {
                format!(
                    "no benchmark named `{name}` in {file} (known: {}); to measure a command, put it after `--`",
                    known.join(", ")
                )
            }
        })
    }
}

/// Parse and validate configuration text.
pub fn parse(text: &str, path: &Path) -> Result<ConfigFile, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    for (name, b) in &file.benchmark {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        match (&b.command, &b.shell) {
            (Some(_), Some(_)) => {
                return Err(invalid(format!(
                    "benchmark `{name}` sets both `command` and `shell`; keep one"
                )))
            }
            (None, None) => {
                return Err(invalid(format!(
                    "benchmark `{name}` needs `command = [\"prog\", \"arg\"]` or `shell = \"…\"`"
                )))
            }
            (Some(c), None) if c.is_empty() => {
                return Err(invalid(format!(
                    "benchmark `{name}` has an empty `command`"
                )))
            }
            _ => {}
        }
        if let Some(t) = b.timeout {
            if !(t.is_finite() && t > 0.0) {
                return Err(invalid(format!(
                    "benchmark `{name}`: `timeout` must be a positive number of seconds"
                )));
            }
        }
    }
    let t = &file.thresholds;
    let ok = (0.5..1.0).contains(&t.confidence)
        && t.noise >= 0.0
        && 0.0 <= t.low
        && t.low <= t.medium
        && t.medium <= t.high
        && t.high <= t.critical;
    if !ok {
        return Err(ConfigError::Invalid {
            path: path.to_path_buf(),
            message: "[thresholds]: need 0.5 ≤ confidence < 1, noise ≥ 0 and 0 ≤ low ≤ medium ≤ high ≤ critical".into(),
        });
    }
    Ok(file)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The commented example written by `perfwatch init`.
pub const EXAMPLE: &str = include_str!("../assets/perfwatch.example.toml");

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text, Path::new("perfwatch.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn the_example_parses() {
        let f = parse(EXAMPLE, Path::new("x.toml")).unwrap();
        assert!(!f.benchmark.is_empty());
    }

    #[test]
    fn variants_keep_file_order() {
        let f = parse(
            "[benchmark.b]\ncommand=['true']\n[benchmark.b.variant.zeta]\n[benchmark.b.variant.alpha]\n",
            Path::new("p"),
        )
        .unwrap();
        let names: Vec<_> = f.benchmark["b"].variant.keys().cloned().collect();
        assert_eq!(names, ["zeta", "alpha"]);
    }

    #[test]
    fn unknown_key_names_file_line_column_and_key() {
        let e = err("[benchmark.b]\ncommand = ['true']\nwarmpu = 3\n");
        assert!(e.starts_with("perfwatch.toml:3:1:"), "{e}");
        assert!(e.contains("warmpu"), "{e}");
    }

    #[test]
    fn type_error_names_position() {
        let e = err("[benchmark.b]\ncommand = ['true']\nruns = \"ten\"\n");
        assert!(e.starts_with("perfwatch.toml:3:8:"), "{e}");
    }

    #[test]
    fn unknown_variant_key_is_rejected() {
        let e = err("[benchmark.b]\ncommand=['true']\n[benchmark.b.variant.v]\nenvs = {}\n");
        assert!(e.contains("envs") && e.contains(":4:"), "{e}");
    }

    #[test]
    fn command_and_shell_are_exclusive_and_one_is_required() {
        assert!(err("[benchmark.b]\ncommand=['a']\nshell='b'\n").contains("both"));
        assert!(err("[benchmark.b]\nruns=3\n").contains("needs"));
        assert!(err("[benchmark.b]\ncommand=[]\n").contains("empty"));
    }

    #[test]
    fn thresholds_are_validated() {
        assert!(err("[thresholds]\nlow=0.5\nmedium=0.2\n").contains("thresholds"));
        let f = parse("[thresholds]\nnoise=0.05\n", Path::new("p")).unwrap();
        assert_eq!(f.thresholds.noise, 0.05);
        assert_eq!(f.thresholds.low, 0.10);
    }
}
