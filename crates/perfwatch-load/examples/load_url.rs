//! Loads one URL and prints the run's summary as one JSON line, with what
//! the generator itself cost in CPU — for comparing with other load tools.
//!
//! ```text
//! load_url URL_BASE --path PATH [--open RATE | --closed N] [--connections N]
//!          --duration S [--warmup S]
//! cargo run --release -p perfwatch-load --example load_url -- \
//!     http://127.0.0.1:8080 --path '/api/playlist?seed=1' --closed 8 --duration 10 --warmup 0
//! ```
//!
//! `--open RATE` (the default model, at 100 req/s) sends RATE requests per
//! second on a timetable with at most `--connections` in flight (default
//! 256); `--closed N` runs N workers back to back, one connection each.
//! `--warmup` defaults to 1 s; its requests are not counted.
//!
//! The line is [`LoadSummary`](perfwatch_load::LoadSummary) plus
//! `generator_cpu_s`, the user + system CPU of this whole process
//! (`getrusage(RUSAGE_SELF)` after the run: the service under load runs in
//! another process), and `cpu_per_10k_requests_s`, that CPU per 10,000
//! completed requests. The CPU covers the warmup too, so pass `--warmup 0`
//! to compare it with a tool that has none.

use std::process::ExitCode;
use std::time::Duration;

use perfwatch_load::{run_blocking, LoadSpec, Model, RequestSpec, DEFAULT_OPEN_CONNECTIONS};

/// The run finished and its line was printed.
const SUCCESS: u8 = 0;
/// The load run failed (bad spec, unresolvable target, no runtime …).
const RUN_FAILED: u8 = 1;
/// The command line could not be understood.
const USAGE: u8 = 2;

const HELP: &str = "usage: load_url URL_BASE --path PATH [--open RATE | --closed N] \
[--connections N] --duration S [--warmup S]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{HELP}");
        return ExitCode::from(SUCCESS);
    }
    let spec = match parse(args.into_iter()) {
        Ok(spec) => spec,
        Err(message) => {
            eprintln!("load_url: {message}\n{HELP}");
            return ExitCode::from(USAGE);
        }
    };
    let report = match run_blocking(&spec) {
        Ok(report) => report,
        Err(err) => {
            eprintln!("load_url: failed to {err}");
            return ExitCode::from(RUN_FAILED);
        }
    };
    let cpu = process_cpu().as_secs_f64();
    let summary = match report.summary() {
        Ok(summary) => summary,
        Err(err) => {
            eprintln!("load_url: failed to {err}");
            return ExitCode::from(RUN_FAILED);
        }
    };
    let mut line = serde_json::to_value(summary).expect("a summary is plain data");
    line["generator_cpu_s"] = cpu.into();
    line["cpu_per_10k_requests_s"] = (cpu * 1e4 / report.completed.max(1) as f64).into();
    println!("{line}");
    ExitCode::from(SUCCESS)
}

/// The load spec the arguments ask for.
fn parse(mut args: impl Iterator<Item = String>) -> Result<LoadSpec, String> {
    let mut target = None;
    let mut path = None;
    let mut open = None;
    let mut closed = None;
    let mut connections = None;
    let mut duration = None;
    let mut warmup = None;
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--path" => path = Some(value()?),
            "--open" => open = Some(number::<f64>(&arg, &value()?)?),
            "--closed" => closed = Some(number::<usize>(&arg, &value()?)?),
            "--connections" => connections = Some(number::<usize>(&arg, &value()?)?),
            "--duration" => duration = Some(seconds(&arg, &value()?)?),
            "--warmup" => warmup = Some(seconds(&arg, &value()?)?),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ if target.is_none() => target = Some(arg),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    let model = match (open, closed, connections) {
        (Some(_), Some(_), _) => return Err("--open and --closed exclude each other".into()),
        (None, Some(_), Some(_)) => {
            return Err("--connections is for --open; --closed N uses N".into())
        }
        (None, Some(concurrency), None) => Model::closed(concurrency),
        (rate, None, connections) => Model::Open {
            rate: rate.unwrap_or(100.0),
            connections: connections.unwrap_or(DEFAULT_OPEN_CONNECTIONS),
        },
    };
    let mut spec = LoadSpec::new(target.ok_or("URL_BASE is missing")?, model);
    spec.requests = vec![RequestSpec::get(path.ok_or("--path is missing")?)];
    spec.duration = duration.ok_or("--duration is missing")?;
    if let Some(warmup) = warmup {
        spec.warmup = warmup;
    }
    Ok(spec)
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag}: {text:?} is not a valid number"))
}

fn seconds(flag: &str, text: &str) -> Result<Duration, String> {
    let secs: f64 = number(flag, text)?;
    Duration::try_from_secs_f64(secs).map_err(|_| format!("{flag}: {text:?} is not a duration"))
}

/// User plus system CPU time of this whole process so far.
fn process_cpu() -> Duration {
    // SAFETY: an all-zero rusage is a valid value to be overwritten.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    let time = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}
