//! `perfwatch.toml`: benchmarks, variants, thresholds, findings and gates.
//!
//! Parsing is strict and complete: an unknown key, a value of the wrong
//! type or a value out of range is an error naming the file, line, column
//! and key, and nothing runs. `[thresholds]`, `[findings]` and `[gates]`
//! are read straight into the library's option types, whose
//! deserialisation checks every value as it is read (defaults included:
//! they are the library's).

mod env;
mod places;
pub mod service;

pub use places::{Place, RunCountPlaces};

use indexmap::IndexMap;
use perfwatch_analysis::{Bound, CompareOptions, FindingOptions, GateConfig};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
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
    /// `[thresholds]`: how comparisons decide (confidence, noise, minimum
    /// sample size, severity thresholds, primary metrics, bootstrap).
    #[serde(default)]
    pub thresholds: CompareOptions,
    /// `[findings]`: thresholds of the diagnostic rules.
    #[serde(default)]
    pub findings: FindingOptions,
    /// `[gates]`: gate rules (`perfwatch gate`, `--gate`).
    #[serde(default)]
    pub gates: GateConfig,
    /// `[monitor."PIPELINE"]`: how `perfwatch serve` judges a monitored
    /// pipeline's runs — window, baseline, severity thresholds, and
    /// budgets per stage (`[monitor."shorts/video".stage."_2_asr"]
    /// p50_s = 60, max_rss = "2 GiB", max_cpu_pct = 90`).
    #[serde(default)]
    pub monitor: BTreeMap<String, perfwatch_analysis::monitor::MonitorOptions>,
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
    /// A service benchmark: the service's argv or shell string, with
    /// `{port}` (see [`service`]).
    pub service: Option<service::ServiceCommand>,
    /// How a service's readiness is told: an `http://` URL, `tcp`
    /// (the default) or `log:PATTERN`.
    pub ready: Option<String>,
    /// Seconds a service may take to become ready (default 30).
    #[serde(default, deserialize_with = "service_timeout")]
    pub ready_timeout: Option<f64>,
    /// Seconds a service may take to exit after SIGTERM (default 5).
    #[serde(default, deserialize_with = "service_timeout")]
    pub stop_timeout: Option<f64>,
    /// A service's Prometheus exposition, scraped around the load.
    pub metrics: Option<String>,
    /// `[benchmark.NAME.load]`: the load driven at a service.
    pub load: Option<service::LoadConfig>,
    /// Working directory, relative to the config file.
    pub cwd: Option<PathBuf>,
    /// Environment for every variant.
    #[serde(default, deserialize_with = "env::table")]
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
    #[serde(default, deserialize_with = "run_count")]
    pub runs: Option<u32>,
    /// Warm-up runs per variant.
    pub warmup: Option<u32>,
    /// Minimum measured runs.
    pub min_runs: Option<u32>,
    /// Maximum measured runs.
    #[serde(default, deserialize_with = "run_count")]
    pub max_runs: Option<u32>,
    /// Per-run timeout in seconds.
    #[serde(default, deserialize_with = "timeout")]
    pub timeout: Option<f64>,
    /// Sampling interval in ms (0 = off).
    pub sample_interval: Option<u64>,
    /// Most spans kept per iteration (at least 1).
    #[serde(default, deserialize_with = "max_spans")]
    pub max_spans: Option<u64>,
    /// Keep going when the command fails.
    pub ignore_failure: Option<bool>,
    /// The suites the benchmark belongs to (`run --suite smoke`).
    #[serde(default)]
    pub suites: Vec<String>,
    /// Variants by name, in file order.
    #[serde(default)]
    pub variant: IndexMap<String, VariantConfig>,
    /// Where `min_runs` and `max_runs` are in the file (filled by
    /// [`parse`]), for checks against the command line's flags.
    #[serde(skip)]
    pub places: RunCountPlaces,
}

/// `[benchmark.NAME.variant.VNAME]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantConfig {
    /// What the variant is.
    pub description: Option<String>,
    /// Extra environment.
    #[serde(default, deserialize_with = "env::table")]
    pub env: BTreeMap<String, String>,
    /// Extra arguments appended to the command.
    #[serde(default)]
    pub args: Vec<String>,
}

/// What `timeout` (and `--timeout`) accepts, in seconds: up to the
/// runner's longest, a year.
pub const TIMEOUT_BOUND: Bound =
    Bound::above(0.0).up_to(perfwatch_runner::Plan::MAX_TIMEOUT.as_secs_f64());

/// What `runs`, `max_runs` and `max_spans` accept.
const RUN_COUNT_BOUND: Bound = Bound::at_least(1.0);

fn timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let t = f64::deserialize(d)?;
    TIMEOUT_BOUND.check(t).map(Some).map_err(D::Error::custom)
}

fn service_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let t = f64::deserialize(d)?;
    service::SERVICE_TIMEOUT
        .check(t)
        .map(Some)
        .map_err(D::Error::custom)
}

fn run_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let n = u32::deserialize(d)?;
    RUN_COUNT_BOUND
        .check(f64::from(n))
        .map(|_| Some(n))
        .map_err(D::Error::custom)
}

fn max_spans<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let n = u64::deserialize(d)?;
    RUN_COUNT_BOUND
        .check(n as f64)
        .map(|_| Some(n))
        .map_err(D::Error::custom)
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
    let mut file: ConfigFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: describe(&e),
        }
    })?;
    for (name, b) in &file.benchmark {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let service_keys = [
            ("ready", b.ready.is_some()),
            ("ready_timeout", b.ready_timeout.is_some()),
            ("stop_timeout", b.stop_timeout.is_some()),
            ("metrics", b.metrics.is_some()),
            ("load", b.load.is_some()),
        ];
        if b.service.is_none() {
            if let Some((key, _)) = service_keys.iter().find(|(_, set)| *set) {
                return Err(invalid(format!(
                    "benchmark `{name}` sets `{key}`, which only a service benchmark has (`service = [\"prog\", \"--port\", \"{{port}}\"]`)"
                )));
            }
        }
        match (&b.command, &b.shell, &b.service) {
            (_, _, Some(_)) if b.command.is_some() || b.shell.is_some() => {
                return Err(invalid(format!(
                    "benchmark `{name}` sets `service` and `{}`; a service benchmark's command is `service`",
                    if b.command.is_some() { "command" } else { "shell" }
                )))
            }
            (_, _, Some(command)) => {
                let empty = match command {
                    service::ServiceCommand::Argv(argv) => argv.first().is_none_or(|p| p.trim().is_empty()),
                    service::ServiceCommand::Shell(s) => s.trim().is_empty(),
                };
                if empty {
                    return Err(invalid(format!("benchmark `{name}` has an empty `service`")));
                }
                service::service_plan(
                    b.ready.as_deref(),
                    b.ready_timeout,
                    b.stop_timeout,
                    b.metrics.as_deref(),
                    b.load.as_ref(),
                    path.parent().unwrap_or(Path::new(".")),
                )
                .map_err(|e| invalid(format!("benchmark `{name}`: {e}")))?;
            }
            (Some(_), Some(_), None) => {
                return Err(invalid(format!(
                    "benchmark `{name}` sets both `command` and `shell`; keep one"
                )))
            }
            (None, None, None) => {
                return Err(invalid(format!(
                    "benchmark `{name}` needs `command = [\"prog\", \"arg\"]`, `shell = \"…\"` or, for a service, `service = [\"prog\", \"--port\", \"{{port}}\"]`"
                )))
            }
            (Some(c), None, None) if c.is_empty() => {
                return Err(invalid(format!(
                    "benchmark `{name}` has an empty `command`"
                )))
            }
            _ => {}
        }
    }
    let mut places = places::run_counts(text, path);
    for (name, b) in &mut file.benchmark {
        b.places = places.shift_remove(name).unwrap_or_default();
        if let (Some(lo), Some(hi), Some(at)) = (b.min_runs, b.max_runs, &b.places.max_runs) {
            if hi < lo {
                return Err(ConfigError::Parse {
                    path: path.to_path_buf(),
                    line: at.line,
                    column: at.column,
                    message: format!("[benchmark.{name}] max_runs: {hi} is below min_runs = {lo}"),
                });
            }
        }
    }
    Ok(file)
}

/// A TOML error's message led by the table and key it is about:
/// `[thresholds] noise: must be at least 0 and below 1, got 5`.
///
/// The `toml` crate knows the key path of an error in a value and shows it
/// (as "in `a.b.c`") when it displays the error without its input.
fn describe(e: &toml::de::Error) -> String {
    let message = e.message().trim();
    let mut bare = e.clone();
    bare.set_input(None);
    let shown = bare.to_string();
    let path = shown
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("in `")?.strip_suffix('`'))
        .filter(|p| !p.is_empty());
    match path {
        None => message.to_string(),
        // An unknown key is reported at the table that does not know it.
        Some(table) if message.starts_with("unknown field") => format!("[{table}]: {message}"),
        Some(path) => match path.rsplit_once('.') {
            Some((table, key)) => format!("[{table}] {key}: {message}"),
            None => format!("[{path}]: {message}"),
        },
    }
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
    fn the_examples_thresholds_are_the_library_defaults() {
        let f = parse(EXAMPLE, Path::new("x.toml")).unwrap();
        assert_eq!(f.thresholds, CompareOptions::default());
        assert_eq!(f.findings, FindingOptions::default());
        assert_eq!(f.gates, GateConfig::default());
    }

    /// The example with every commented option (after `[thresholds]`)
    /// uncommented: `# key = value` and `# [table]` lines.
    fn example_uncommented() -> String {
        let (benchmarks, options) = EXAMPLE.split_at(EXAMPLE.find("[thresholds]").unwrap());
        let option_line = |l: &str| {
            l.starts_with('[')
                || l.split_once(" = ").is_some_and(|(k, _)| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                })
        };
        let lines: Vec<&str> = options
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if option_line(rest) => rest,
                _ => l,
            })
            .collect();
        format!("{benchmarks}{}\n", lines.join("\n"))
    }

    #[test]
    fn every_commented_option_of_the_example_is_valid_and_shows_its_default() {
        let text = example_uncommented();
        assert!(text.contains("\n[gates.stage.\"pipeline/track/activate\"]\n"));
        let f = parse(&text, Path::new("x.toml")).unwrap();
        let mut thresholds = CompareOptions::default();
        thresholds.ci.seed = 1;
        assert_eq!(f.thresholds, thresholds);
        assert_eq!(
            f.findings,
            FindingOptions {
                disable: vec!["noisy_stage".into()],
                ..FindingOptions::default()
            }
        );
        assert_eq!(f.gates.max_failure_rate, Some(0.0));
        // `metrics` has no default list (every primary comparison counts);
        // the example shows how to narrow it.
        assert_eq!(
            f.gates.metrics,
            Some(vec!["wall_s".to_string(), "total_s".to_string()])
        );
        assert!(f.gates.validate().is_ok());
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
    fn thresholds_read_into_the_comparison_options() {
        let f = parse(
            "[thresholds]\nnoise=0.05\nprimary=['wall_s','max_rss_bytes']\n",
            Path::new("p"),
        )
        .unwrap();
        assert_eq!(f.thresholds.noise_threshold, 0.05);
        assert_eq!(f.thresholds.severity.low, 0.10);
        assert!(f.thresholds.primary.is_primary("max_rss_bytes", None));
        assert!(!f.thresholds.primary.stages());
    }

    #[test]
    fn a_value_out_of_range_names_position_table_and_key() {
        let e = err("[benchmark.b]\ncommand = ['true']\n\n[thresholds]\nnoise = 5.0\n");
        assert_eq!(
            e,
            "perfwatch.toml:5:9: [thresholds] noise: must be at least 0 and below 1, got 5"
        );
        let e = err("[gates.stage.\"a/b\"]\np50_s = -1\n");
        assert_eq!(
            e,
            "perfwatch.toml:2:9: [gates.stage.a/b] p50_s: must be at least 0, got -1"
        );
    }

    #[test]
    fn a_table_level_error_names_the_table() {
        let e = err("[thresholds]\nlow=0.5\nmedium=0.2\n");
        assert!(
            e.starts_with("perfwatch.toml:1:1: [thresholds]: severity thresholds must satisfy"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_key_names_its_table() {
        let e = err("[findings]\nidle_cpu = 3\n");
        assert!(
            e.starts_with("perfwatch.toml:2:1: [findings]: unknown field `idle_cpu`"),
            "{e}"
        );
        let e = err("[thresholdz]\nnoise = 3\n");
        assert!(
            e.starts_with("perfwatch.toml:1:2: unknown field `thresholdz`"),
            "{e}"
        );
    }

    #[test]
    fn benchmark_counts_and_timeout_are_checked_at_the_value() {
        let e = err("[benchmark.b]\ncommand = ['true']\ntimeout = -1\n");
        assert_eq!(
            e,
            "perfwatch.toml:3:11: [benchmark.b] timeout: must be above 0 and at most 31536000, got -1"
        );
        let e = err("[benchmark.b]\ncommand = ['true']\nruns = 0\n");
        assert!(e.starts_with("perfwatch.toml:3:8: [benchmark.b] runs: must be at least 1"));
    }
}
