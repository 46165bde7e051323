//! From raw arguments and configuration to typed, validated jobs: the
//! second stage of argument handling. Nothing here runs anything.

use crate::args::{AbArgs, RunArgs, ScheduleArgs};
use crate::config::{BenchmarkConfig, Config, Place, TIMEOUT_BOUND};
use crate::exit::usage;
use crate::params::{self, Param};
use perfwatch_model::{CommandSpec, VariantSpec};
use perfwatch_runner::{Hooks, Order, Output, Plan, RunCount};
use std::time::Duration;

mod adhoc;
mod gpu;
mod reference;

use adhoc::{adhoc_job, check_argv, command_from_string, shell_of};

/// One benchmark to run as one session.
#[derive(Debug, Clone)]
pub struct Job {
    /// Benchmark name (the command line for ad-hoc runs).
    pub benchmark: String,
    /// The runner's plan.
    pub plan: Plan,
    /// With `--until-confident`: the adaptive comparison of the plan's
    /// two variants that decides when to stop.
    pub adaptive: Option<perfwatch_app::adaptive::AdaptiveOptions>,
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
        // `--until-confident` makes `--max-runs` its budget alone.
        if hi < runs.min_runs && exact.is_none() && cli.until_confident.is_none() {
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
    // Several `--prepare`/`--conclude` (one per command) are spread over
    // the variants by the caller; one is the common hook.
    let one = |hooks: &[String]| match hooks {
        [only] => Some(only.clone()),
        _ => None,
    };
    plan.hooks = Hooks {
        setup: cli.setup.clone().or(b.setup),
        prepare: one(&cli.prepare).or(b.prepare),
        conclude: one(&cli.conclude).or(b.conclude),
        cleanup: cli.cleanup.clone().or(b.cleanup),
        variant_prepare: Vec::new(),
        variant_conclude: Vec::new(),
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
    // GPU readings ride on the timeline's samples.
    if plan.sample_interval.is_some() {
        plan.gpu = gpu::probe()?;
    }
    if let Some(n) = cli.max_spans.or(b.max_spans) {
        plan.max_spans = usize::try_from(n).unwrap_or(usize::MAX);
    }
    match cli.ignore_failure.as_deref() {
        None => plan.ignore_failure = b.ignore_failure.unwrap_or(false),
        Some("all-non-zero") => plan.ignore_failure = true,
        Some(codes) => plan.ignore_exit_codes = exit_codes(codes)?,
    }
    plan.show_output = cli.show_output;
    plan.output = match cli.output.as_deref() {
        None | Some("null") => Output::Null,
        Some("pipe") => Output::Pipe,
        Some("inherit") => {
            plan.show_output = true;
            Output::Inherit
        }
        Some("") => return Err(usage("--output: expected null, pipe, inherit or a file")),
        Some(file) => Output::File(file.into()),
    };
    // `null`, as in hyperfine: the default, /dev/null.
    if let Some(input) = cli.input.as_ref().filter(|i| i.as_os_str() != "null") {
        if !input.is_file() {
            return Err(usage(format!(
                "--input {}: not a readable file",
                input.display()
            )));
        }
        plan.input = Some(input.clone());
    }
    Ok(())
}

/// The exit codes of `--ignore-failure=1,2`.
fn exit_codes(list: &str) -> anyhow::Result<Vec<i32>> {
    list.split(',')
        .map(|code| match code.trim().parse::<i32>() {
            Ok(c) if (1..=255).contains(&c) => Ok(c),
            _ => Err(usage(format!(
                "--ignore-failure: expected all-non-zero or exit codes 1–255 separated by \
                 commas (--ignore-failure=1,2), not `{list}`"
            ))),
        })
        .collect()
}

fn command_of(b: &BenchmarkConfig) -> CommandSpec {
    use crate::config::service::ServiceCommand;
    match &b.service {
        Some(ServiceCommand::Argv(argv)) => {
            return CommandSpec {
                argv: argv.clone(),
                shell: false,
            }
        }
        Some(ServiceCommand::Shell(s)) => {
            return CommandSpec {
                argv: vec![s.clone()],
                shell: true,
            }
        }
        None => {}
    }
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
    if b.service.is_some() {
        let base = config.base_dir();
        plan.service = Some(
            crate::config::service::service_plan(
                b.ready.as_deref(),
                b.ready_timeout,
                b.stop_timeout,
                b.metrics.as_deref(),
                b.load.as_ref(),
                &base,
            )
            .map_err(|e| usage(format!("benchmark `{name}`: {e}")))?,
        );
        // The service runs as long as the load does: no shell start-up
        // to subtract, no per-run timeout (the readiness and stop
        // timeouts bound it).
        plan.shell_correction = false;
        plan.timeout = None;
    }
    Ok(Job {
        benchmark: name.to_string(),
        plan,
        adaptive: None,
    })
}

/// The parameters of a scan, from `--param`, `-P`/`-D` and `-L`, in the
/// order given by kind.
fn scan_params(args: &RunArgs) -> anyhow::Result<Vec<Param>> {
    let mut params: Vec<Param> = args
        .params
        .iter()
        .map(|p| params::parse_param(p))
        .collect::<Result<_, _>>()
        .map_err(usage)?;
    for scan in args.parameter_scan.chunks(3) {
        if let [var, min, max] = scan {
            params.push(
                params::parameter_scan(var, min, max, args.parameter_step.as_deref())
                    .map_err(usage)?,
            );
        }
    }
    for list in args.parameter_list.chunks(2) {
        if let [var, values] = list {
            params.push(params::parameter_list(var, values).map_err(usage)?);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(p) = params.iter().find(|p| !seen.insert(p.name.as_str())) {
        return Err(usage(format!(
            "the parameter `{}` is scanned twice",
            p.name
        )));
    }
    Ok(params)
}

/// The benchmarks of `--suite`, in the order of perfwatch.toml.
pub fn suite_benchmarks<'a>(config: &'a Config, suite: &str) -> anyhow::Result<Vec<&'a str>> {
    let names: Vec<&str> = config
        .file
        .benchmark
        .iter()
        .filter(|(_, b)| b.suites.iter().any(|s| s == suite))
        .map(|(name, _)| name.as_str())
        .collect();
    if names.is_empty() {
        let mut known: Vec<&str> = config
            .file
            .benchmark
            .values()
            .flat_map(|b| b.suites.iter().map(String::as_str))
            .collect();
        known.sort_unstable();
        known.dedup();
        return Err(usage(if known.is_empty() {
            format!("no benchmark belongs to the suite `{suite}`: perfwatch.toml defines no suites (`suites = [\"{suite}\"]` in a benchmark)")
        } else {
            format!(
                "no benchmark belongs to the suite `{suite}` (known suites: {})",
                known.join(", ")
            )
        }));
    }
    Ok(names)
}

/// The jobs of `perfwatch run`.
pub fn run_jobs(args: &RunArgs, config: &Config) -> anyhow::Result<Vec<Job>> {
    let with_reference = reference::put_first(args, config)?;
    let args = with_reference.as_ref().unwrap_or(args);
    run_jobs_of(args, config)?
        .into_iter()
        .map(|job| adaptive(&args.schedule, job))
        .collect()
}

fn run_jobs_of(args: &RunArgs, config: &Config) -> anyhow::Result<Vec<Job>> {
    let params = scan_params(args)?;
    let shell = shell_of(args)?;
    let with_shell = |mut job: Job| {
        match &shell {
            Some(argv) => job.plan.shell = argv.clone(),
            None => job.plan.shell_correction = false,
        }
        job
    };
    if !args.command.is_empty() {
        if !args.targets.is_empty() {
            return Err(usage(format!(
                "unexpected `{}` before `--`: give commands as strings (`perfwatch run 'cmd 1' 'cmd 2'`) or one command after `--`, not both",
                args.targets.join(" ")
            )));
        }
        if args.suite.is_some() {
            return Err(usage(
                "--suite runs configured benchmarks; it takes no command",
            ));
        }
        check_argv(&args.command)?;
        let command = CommandSpec {
            argv: args.command.clone(),
            shell: false,
        };
        return adhoc_job(args, vec![command], &params).map(|job| vec![with_shell(job)]);
    }
    if let Some(suite) = &args.suite {
        if !args.targets.is_empty() {
            return Err(usage(format!(
                "--suite runs the benchmarks of a suite; `{}` cannot be added to it",
                args.targets.join(" ")
            )));
        }
        return suite_benchmarks(config, suite)?
            .into_iter()
            .map(|name| {
                benchmark_job(config, name, &args.variants, &args.schedule, &params).map(with_shell)
            })
            .collect();
    }
    if args.targets.is_empty() {
        let known: Vec<&str> = config.file.benchmark.keys().map(String::as_str).collect();
        return Err(usage(if args.shell.is_some() {
            "nothing to run: --shell now names the shell (as in hyperfine); commands given as strings run through `sh` by default: perfwatch run 'sleep 0.1'".to_string()
        } else if known.is_empty() {
            "nothing to run: give a command (`perfwatch run 'gzip -c file'`, or an argv after `--`) or configure benchmarks in perfwatch.toml".to_string()
        } else {
            format!(
                "nothing to run: name a benchmark (known: {}) or give a command (`perfwatch run 'gzip -c file'`)",
                known.join(", ")
            )
        }));
    }
    let (benchmarks, commands): (Vec<&String>, Vec<&String>) = args
        .targets
        .iter()
        .partition(|t| config.file.benchmark.contains_key(t.as_str()));
    if !benchmarks.is_empty() && !commands.is_empty() {
        return Err(usage(format!(
            "`{}` is a benchmark of perfwatch.toml but `{}` is not: run benchmarks and commands separately",
            benchmarks[0], commands[0]
        )));
    }
    if commands.is_empty() {
        if args.name.is_some() || !args.command_names.is_empty() {
            return Err(usage(
                "--name and -n name ad-hoc commands; configured benchmarks have their own names",
            ));
        }
        if args.schedule.prepare.len() > 1 || args.schedule.conclude.len() > 1 {
            return Err(usage(
                "--prepare and --conclude are given once for a configured benchmark",
            ));
        }
        return benchmarks
            .iter()
            .map(|t| {
                benchmark_job(config, t, &args.variants, &args.schedule, &params).map(with_shell)
            })
            .collect();
    }
    // A lone word that is neither a benchmark nor a program is most likely
    // a misspelt benchmark name.
    if let ([word], false) = (commands.as_slice(), config.file.benchmark.is_empty()) {
        if !word.contains(char::is_whitespace) && !perfwatch_runner::is_program(word) {
            return Err(usage(config.benchmark(word).err().unwrap_or_default()));
        }
    }
    let specs = commands
        .iter()
        .map(|c| command_from_string(c, shell.as_deref()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    adhoc_job(args, specs, &params).map(|job| vec![with_shell(job)])
}

/// The jobs of `perfwatch ab`: one benchmark's variants, or those of every
/// benchmark of `--suite`.
pub fn ab_jobs(args: &AbArgs, config: &Config) -> anyhow::Result<Vec<Job>> {
    if let Some(n) = &args.old_runs {
        return Err(usage(format!(
            "-n is no longer the run count: use -r {n} (--runs {n})"
        )));
    }
    if args.schedule.prepare.len() > 1 || args.schedule.conclude.len() > 1 {
        return Err(usage(
            "--prepare and --conclude are given once for a configured benchmark",
        ));
    }
    let names: Vec<&str> = match (&args.suite, &args.benchmark) {
        (Some(suite), _) => {
            if !args.variants.is_empty() {
                return Err(usage(
                    "--suite compares every variant of each benchmark; it takes no variant names",
                ));
            }
            suite_benchmarks(config, suite)?
        }
        (None, Some(name)) => vec![name.as_str()],
        (None, None) => return Err(usage("name a benchmark or a --suite")),
    };
    let mut jobs = Vec::with_capacity(names.len());
    for name in names {
        let mut job = benchmark_job(config, name, &args.variants, &args.schedule, &[])?;
        if job.plan.variants.len() < 2 {
            return Err(usage(format!(
                "`perfwatch ab` compares variants, and benchmark `{name}` has {} to run (add [benchmark.{name}.variant.NAME] tables, or name two)",
                job.plan.variants.len()
            )));
        }
        job.plan.order = if args.shuffle {
            Order::Shuffled { seed: args.seed }
        } else {
            Order::Interleaved
        };
        jobs.push(adaptive(&args.schedule, job)?);
    }
    Ok(jobs)
}

/// One benchmark's job (all its variants, or `variant`) or, without a
/// benchmark, the job of `argv` run directly in the current directory:
/// the plan `bisect` and `attribute` start from.
pub fn single_job(
    config: &Config,
    benchmark: Option<&str>,
    variant: Option<&str>,
    argv: &[String],
    sched: &ScheduleArgs,
) -> anyhow::Result<Job> {
    match (benchmark, argv.is_empty()) {
        (Some(_), false) => Err(usage(
            "give a benchmark of perfwatch.toml or a command after `--`, not both",
        )),
        (None, true) => Err(usage(
            "nothing to run: name a benchmark of perfwatch.toml or give a command after `--`",
        )),
        (Some(name), true) => {
            let wanted: Vec<String> = variant.into_iter().map(str::to_string).collect();
            benchmark_job(config, name, &wanted, sched, &[])
        }
        (None, false) => {
            check_argv(argv)?;
            let mut plan = Plan::new(CommandSpec {
                argv: argv.to_vec(),
                shell: false,
            });
            plan.shell_correction = false;
            plan.cwd = Some(std::env::current_dir()?);
            schedule(sched, None, &mut plan)?;
            Ok(Job {
                benchmark: argv.join(" "),
                plan,
                adaptive: None,
            })
        }
    }
}

/// The most rounds of `--until-confident` without `--max-runs`.
pub const ADAPTIVE_MAX_ROUNDS: u32 = 60;

/// With `--until-confident[=METRIC]`: the job's adaptive comparison, and a
/// run count of `--max-runs` (default [`ADAPTIVE_MAX_ROUNDS`]) rounds at
/// most.
fn adaptive(cli: &ScheduleArgs, mut job: Job) -> anyhow::Result<Job> {
    let Some(metric) = &cli.until_confident else {
        if cli.max_time.is_some() {
            return Err(usage("--max-time is the time budget of --until-confident"));
        }
        return Ok(job);
    };
    if job.plan.variants.len() != 2 {
        return Err(usage(format!(
            "--until-confident compares two commands or variants; `{}` runs {}",
            job.benchmark,
            job.plan.variants.len()
        )));
    }
    if cli.runs.is_some() || cli.min_runs.is_some() {
        return Err(usage(
            "--until-confident decides how many runs to make; give its budget with -M/--max-runs (and --max-time), not -r or -m",
        ));
    }
    let metric = perfwatch_app::history::SeriesMetric::parse(metric)
        .map_err(|e| usage(format!("--until-confident: {e}")))?;
    // The same bound as --timeout: above 0, at most a year.
    let max_time = match cli.max_time.map(|t| TIMEOUT_BOUND.check(t)) {
        Some(Ok(t)) => Some(Duration::from_secs_f64(t)),
        Some(Err(e)) => return Err(usage(format!("--max-time (seconds) {e}"))),
        None => None,
    };
    if job.plan.order == Order::Sequential {
        job.plan.order = Order::Interleaved;
    }
    job.plan.runs = RunCount::exact(cli.max_runs.unwrap_or(ADAPTIVE_MAX_ROUNDS));
    job.adaptive = Some(perfwatch_app::adaptive::AdaptiveOptions {
        metric,
        max_time,
        ..perfwatch_app::adaptive::AdaptiveOptions::default()
    });
    Ok(job)
}
