//! From raw arguments and configuration to typed, validated jobs: the
//! second stage of argument handling. Nothing here runs anything.

use crate::args::{AbArgs, RunArgs, ScheduleArgs};
use crate::config::{BenchmarkConfig, Config, Place, TIMEOUT_BOUND};
use crate::exit::usage;
use crate::params::{self, Param};
use perfwatch_model::{CommandSpec, VariantSpec};
use perfwatch_runner::{Hooks, Order, Plan, RunCount};
use std::time::Duration;

/// One benchmark to run as one session.
#[derive(Debug, Clone)]
pub struct Job {
    /// Benchmark name (the command line for ad-hoc runs).
    pub benchmark: String,
    /// The runner's plan.
    pub plan: Plan,
}

fn default_variant() -> VariantSpec {
    VariantSpec {
        name: "default".into(),
        ..VariantSpec::default()
    }
}

/// Merge the command line's scheduling flags over a benchmark's settings.
fn schedule(
    cli: &ScheduleArgs,
    bench: Option<&BenchmarkConfig>,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let b = bench.cloned().unwrap_or_default();
    let exact = cli
        .runs
        .or(if cli.min_runs.is_some() || cli.max_runs.is_some() {
            None
        } else {
            b.runs
        });
    let defaults = RunCount::default();
    let runs = RunCount {
        exact,
        min_runs: cli.min_runs.or(b.min_runs).unwrap_or(defaults.min_runs),
        max_runs: cli.max_runs.or(b.max_runs),
        ..defaults
    };
    if let Some(hi) = runs.max_runs {
        if hi < runs.min_runs && exact.is_none() {
            // Each count is named where it came from: the flag, or the
            // file's key at its place.
            let from_file = |key: &str, n: u32, place: &Option<Place>| match place {
                Some(at) => format!("{key} = {n} ({at})"),
                None => format!("{key} = {n} (perfwatch.toml)"),
            };
            let max = match cli.max_runs {
                Some(n) => format!("--max-runs {n}"),
                None => from_file("max_runs", hi, &b.places.max_runs),
            };
            let min = match (cli.min_runs, b.min_runs) {
                (Some(n), _) => format!("--min-runs {n}"),
                (None, Some(n)) => from_file("min_runs", n, &b.places.min_runs),
                (None, None) => {
                    format!("the default minimum of {} runs (--min-runs)", runs.min_runs)
                }
            };
            return Err(usage(format!("{max} is below {min}")));
        }
    }
    if exact == Some(0) || runs.max_runs == Some(0) {
        return Err(usage("the number of runs must be at least 1"));
    }
    plan.runs = runs;
    // Unset here and in the file: the runner's defaults, which
    // `Plan::new` put in place.
    if let Some(warmup) = cli.warmup.or(b.warmup) {
        plan.warmup = warmup;
    }
    plan.hooks = Hooks {
        setup: cli.setup.clone().or(b.setup),
        prepare: cli.prepare.clone().or(b.prepare),
        conclude: cli.conclude.clone().or(b.conclude),
        cleanup: cli.cleanup.clone().or(b.cleanup),
    };
    // The file's value was checked as it was read, the flag's is here;
    // the bound keeps it within what a `Duration` and an `Instant` hold.
    plan.timeout = match cli.timeout.or(b.timeout) {
        Some(t) => match TIMEOUT_BOUND.check(t) {
            Ok(t) => Some(Duration::from_secs_f64(t)),
            Err(e) => return Err(usage(format!("--timeout (seconds) {e}"))),
        },
        None => None,
    };
    if let Some(ms) = cli.sample_interval.or(b.sample_interval) {
        plan.sample_interval = (ms > 0).then(|| Duration::from_millis(ms));
    }
    if let Some(n) = cli.max_spans.or(b.max_spans) {
        plan.max_spans = usize::try_from(n).unwrap_or(usize::MAX);
    }
    plan.ignore_failure = cli.ignore_failure || b.ignore_failure.unwrap_or(false);
    plan.show_output = cli.show_output;
    Ok(())
}

fn command_of(b: &BenchmarkConfig) -> CommandSpec {
    match (&b.command, &b.shell) {
        (Some(argv), _) => CommandSpec {
            argv: argv.clone(),
            shell: false,
        },
        (None, Some(s)) => CommandSpec {
            argv: vec![s.clone()],
            shell: true,
        },
        // `config::parse` guarantees one of the two.
        (None, None) => CommandSpec {
            argv: Vec::new(),
            shell: false,
        },
    }
}

/// The variants of a configured benchmark: all, or those named.
fn variants_of(
    name: &str,
    b: &BenchmarkConfig,
    wanted: &[String],
) -> anyhow::Result<Vec<VariantSpec>> {
    let all: Vec<VariantSpec> = b
        .variant
        .iter()
        .map(|(vname, v)| VariantSpec {
            name: vname.clone(),
            description: v.description.clone(),
            env: v.env.clone(),
            args: v.args.clone(),
            command: None,
            parameters: Vec::new(),
            cpu_means: None,
        })
        .collect();
    if wanted.is_empty() {
        return Ok(if all.is_empty() {
            vec![default_variant()]
        } else {
            all
        });
    }
    let mut out = Vec::new();
    for w in wanted {
        match all.iter().find(|v| &v.name == w) {
            Some(v) if !out.iter().any(|o: &VariantSpec| &o.name == w) => out.push(v.clone()),
            Some(_) => return Err(usage(format!("variant `{w}` is named twice"))),
            None if all.is_empty() && w == "default" => out.push(default_variant()),
            None => {
                let known: Vec<&str> = all.iter().map(|v| v.name.as_str()).collect();
                return Err(usage(if known.is_empty() {
                    format!("benchmark `{name}` has no variants; `{w}` does not exist")
                } else {
                    format!(
                        "benchmark `{name}` has no variant `{w}` (known: {})",
                        known.join(", ")
                    )
                }));
            }
        }
    }
    Ok(out)
}

fn benchmark_job(
    config: &Config,
    name: &str,
    wanted: &[String],
    sched: &ScheduleArgs,
    params: &[Param],
) -> anyhow::Result<Job> {
    let b = config.benchmark(name).map_err(usage)?;
    let mut plan = Plan::new(command_of(b));
    plan.variants =
        params::expand(&plan.command, &variants_of(name, b, wanted)?, params).map_err(usage)?;
    plan.extra_env = b.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    plan.cwd = Some(match &b.cwd {
        Some(dir) => config.base_dir().join(dir),
        None => config.base_dir(),
    });
    schedule(sched, Some(b), &mut plan)?;
    Ok(Job {
        benchmark: name.to_string(),
        plan,
    })
}

/// The jobs of `perfwatch run`.
pub fn run_jobs(args: &RunArgs, config: &Config) -> anyhow::Result<Vec<Job>> {
    let params: Vec<Param> = args
        .params
        .iter()
        .map(|p| params::parse_param(p))
        .collect::<Result<_, _>>()
        .map_err(usage)?;
    let adhoc = !args.command.is_empty() || args.shell;
    if adhoc {
        let command = if args.shell {
            let s = if args.command.is_empty() {
                args.targets.join(" ")
            } else if args.targets.is_empty() {
                args.command.join(" ")
            } else {
                return Err(usage(
                    "with --shell, give the command as one string, either before or after `--`",
                ));
            };
            CommandSpec {
                argv: vec![s],
                shell: true,
            }
        } else {
            if !args.targets.is_empty() {
                return Err(usage(format!(
                    "unexpected `{}` before `--`: give either benchmark names or a command after `--`",
                    args.targets.join(" ")
                )));
            }
            CommandSpec {
                argv: args.command.clone(),
                shell: false,
            }
        };
        if command.argv.iter().all(|a| a.trim().is_empty()) {
            return Err(usage("the command is empty"));
        }
        if !args.variants.is_empty() {
            return Err(usage("--variant selects variants of configured benchmarks; an ad-hoc command has none (use --param for a scan)"));
        }
        let mut plan = Plan::new(command.clone());
        plan.variants = params::expand(&command, &[default_variant()], &params).map_err(usage)?;
        schedule(&args.schedule, None, &mut plan)?;
        let benchmark = args.name.clone().unwrap_or_else(|| command.display());
        return Ok(vec![Job { benchmark, plan }]);
    }
    if args.targets.is_empty() {
        let known: Vec<&str> = config.file.benchmark.keys().map(String::as_str).collect();
        return Err(usage(if known.is_empty() {
            "nothing to run: put a command after `--` (e.g. `perfwatch run -- ./my-job`) or configure benchmarks in perfwatch.toml".to_string()
        } else {
            format!(
                "nothing to run: name a benchmark (known: {}) or put a command after `--`",
                known.join(", ")
            )
        }));
    }
    if args.name.is_some() {
        return Err(usage(
            "--name names an ad-hoc command; configured benchmarks have their own names",
        ));
    }
    args.targets
        .iter()
        .map(|t| benchmark_job(config, t, &args.variants, &args.schedule, &params))
        .collect()
}

/// The job of `perfwatch ab`.
pub fn ab_job(args: &AbArgs, config: &Config) -> anyhow::Result<Job> {
    let mut job = benchmark_job(config, &args.benchmark, &args.variants, &args.schedule, &[])?;
    job.plan.order = if args.shuffle {
        Order::Shuffled { seed: args.seed }
    } else {
        Order::Interleaved
    };
    Ok(job)
}
