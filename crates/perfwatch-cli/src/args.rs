//! Raw command-line arguments (clap derive). These are validated and turned
//! into typed settings in `settings`; the libraries never see clap.

use clap::{Args, Parser, Subcommand, ValueEnum};
use perfwatch_analysis::gate::{
    MAX_DURATION_INCREASE_BOUND, MAX_FAILURE_RATE_BOUND, MIN_HEALTH_SCORE_BOUND,
};
use perfwatch_analysis::Bound;
use perfwatch_runner::{Plan, RunCount};
use perfwatch_stats::changepoint::DetectOptions;
use std::path::PathBuf;
use std::str::FromStr;

/// Find where a program's time goes, prove which change made it slower,
/// and stop regressions at the gate.
#[derive(Debug, Parser)]
#[command(name = "perfwatch", version)]
#[command(
    after_help = "Examples:\n  perfwatch run -r 20 --warmup 2 -- ./my-pipeline --input x\n  perfwatch run 'zstd -c big.tar' 'gzip -c big.tar'\n  perfwatch ab pipeline before after\n  perfwatch report --html report.html\n  perfwatch gate --baseline main --max-regression-high 0\n  perfwatch push --all --to http://perf.example.com:8427\n\nExit codes: 0 ok, 1 error, 2 usage or bad input, 3 the measured command failed,\n4 a gate failed, 5 a hook failed, 130 interrupted."
)]
pub struct Cli {
    /// The history: an SQLite file, or a PostgreSQL database given as
    /// `postgres://user@host:port/dbname`.
    #[arg(
        long,
        global = true,
        env = "PERFWATCH_DB",
        value_name = "FILE|URL",
        default_value = ".perfwatch/perfwatch.db"
    )]
    pub db: String,
    /// Configuration file with benchmarks and variants.
    #[arg(long, global = true, env = "PERFWATCH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to use colours.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Show the evidence behind each finding and every footnote.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colours on a terminal only.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The metric of `--until-confident` given alone.
pub const UNTIL_CONFIDENT_METRIC: &str = "wall_s";

/// The subcommands.
// Parsed once per process and never moved around: the size of its largest
// variant (`run`'s many flags) costs nothing worth an indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure a command (or named benchmarks) repeatedly and store the results.
    Run(RunArgs),
    /// Run variants of a benchmark interleaved and compare them against the first.
    Ab(AbArgs),
    /// Compare two stored sessions, saved baselines, exported JSON or hyperfine files.
    Compare(CompareArgs),
    /// Save, list, show and delete named baselines.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// List stored sessions, newest first.
    Sessions(SessionsArgs),
    /// Print a stored session's analysis again, as run printed it.
    Show(ShowArgs),
    /// Export a stored session as JSON, CSV, Markdown or hyperfine's JSON.
    Export(ExportArgs),
    /// Write a commented example perfwatch.toml.
    Init(InitArgs),
    /// List the variants of the configured benchmarks.
    Variants(VariantsArgs),
    /// Run a command as a stage of the enclosing perfwatch iteration.
    Span(SpanArgs),
    /// Show a metric's series over stored sessions (per benchmark and variant).
    History(HistoryArgs),
    /// Find change points (steps) in a metric's history, or in a CSV series.
    Detect(DetectArgs),
    /// Print a session's breakdown, findings and health score; write HTML or Markdown reports.
    Report(ReportArgs),
    /// Write a self-contained HTML dashboard of the whole history.
    Dashboard(DashboardArgs),
    /// Evaluate the gate rules of a session; exit 4 when one fails.
    Gate(GateArgs),
    /// Import hyperfine JSON exports or criterion estimates as sessions.
    Import(ImportArgs),
    /// Send sessions to a team server (`perfwatch serve`); queued ones first.
    Push(PushArgs),
    /// Manage whole histories: copy one between stores.
    #[command(subcommand)]
    Db(DbCommand),
    /// Serve the history to a team: REST API, Prometheus /metrics, live dashboard.
    Serve(ServeArgs),
    /// Create, list and revoke the API tokens of `perfwatch serve`.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Find the commit that made a benchmark slower (or faster), with statistics.
    Bisect(BisectArgs),
    /// Attribute the difference between two variants to the settings they differ in.
    Attribute(AttributeArgs),
}

/// Where an investigation's report goes besides the terminal.
#[derive(Debug, Clone, Args, Default)]
pub struct InvestigationOutput {
    /// Write the report as JSON.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the report as a Markdown summary.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Write the report as a self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Output style: `auto`, `basic`, `full`, `nocolor`, `color`, `none`.
    #[arg(long, value_enum, default_value_t = Style::Auto)]
    pub style: Style,
}

/// `perfwatch bisect`.
#[derive(Debug, Args)]
#[command(
    before_help = "Examples:\n  perfwatch bisect --good v1.4 --bad HEAD \\\n      --build 'cargo build --release' pipeline\n  perfwatch bisect --good HEAD~30 --bad HEAD \\\n      --metric stage:job/track/fetch pipeline\n  perfwatch bisect --good v1 --bad v2 -- ./bench.sh --quick",
    after_help = "Each commit is checked out in a git worktree of its own (in the temporary\ndirectory), built once with --build, and removed at the end. The endpoints are\ncompared first, in interleaved rounds until an anytime-valid test decides;\nthen each step runs its commit interleaved with both endpoints until a\nsequential test (Wald's SPRT, error 1e-4 each way) says it is like the good or\nthe bad one. A step still unclear after --step-runs rounds is reported as\nambiguous, and a commit that fails to build or run is skipped (as `git bisect\nskip`); neither is guessed. Every session is stored, so the steps appear in\n`perfwatch history`."
)]
pub struct BisectArgs {
    /// A commit where the benchmark is as it should be.
    #[arg(long, value_name = "REV")]
    pub good: String,
    /// A later commit where it changed.
    #[arg(long, value_name = "REV")]
    pub bad: String,
    /// The benchmark of perfwatch.toml to run (its first variant, or --variant).
    #[arg(value_name = "BENCH")]
    pub benchmark: Option<String>,
    /// The variant of BENCH to run.
    #[arg(long, value_name = "V", requires = "benchmark")]
    pub variant: Option<String>,
    /// Shell command that builds a commit, run in its worktree before its first run.
    #[arg(long, value_name = "CMD")]
    pub build: Option<String>,
    /// What to bisect: wall_s, another figure (user_s, max_rss_bytes…), stage:PATH,
    /// or app:NAME (an application metric).
    #[arg(long, value_name = "METRIC", default_value = "wall_s")]
    pub metric: String,
    /// Most rounds of one step (its commit and both endpoints) before it is
    /// called ambiguous [default: 3× the rounds a step is expected to need,
    /// 12 to 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub step_runs: Option<u32>,
    /// Most rounds comparing the endpoints [default: 40].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub endpoint_runs: Option<u32>,
    /// Warm-up runs per commit and session, not measured.
    #[arg(short = 'w', long, value_name = "N")]
    pub warmup: Option<u32>,
    /// Kill a run after this many seconds (it counts as failed for its commit).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Outputs.
    #[command(flatten)]
    pub output: InvestigationOutput,
    /// The command to run instead of BENCH, as argv after `--`, in the
    /// worktree at the same place as the current directory in the repository.
    #[arg(last = true, value_name = "ARGV")]
    pub command: Vec<String>,
}

impl BisectArgs {
    /// The scheduling flags the benchmark's plan is built with.
    pub fn schedule(&self) -> ScheduleArgs {
        ScheduleArgs {
            warmup: self.warmup,
            timeout: self.timeout,
            ..ScheduleArgs::default()
        }
    }
}

/// `perfwatch attribute`.
#[derive(Debug, Args)]
#[command(
    before_help = "Examples:\n  perfwatch attribute pipeline before after\n  perfwatch attribute pipeline before after -r 5 --html attribution.html",
    after_help = "The settings two variants differ in (environment variables, extra arguments,\nthe command) become two-level factors. Up to 4 run as a full 2^k design (main\neffects and two-way interactions); more are screened with a Plackett–Burman\ndesign and the ones that matter are confirmed with a full design. Rows run in\nshuffled rounds until every setting's effect is decided by an anytime-valid\ntest (or -r N runs each). Effects are reported on wall time (as percentages\nwith 95 % intervals) and on every stage."
)]
pub struct AttributeArgs {
    /// The benchmark of perfwatch.toml.
    #[arg(value_name = "BENCH")]
    pub benchmark: String,
    /// The variant taken as the reference.
    #[arg(value_name = "BASE")]
    pub baseline: String,
    /// The variant whose difference is attributed.
    #[arg(value_name = "CANDIDATE")]
    pub candidate: String,
    /// Exactly this many runs of each row instead of running until decided.
    #[arg(short = 'r', long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub runs: Option<u32>,
    /// Most rounds when running until decided [default: 30].
    #[arg(short = 'M', long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..), conflicts_with = "runs")]
    pub max_runs: Option<u32>,
    /// Warm-up runs of each row, not measured.
    #[arg(short = 'w', long, value_name = "N")]
    pub warmup: Option<u32>,
    /// Kill a run after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Seed of the shuffled order of the rows within each round.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Outputs.
    #[command(flatten)]
    pub output: InvestigationOutput,
}

impl AttributeArgs {
    /// The scheduling flags the benchmark's plan is built with.
    pub fn schedule(&self) -> ScheduleArgs {
        ScheduleArgs {
            warmup: self.warmup,
            timeout: self.timeout,
            ..ScheduleArgs::default()
        }
    }
}

/// Gate limits from the command line (override `[gates]`). Each is checked
/// against the library's bound for the rule as the command line is parsed,
/// before anything runs.
#[derive(Debug, Clone, Args, Default)]
pub struct GateFlags {
    /// Most critical regressions allowed.
    #[arg(long, value_name = "N")]
    pub max_regression_critical: Option<u32>,
    /// Most high-severity regressions allowed.
    #[arg(long, value_name = "N")]
    pub max_regression_high: Option<u32>,
    /// Most medium-severity regressions allowed.
    #[arg(long, value_name = "N")]
    pub max_regression_medium: Option<u32>,
    /// Most low-severity regressions allowed.
    #[arg(long, value_name = "N")]
    pub max_regression_low: Option<u32>,
    /// Largest peak RSS of a run, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_peak_rss_bytes: Option<u64>,
    /// Largest peak GPU memory of a run's processes, in bytes (not judged
    /// without a GPU).
    #[arg(long, value_name = "BYTES")]
    pub max_gpu_memory_bytes: Option<u64>,
    /// Lowest health score allowed.
    #[arg(long, value_name = "SCORE", value_parser = min_health_score)]
    pub min_health_score: Option<u8>,
    /// Largest increase of the median wall time, in %.
    #[arg(
        long,
        value_name = "PERCENT",
        allow_negative_numbers = true,
        value_parser = max_duration_increase_percent
    )]
    pub max_duration_increase_percent: Option<f64>,
    /// Largest share of failed or timed-out runs, 0..1.
    #[arg(
        long,
        value_name = "RATE",
        allow_negative_numbers = true,
        value_parser = max_failure_rate
    )]
    pub max_failure_rate: Option<f64>,
    /// A rule on a metric the program reports of itself, judged on each
    /// variant's median: `"cache_hit_rate >= 0.6"` (>=, >, <=, <);
    /// repeatable, added to `[gates] app_metrics`.
    #[arg(long, value_name = "RULE", value_parser = app_rule)]
    pub app_metric: Vec<perfwatch_analysis::app_rule::AppRule>,
}

fn app_rule(text: &str) -> Result<perfwatch_analysis::app_rule::AppRule, String> {
    text.parse()
        .map_err(|e: perfwatch_analysis::app_rule::AppRuleError| e.to_string())
}

/// A number from the command line that `bound` accepts.
fn within<T: FromStr + Copy>(text: &str, bound: Bound, as_f64: fn(T) -> f64) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    let value: T = text.parse().map_err(|e| format!("{e}"))?;
    bound
        .check(as_f64(value))
        .map(|_| value)
        .map_err(|e| e.to_string())
}

fn min_health_score(text: &str) -> Result<u8, String> {
    within(text, MIN_HEALTH_SCORE_BOUND, f64::from)
}

fn max_duration_increase_percent(text: &str) -> Result<f64, String> {
    within(text, MAX_DURATION_INCREASE_BOUND, |v| v)
}

fn max_failure_rate(text: &str) -> Result<f64, String> {
    within(text, MAX_FAILURE_RATE_BOUND, |v| v)
}

/// `perfwatch gate`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Session id, prefix or `latest`.
    #[arg(default_value = "latest")]
    pub session: String,
    /// Gate the newest session of every benchmark of this suite instead.
    #[arg(long, value_name = "SUITE")]
    pub suite: Option<String>,
    /// Compare against this saved baseline.
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Also fail when the newest sessions of the history start a significant regression.
    #[arg(long)]
    pub history: bool,
    /// Limits.
    #[command(flatten)]
    pub limits: GateFlags,
    /// Write a concise GitHub-flavoured Markdown summary (also to
    /// $GITHUB_STEP_SUMMARY when set).
    #[arg(long, value_name = "FILE")]
    pub markdown_summary: Option<PathBuf>,
}

/// `perfwatch import`.
#[derive(Debug, Args)]
#[command(
    after_help = "A hyperfine file becomes one session whose variants are its commands, \
named after the command unless renamed. To compare it with `perfwatch run -- CMD`, whose \
variant is `default`, either rename (`--variant-names default`) or just compare: two sessions \
of one variant each are compared whatever the names.\n\n\
hyperfine exports only the means of user and system CPU time: they are kept as reported \
(shown by `show`, written by `export`) and not compared; wall time and peak memory are per \
run and compared as usual.\n\n\
A file already imported (same SHA-256) is refused, exit 2; --force imports it again.\n\n\
Examples:\n  perfwatch import hf.json --benchmark nap --variant-names default\n  \
perfwatch import hf.json --variant-name 'sleep 0.1=fast' --variant-name 'sleep 0.2=slow'"
)]
pub struct ImportArgs {
    /// hyperfine `--export-json` files, criterion `estimates.json` files or criterion directories.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Benchmark name [default: a hyperfine file's stem, criterion's benchmark id].
    #[arg(long, value_name = "NAME")]
    pub benchmark: Option<String>,
    /// Variant names, one per command in the file's order (comma-separated).
    #[arg(long, value_name = "A,B,…", value_delimiter = ',')]
    pub variant_names: Vec<String>,
    /// Rename the variant of command CMD (the name is after the last `=`).
    /// Repeatable; other commands keep their names.
    #[arg(
        long = "variant-name",
        value_name = "CMD=NAME",
        value_parser = parse_rename,
        conflicts_with = "variant_names"
    )]
    pub variant_renames: Vec<(String, String)>,
    /// Import a file even if it was imported before.
    #[arg(long)]
    pub force: bool,
}

/// `CMD=NAME`, split at the last `=` (commands often hold one: `dd bs=1M`).
fn parse_rename(s: &str) -> Result<(String, String), String> {
    match s.rsplit_once('=') {
        Some((cmd, name)) if !cmd.is_empty() && !name.trim().is_empty() => {
            Ok((cmd.to_string(), name.to_string()))
        }
        _ => Err(format!("expected CMD=NAME, got `{s}`")),
    }
}

/// `perfwatch report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Sessions (ids, prefixes, `latest`) [default: latest].
    pub sessions: Vec<String>,
    /// Compare against this saved baseline.
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write a concise GitHub-flavoured Markdown summary (also to
    /// $GITHUB_STEP_SUMMARY when set).
    #[arg(long, value_name = "FILE")]
    pub markdown_summary: Option<PathBuf>,
    /// Print the report in this format instead of the terminal view
    /// (one session; `-o` writes it to a file).
    #[arg(long, short, value_enum)]
    pub format: Option<ExportFormat>,
    /// Short for `--format markdown`.
    #[arg(long, conflicts_with = "format")]
    pub markdown: bool,
    /// Where `--format` writes [default: standard output].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `perfwatch dashboard`.
#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// Output directory (index.html and sessions/).
    #[arg(short, long, value_name = "DIR", default_value = "perfwatch-dashboard")]
    pub output: PathBuf,
    /// Only this benchmark.
    #[arg(long)]
    pub benchmark: Option<String>,
    /// Sessions to load at most, newest first.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// Detailed pages for this many newest sessions (plus change points and baselines); 0 = all.
    #[arg(long, default_value_t = 25)]
    pub pages: usize,
}

/// Which series of the history.
#[derive(Debug, Clone, Args, Default)]
pub struct SeriesArgs {
    /// Benchmark [default: the only one stored].
    pub benchmark: Option<String>,
    /// Only this variant [default: every variant, one series each].
    #[arg(long)]
    pub variant: Option<String>,
    /// Metric: wall_s, user_s, sys_s, max_rss_bytes, …, stage:PATH, or app:NAME
    /// (an application metric the program reported) [default: wall_s; for a
    /// service benchmark, its p99 latency under load, latency_p99_s].
    #[arg(long)]
    pub metric: Option<String>,
    /// Only sessions on this git branch.
    #[arg(long)]
    pub branch: Option<String>,
    /// Only sessions started on or after this date (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only the newest N sessions.
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
}

/// Output formats of tabular data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// A table for people.
    Table,
    /// JSON.
    Json,
    /// CSV.
    Csv,
}

/// `perfwatch history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The series.
    #[command(flatten)]
    pub series: SeriesArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

/// `perfwatch detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// The series (ignored with --csv).
    #[command(flatten)]
    pub series: SeriesArgs,
    /// Analyse a CSV file of (time, value) rows instead of the history.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// With --csv: the column holding the values [default: the second].
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,
    /// Points per sliding window.
    #[arg(long, default_value_t = DetectOptions::default().window)]
    pub window: usize,
    /// Largest p-value of a change point (Student's t-test).
    #[arg(long = "p-value", default_value_t = DetectOptions::default().max_p_value)]
    pub p_value: f64,
    /// Smallest relative change of a change point.
    #[arg(long, default_value_t = DetectOptions::default().min_magnitude)]
    pub magnitude: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

/// How many iterations and which hooks. The short flags are hyperfine's.
#[derive(Debug, Clone, Args, Default)]
pub struct ScheduleArgs {
    /// Exact number of measured runs per command or variant (overrides
    /// --min-runs/--max-runs).
    #[arg(short = 'r', long = "runs", value_name = "N")]
    pub runs: Option<u32>,
    /// Warm-up runs per command or variant, stored but excluded from statistics.
    #[arg(short = 'w', long, value_name = "N")]
    pub warmup: Option<u32>,
    /// Minimum measured runs per variant; runs continue until a minimum
    /// time of measuring as well (the runner's defaults).
    #[arg(short = 'm', long, value_name = "N", help = format!(
        "Minimum measured runs per variant [default: {}]; runs continue until about {} s of measuring as well",
        RunCount::DEFAULT_MIN_RUNS,
        RunCount::DEFAULT_MIN_TIME.as_secs_f64()
    ))]
    pub min_runs: Option<u32>,
    /// Maximum measured runs per variant.
    #[arg(short = 'M', long, value_name = "N")]
    pub max_runs: Option<u32>,
    /// Shell command run once before all runs.
    #[arg(short = 's', long, value_name = "CMD")]
    pub setup: Option<String>,
    /// Shell command run before each run (e.g. to clear caches): once for
    /// all commands, or once per command, in order.
    #[arg(short = 'p', long, value_name = "CMD")]
    pub prepare: Vec<String>,
    /// Shell command run after each run: once for all commands, or once
    /// per command, in order.
    #[arg(short = 'C', long, value_name = "CMD")]
    pub conclude: Vec<String>,
    /// Shell command run once after all runs, also after a failure or Ctrl-C.
    #[arg(short = 'c', long, value_name = "CMD")]
    pub cleanup: Option<String>,
    /// Kill a run (its whole process tree) after this many seconds; it is
    /// recorded as timed out and excluded from statistics.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub timeout: Option<f64>,
    /// Resource sampling interval in milliseconds; 0 turns sampling off
    /// (default: the runner's).
    #[arg(long, value_name = "MS", help = format!(
        "Resource sampling interval in milliseconds; 0 turns sampling off [default: {}]",
        Plan::DEFAULT_SAMPLE_INTERVAL.as_millis()
    ))]
    pub sample_interval: Option<u64>,
    /// Most spans kept per iteration; later ones are counted as dropped
    /// (default: the runner's).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help = format!(
        "Most spans kept per iteration; later ones are counted as dropped [default: {}]",
        perfwatch_runner::DEFAULT_MAX_SPANS
    ))]
    pub max_spans: Option<u64>,
    /// Keep going when the command fails, as in hyperfine: alone (or
    /// `=all-non-zero`) whatever its exit code or signal; with a list of
    /// exit codes (`--ignore-failure=1,2`), only those. Failed runs count
    /// in the figures (with a warning); when none succeeded the exit code
    /// is 3.
    #[arg(
        short = 'i',
        long,
        value_name = "MODE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "all-non-zero"
    )]
    pub ignore_failure: Option<String>,
    /// Show the command's standard output and error (short for `--output inherit`).
    #[arg(long, conflicts_with = "output")]
    pub show_output: bool,
    /// Where the command's standard output goes: `null` (discarded),
    /// `pipe` (read through a pipe, then discarded), `inherit` (ours), or a
    /// FILE (truncated once, then appended to by every run).
    #[arg(long, value_name = "WHERE")]
    pub output: Option<String>,
    /// Give the command this file as standard input; `null`, the default,
    /// gives it /dev/null.
    #[arg(long, value_name = "FILE|null")]
    pub input: Option<PathBuf>,
    /// Compare two commands or variants in interleaved rounds until the
    /// answer is clear — a difference, or equivalence within ±2 % — with an
    /// anytime-valid test (false alarms ≤ 1 % however early it stops), or
    /// until -M/--max-runs rounds (default 60) or --max-time. METRIC:
    /// wall_s (default), another figure, stage:PATH, or app:NAME.
    #[arg(long, value_name = "METRIC", num_args = 0..=1, default_missing_value = UNTIL_CONFIDENT_METRIC, require_equals = true)]
    pub until_confident: Option<String>,
    /// Time budget of --until-confident, in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub max_time: Option<f64>,
}

/// Where results go besides the store.
#[derive(Debug, Clone, Args, Default)]
pub struct OutputArgs {
    /// Write the session as JSON (schema perfwatch.session.v1).
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the session in hyperfine's `--export-json` schema.
    #[arg(long, value_name = "FILE")]
    pub export_hyperfine: Option<PathBuf>,
    /// Write one CSV row per iteration.
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Write a Markdown summary.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Write the results table as AsciiDoc.
    #[arg(long, value_name = "FILE")]
    pub export_asciidoc: Option<PathBuf>,
    /// Write the results table as an Emacs Org-mode table.
    #[arg(long, value_name = "FILE")]
    pub export_orgmode: Option<PathBuf>,
    /// Output style: `auto` (progress bar and colours on a terminal),
    /// `basic` (progress, no colours), `full` (both, always), `nocolor`,
    /// `color`, `none` (neither).
    #[arg(long, value_enum, default_value_t = Style::Auto)]
    pub style: Style,
    /// Unit of the times shown [default: chosen per figure].
    #[arg(short = 'u', long, value_enum)]
    pub time_unit: Option<TimeUnitArg>,
    /// Order of the commands in the relative summary and the scan table:
    /// `auto` (fastest first in the summary, given order in tables),
    /// `command` (given order), `mean-time` (fastest first everywhere).
    #[arg(long, value_enum, default_value_t = SortOrder::Auto)]
    pub sort: SortOrder,
    /// Compare the new session against this saved baseline at the end.
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Evaluate the gate rules at the end; exit 4 when one fails.
    #[arg(long)]
    pub gate: bool,
    /// Gate limits (imply --gate).
    #[command(flatten)]
    pub limits: GateFlags,
    /// Write a concise GitHub-flavoured Markdown summary (also to
    /// $GITHUB_STEP_SUMMARY when set).
    #[arg(long, value_name = "FILE")]
    pub markdown_summary: Option<PathBuf>,
    /// Write a self-contained HTML report of the session.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Push the session to a team server once it is stored: `--push=URL`,
    /// or `--push` alone for $PERFWATCH_SERVER (token: $PERFWATCH_TOKEN).
    /// An unreachable server leaves it queued for `perfwatch push`.
    #[arg(
        long,
        value_name = "URL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    pub push: Option<String>,
    /// Watch the run as it happens in a terminal view: progress, each
    /// variant's median with its interval, wall time per run, the current
    /// run's stages, CPU, memory, I/O and GPU, warnings and findings. `q`
    /// leaves the view (the run goes on), Ctrl-C stops the run. Needs a
    /// terminal on standard input and output.
    #[arg(long)]
    pub live: bool,
}

/// `--style`, as hyperfine spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Style {
    /// Progress and colours on a terminal.
    #[default]
    Auto,
    /// Progress, no colours.
    Basic,
    /// Progress and colours, even when not on a terminal.
    Full,
    /// No colours.
    Nocolor,
    /// Colours, even when not on a terminal.
    Color,
    /// No progress, no colours.
    None,
}

/// `--time-unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimeUnitArg {
    /// µs.
    Microsecond,
    /// ms.
    Millisecond,
    /// s.
    Second,
}

impl TimeUnitArg {
    /// The renderer's unit.
    pub fn unit(self) -> perfwatch_report::units::TimeUnit {
        use perfwatch_report::units::TimeUnit;
        match self {
            TimeUnitArg::Microsecond => TimeUnit::Microsecond,
            TimeUnitArg::Millisecond => TimeUnit::Millisecond,
            TimeUnitArg::Second => TimeUnit::Second,
        }
    }
}

/// `--sort`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum SortOrder {
    /// Fastest first in the summary, the given order in tables.
    #[default]
    Auto,
    /// The given order.
    Command,
    /// Fastest first.
    MeanTime,
}

/// `perfwatch run`.
#[derive(Debug, Clone, Args)]
#[command(
    before_help = "Examples:\n  # one command, through `sh`\n  perfwatch run 'gzip -c big.txt'\n  # several commands, interleaved, compared\n  perfwatch run -r 20 'zstd -c big' 'gzip -c big'\n  # a benchmark from perfwatch.toml\n  perfwatch run pipeline\n  # a service benchmark, scanned over its load\n  perfwatch run api --param concurrency=1,2,4,8",
    after_help = "As in hyperfine, -n names a command (the run count is -r/--runs) and --shell takes the shell to use: command strings run through `sh` unless -N; an argv after `--` runs without a shell. The shell's start-up time is measured and subtracted from each run.\n\nA service benchmark (`service = [...]` in perfwatch.toml) is started per run on a free port, loaded once ready (`[benchmark.NAME.load]`: rate or concurrency, duration, path), its metrics scraped, then stopped; it is judged on start-up, p50 and p99 latency, throughput and error rate. A `--param` named `rate` or `concurrency` sets the load."
)]
pub struct RunArgs {
    /// Commands to measure (each string runs through the shell, as in
    /// hyperfine; several are compared with the first), or names of
    /// benchmarks from perfwatch.toml.
    #[arg(value_name = "COMMAND|BENCH")]
    pub targets: Vec<String>,
    /// Name of each command (repeatable, in the order of the commands).
    #[arg(short = 'n', long = "command-name", value_name = "NAME")]
    pub command_names: Vec<String>,
    /// The command every other is compared with, as in hyperfine: it runs
    /// as the first command (without it, the first command is the one).
    #[arg(long, value_name = "CMD")]
    pub reference: Option<String>,
    /// Name of the --reference command.
    #[arg(long, value_name = "NAME", requires = "reference")]
    pub reference_name: Option<String>,
    /// Split each command string into arguments and run it without a shell
    /// (no start-up correction needed); same as `--shell none`.
    #[arg(short = 'N')]
    pub no_shell: bool,
    /// The shell that runs command strings: a name, a path or a command
    /// line (`bash --norc`); `default` is `sh`, `none` is `-N`.
    #[arg(short = 'S', long = "shell", value_name = "SHELL")]
    pub shell: Option<String>,
    /// Only these variants of the named benchmarks.
    #[arg(long = "variant", value_name = "V")]
    pub variants: Vec<String>,
    /// Run the benchmarks of perfwatch.toml that belong to this suite.
    #[arg(long, value_name = "SUITE")]
    pub suite: Option<String>,
    /// Parameter scan over numbers: `{VAR}` takes the values MIN, MIN+STEP,
    /// … MAX (step 1, or --parameter-step-size).
    #[arg(short = 'P', long = "parameter-scan", num_args = 3, value_names = ["VAR", "MIN", "MAX"], allow_negative_numbers = true)]
    pub parameter_scan: Vec<String>,
    /// The step of --parameter-scan (decimals allowed: 0.1).
    #[arg(
        short = 'D',
        long = "parameter-step-size",
        value_name = "STEP",
        requires = "parameter_scan"
    )]
    pub parameter_step: Option<String>,
    /// Parameter list: `{VAR}` takes each of the comma-separated values
    /// (repeatable: every combination runs).
    #[arg(short = 'L', long = "parameter-list", num_args = 2, value_names = ["VAR", "VALUES"])]
    pub parameter_list: Vec<String>,
    /// Parameter scan: NAME=v1,v2,… or NAME=lo..hi[:step]; `{NAME}` is
    /// replaced in the command, args and env. Repeatable (cartesian product).
    #[arg(long = "param", value_name = "NAME=VALUES")]
    pub params: Vec<String>,
    /// Name for an ad-hoc benchmark in the history [default: the command line].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Scheduling.
    #[command(flatten)]
    pub schedule: ScheduleArgs,
    /// Outputs.
    #[command(flatten)]
    pub output: OutputArgs,
    /// One command as argv, after `--`, run directly without a shell.
    #[arg(last = true, value_name = "ARGV")]
    pub command: Vec<String>,
}

/// `perfwatch ab`.
#[derive(Debug, Args)]
pub struct AbArgs {
    /// The benchmark from perfwatch.toml (or `--suite`).
    #[arg(required_unless_present = "suite")]
    pub benchmark: Option<String>,
    /// Variants to compare; the first is the reference [default: all the
    /// benchmark's variants, in the order of perfwatch.toml].
    pub variants: Vec<String>,
    /// Compare the variants of every benchmark of this suite, one session each.
    #[arg(long, value_name = "SUITE", conflicts_with = "benchmark")]
    pub suite: Option<String>,
    /// Shuffle the order of variants within each round (seeded) instead of A B A B.
    #[arg(long)]
    pub shuffle: bool,
    /// Seed for --shuffle.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Scheduling.
    #[command(flatten)]
    pub schedule: ScheduleArgs,
    /// Outputs.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Old spelling of `-r`: refused with a hint.
    #[arg(short = 'n', hide = true, value_name = "N")]
    pub old_runs: Option<String>,
}

/// `perfwatch compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Baseline: a session id (prefix, `latest`), a saved baseline name, a
    /// perfwatch JSON export or a hyperfine `--export-json` file.
    pub base: String,
    /// Candidate: a session id, a baseline name, a perfwatch JSON export or
    /// a hyperfine `--export-json` file.
    pub candidate: String,
    /// Write the comparison as JSON.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the comparison as Markdown.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
}

/// `perfwatch baseline …`.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Save a session (default: the latest) under a name.
    Save {
        /// Baseline name.
        name: String,
        /// Session id, prefix or `latest`.
        #[arg(default_value = "latest")]
        session: String,
        /// Replace an existing baseline of that name.
        #[arg(long)]
        force: bool,
        /// What the baseline stands for.
        #[arg(long)]
        description: Option<String>,
    },
    /// List saved baselines.
    List,
    /// Show a baseline's sessions and summary.
    Show {
        /// Baseline name.
        name: String,
    },
    /// Delete a baseline (its sessions stay).
    Delete {
        /// Baseline name.
        name: String,
    },
}

/// `perfwatch sessions`.
#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// Only this benchmark.
    #[arg(long)]
    pub benchmark: Option<String>,
    /// At most this many sessions.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

/// `perfwatch show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Session id, unique prefix, or `latest`.
    #[arg(default_value = "latest")]
    pub session: String,
    /// Compare against this saved baseline [default: the one the session
    /// was run with, if any].
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// perfwatch.session.v1 JSON.
    Json,
    /// One row per iteration.
    Csv,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// hyperfine's `--export-json` schema.
    Hyperfine,
}

/// `perfwatch export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Session id, unique prefix, or `latest`.
    #[arg(default_value = "latest")]
    pub session: String,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Output file [default: standard output].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Compare against this saved baseline [default: the one the session
    /// was run with, if any].
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
}

/// `perfwatch push`.
#[derive(Debug, Args)]
#[command(
    after_help = "A session to push is queued in the history first, then sent to \
POST URL/api/v1/sessions as its perfwatch.session.v1 document. When the server cannot be \
reached, or answers 5xx or 429, it stays queued and the next `perfwatch push` sends it; \
a session the server accepted is not sent to it again (unless --force). A session still \
running stays queued until it ends.\n\n\
Exit status: 0 when every session sent was accepted, 1 when some stay queued \
(unreachable server) or were refused (4xx: the server's message is shown), 2 for bad \
arguments.\n\n\
Examples:\n  \
export PERFWATCH_SERVER=http://perf.example.com:8427 PERFWATCH_TOKEN=…\n  \
perfwatch push                 send every queued session (oldest first)\n  \
perfwatch push latest          queue the newest session, then send it\n  \
perfwatch push --all           queue every session not pushed yet, then send\n  \
perfwatch push --forget --to http://old.example:8427   drop what waits for a retired server\n  \
perfwatch run --push -- ./pipeline   push each session as it is stored"
)]
pub struct PushArgs {
    /// Sessions to push (ids, prefixes, `latest`) [default: every queued
    /// session].
    #[arg(value_name = "SESSION", conflicts_with = "all")]
    pub sessions: Vec<String>,
    /// Queue every session of the history not yet pushed to the server,
    /// then send the queue.
    #[arg(long)]
    pub all: bool,
    /// The server's base URL [default: $PERFWATCH_SERVER; without either,
    /// the queued sessions of every server].
    #[arg(long, env = "PERFWATCH_SERVER", value_name = "URL")]
    pub to: Option<String>,
    /// A token with write access, sent as `Authorization: Bearer`
    /// (prefer $PERFWATCH_TOKEN: a command line is visible to others).
    #[arg(
        long,
        env = "PERFWATCH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// Send sessions that were pushed to the server already again (with
    /// SESSION… or --all).
    #[arg(long)]
    pub force: bool,
    /// Send nothing: drop the queued sessions (SESSION…, or all) for the
    /// server (--to, or every server) from the queue, e.g. for a server
    /// that is gone for good.
    #[arg(long, conflicts_with_all = ["all", "force"])]
    pub forget: bool,
}

/// `perfwatch db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copy every session (iterations, spans) and baseline from one store
    /// to another; sessions already there are skipped.
    Copy(DbCopyArgs),
}

/// `perfwatch db copy`.
#[derive(Debug, Args)]
#[command(
    after_help = "FROM and TO are SQLite files or PostgreSQL URLs (postgres://user@host:port/db); \
TO is created when it is a missing file. Each session is copied whole, in one transaction, \
then read back and counted: a mismatch is an error (exit 1). Copying again copies nothing \
twice: sessions whose id TO holds are skipped, and so are baselines of the same name over \
the same sessions; one over other sessions is reported and kept (--overwrite-baselines \
replaces it). Sessions still running are copied as they are now. API tokens and the push \
queue are not copied; --db plays no part.\n\n\
Examples:\n  \
perfwatch db copy .perfwatch/perfwatch.db postgres://ci@db.example.com/perf\n  \
perfwatch db copy postgres://ci@db.example.com/perf backup.db"
)]
pub struct DbCopyArgs {
    /// The store to copy from (read only).
    #[arg(value_name = "FROM")]
    pub from: String,
    /// The store to copy into.
    #[arg(value_name = "TO")]
    pub to: String,
    /// Replace a baseline of TO that has the same name but other sessions.
    #[arg(long)]
    pub overwrite_baselines: bool,
}

/// `perfwatch init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `perfwatch variants`.
#[derive(Debug, Args)]
pub struct VariantsArgs {
    /// Only this benchmark.
    pub benchmark: Option<String>,
}

/// `perfwatch span`.
#[derive(Debug, Args)]
pub struct SpanArgs {
    /// Stage name.
    pub name: String,
    /// Tier: system, component, method or operation [default: from nesting].
    #[arg(long)]
    pub tier: Option<String>,
    /// Component the stage belongs to.
    #[arg(long)]
    pub component: Option<String>,
    /// The command to run as the stage.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}

/// `perfwatch serve`.
#[derive(Debug, Args)]
#[command(after_help = "What it serves:\n  \
/          the live dashboard (`perfwatch dashboard`'s page), updated in place\n  \
/metrics   Prometheus: latest medians and intervals, regressions, health\n  \
/api/v1/   the REST API; its OpenAPI document at /api/v1/openapi.json\n  \
/v1/traces  OTLP/HTTP from programs running anywhere: each trace is one run of\n             \
the monitored pipeline SERVICE/ROOT, stored per version and day\n  \
/v1/metrics OTLP/HTTP application metrics, stored with the runs they were\n             \
observed during; /v1/status counts what arrived\n  \
/api/v1/alerts  regressions of monitored pipelines, judged as\n             \
[monitor.\"SERVICE/ROOT\"] in perfwatch.toml says (window, budgets,\n             \
app_metrics = [\"cache_hit_rate >= 0.6\"])\n\n\
Every answer is the CLI's: GET /api/v1/sessions/ID is what `perfwatch report ID --format json` \
prints, with the same perfwatch.toml (--config). Several servers may share one PostgreSQL \
database (--db postgres://…); each notices the others' sessions within --poll.\n\n\
Writes (POST, DELETE) always need `Authorization: Bearer TOKEN` with a write token; reads \
need a token only with --read-token-required. Listening beyond loopback is refused until a \
token exists.\n\n\
Examples:\n  perfwatch serve\n  perfwatch token create --write --name ci\n  \
perfwatch serve --db postgres://perf@db/perf --listen 0.0.0.0:8427\n  \
perfwatch run --push=http://perf.example:8427 -- make test   # from CI\n  \
# watch real runs: any OpenTelemetry SDK, pointed at the server\n  \
OTEL_EXPORTER_OTLP_ENDPOINT=http://perf.example:8427 \\\n    \
OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer%20pw_…' python3 job.py\n  \
curl 'http://127.0.0.1:8427/api/v1/sessions?limit=10'\n\n\
Ctrl-C or SIGTERM stops it: requests in flight get 10 s to finish.")]
pub struct ServeArgs {
    /// Address to listen on: IP:PORT or HOST:PORT (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8427", value_parser = listen_addr)]
    pub listen: std::net::SocketAddr,
    /// Reads need a token too (a read or a write token).
    #[arg(long)]
    pub read_token_required: bool,
    /// Largest request body: bytes, or with a unit (KiB, MiB, GiB; kB, MB, GB).
    #[arg(long, value_name = "SIZE", default_value = "32MiB", value_parser = byte_size)]
    pub max_body: usize,
    /// Label sets /metrics publishes at most (per benchmark, variant, metric
    /// and stage); the rest are counted in perfwatch_series_dropped_total.
    #[arg(long, value_name = "N", default_value_t = perfwatch_metrics::DEFAULT_MAX_SERIES)]
    pub max_series: usize,
    /// How often to look for sessions written elsewhere (another server
    /// over the same database, `perfwatch run --db postgres://…`), which
    /// then update /metrics and the live dashboard.
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = poll_interval)]
    pub poll: std::time::Duration,
    /// Memory for answers served again while the sessions they come from
    /// are unchanged (analyses, comparisons, listings, histories): bytes,
    /// or with a unit; 0 turns it off.
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = byte_size_or_zero)]
    pub analysis_cache: usize,
    /// Seconds a monitored run (a trace sent to /v1/traces) waits after its
    /// root span arrives for late child spans before it is stored.
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = poll_interval)]
    pub monitor_settle: std::time::Duration,
    /// POST each regression alert of a monitored pipeline here as JSON,
    /// once when it opens and once when it resolves (a `text` field for
    /// Slack and compatible chats), retried with back-off; repeatable.
    /// A new webhook hears of alerts from its first start on.
    #[arg(long, value_name = "URL")]
    pub webhook: Vec<String>,
}

/// A polling interval in seconds: 0.1 to 3600.
fn poll_interval(text: &str) -> Result<std::time::Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if (0.1..=3600.0).contains(&s) => Ok(std::time::Duration::from_secs_f64(s)),
        _ => Err(format!(
            "`{text}` is not a number of seconds from 0.1 to 3600"
        )),
    }
}

/// An address to listen on: `IP:PORT`, or `HOST:PORT` resolved to its
/// first address (`localhost:8427`).
fn listen_addr(text: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    text.to_socket_addrs()
        .map_err(|e| format!("`{text}` is not IP:PORT or HOST:PORT ({e})"))?
        .next()
        .ok_or_else(|| format!("`{text}` resolves to no address"))
}

/// A size in bytes: a number, optionally with `B`, `KiB`, `MiB` or `GiB`
/// (`K`, `M`, `G` and `KB`, `MB`, `GB` are read as the binary units too).
fn byte_size(text: &str) -> Result<usize, String> {
    // One reading of sizes everywhere (perfwatch.toml's budgets too):
    // KiB/MiB/GiB binary, kB/MB/GB decimal.
    let size = perfwatch_analysis::monitor::parse_byte_size(text)?;
    if size == 0 {
        return Err("the size must be at least 1 byte".into());
    }
    usize::try_from(size).map_err(|_| format!("`{text}` is too large"))
}

/// [`byte_size`], or 0 (something turned off).
fn byte_size_or_zero(text: &str) -> Result<usize, String> {
    if text.trim().parse::<usize>() == Ok(0) {
        return Ok(0);
    }
    byte_size(text)
}

/// `perfwatch token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret (once: only its SHA-256 is stored).
    #[command(
        after_help = "The secret alone goes to standard output, so that a script can keep it:\n  \
TOKEN=$(perfwatch token create --write --name ci)\n\n\
A write token may read and write (push sessions, delete, save baselines); a read token may \
only read, and is needed only when the server runs with --read-token-required.",
        // One of the two, named both when neither is given.
        group(clap::ArgGroup::new("scope").required(true).args(["write", "read"]))
    )]
    Create {
        /// A token that may write (and read).
        #[arg(long)]
        write: bool,
        /// A token that may only read.
        #[arg(long)]
        read: bool,
        /// Its name, unique [default: write-N or read-N].
        #[arg(long)]
        name: Option<String>,
    },
    /// List the tokens: name, scope, created, revoked (never their secrets).
    List,
    /// Revoke a token: the server refuses it from the next request on.
    Revoke {
        /// The token's name.
        name: String,
    },
}

#[cfg(test)]
mod size_tests {
    use super::byte_size;

    #[test]
    fn sizes_read_as_perfwatch_toml_reads_them() {
        let cases = [
            ("1", Ok(1)),
            ("1048576", Ok(1 << 20)),
            ("512KiB", Ok(512 << 10)),
            ("32MiB", Ok(32 << 20)),
            ("2 GiB", Ok(2 << 30)),
            ("1.5MiB", Ok(3 << 19)),
            ("3 MB", Ok(3_000_000)),
        ];
        for (text, expected) in cases {
            assert_eq!(byte_size(text), expected, "{text}");
        }
        for bad in ["", "MiB", "-1", "3m", "12 parsecs", "0"] {
            assert!(byte_size(bad).is_err(), "{bad}");
        }
    }
}
