//! The `perfwatch` command-line tool: clap arguments → typed settings →
//! library calls → exit code. Exit codes are the documented constants of
//! [`perfwatch_model::exit_codes`].

mod args;
mod commands;
mod config;
mod context;
mod errors;
mod exit;
mod live;
mod observer;
mod optional_values;
mod options;
mod output;
mod params;
#[doc(hidden)]
pub mod parsers;
mod render;
mod settings;
mod stdout;
mod store_location;

use args::{Cli, Command};
use clap::Parser;
use context::Context;
use errors::ExpectedError;
use perfwatch_model::exit_codes;

/// Parse the command line, run the command, return the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit_codes::USAGE
            } else {
                exit_codes::OK
            };
        }
    };
    // Commands that measure start their spawner now, while perfwatch is
    // still one small thread: a program spawned from it gets a peak memory
    // of its own, not one inflated by ours (see `perfwatch_runner::spawner`).
    // Without it (never expected), or with `PERFWATCH_DIRECT_SPAWN=1` (an
    // escape hatch, and the baseline when measuring the spawner's cost),
    // commands are spawned directly.
    let direct = std::env::var_os("PERFWATCH_DIRECT_SPAWN").is_some_and(|v| v == "1");
    if matches!(
        cli.command,
        Command::Run(_) | Command::Ab(_) | Command::Bisect(_) | Command::Attribute(_)
    ) {
        let spawner = !direct && perfwatch_runner::spawner::start().is_ok();
        // The spawner is a child subreaper; spawning directly, perfwatch
        // is one itself, so that what a command leaves running —
        // daemonised descendants too — is found and killed.
        if !spawner {
            let _ = perfwatch_runner::become_subreaper();
        }
    }
    // Standard output never decides the exit code (see `stdout`).
    let result = dispatch(&cli);
    stdout::report_failure();
    match result {
        Ok(()) => exit_codes::OK,
        Err(err) => {
            // Messages quote names, paths and file contents: shown
            // without their control or bidirectional characters.
            let shown = perfwatch_report::printable::printable_lines(&errors::chain_text(&err))
                .into_owned();
            let expected = ExpectedError::classify(err);
            if !expected.is_silent() {
                eprintln!("error: {shown}");
            }
            expected.process_exit_code()
        }
    }
}

fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    // `span` runs inside measured programs: it must not need a config.
    if let Command::Span(args) = &cli.command {
        return commands::span::run(args);
    }
    if let Command::Init(args) = &cli.command {
        return commands::init::run(args, cli.config.as_deref());
    }
    let ctx = Context::new(cli)?;
    match &cli.command {
        Command::Run(args) => {
            let targets: Vec<&String> = args.targets.iter().collect();
            optional_values::check(&args.output, &args.schedule, &targets)?;
            let ctx = ctx.with_view(&args.output);
            let jobs = settings::run_jobs(args, &ctx.config)?;
            commands::run::run(&ctx, jobs, &args.output)
        }
        Command::Ab(args) => {
            let targets: Vec<&String> = args.benchmark.iter().chain(&args.variants).collect();
            optional_values::check(&args.output, &args.schedule, &targets)?;
            let ctx = ctx.with_view(&args.output);
            let jobs = settings::ab_jobs(args, &ctx.config)?;
            commands::run::run(&ctx, jobs, &args.output)
        }
        Command::Compare(args) => commands::stored::compare(&ctx, args),
        Command::Baseline(cmd) => commands::stored::baseline(&ctx, cmd),
        Command::Sessions(args) => commands::stored::sessions(&ctx, args),
        Command::Show(args) => commands::stored::show(&ctx, args),
        Command::Export(args) => commands::stored::export(&ctx, args),
        Command::Variants(args) => {
            commands::variants::run(args, &ctx.config, &mut stdout::stdout())
        }
        Command::Report(args) => commands::report::report(&ctx, args),
        Command::Dashboard(args) => commands::report::dashboard(&ctx, args),
        Command::Gate(args) => commands::gate::run(&ctx, args),
        Command::Import(args) => commands::import::run(&ctx, args),
        Command::History(args) => commands::history::history(&ctx, args),
        Command::Push(args) => commands::push::push(&ctx, args),
        Command::Db(cmd) => commands::db::db(&ctx, cmd),
        Command::Detect(args) => commands::history::detect(&ctx, args),
        Command::Serve(args) => commands::serve::run(&ctx, args),
        Command::Token(cmd) => commands::token::run(&ctx, cmd),
        Command::Bisect(args) => {
            let ctx = ctx.with_investigation_style(args.output.style);
            commands::investigate::bisect::run(&ctx, args)
        }
        Command::Attribute(args) => {
            let ctx = ctx.with_investigation_style(args.output.style);
            commands::investigate::attribute::run(&ctx, args)
        }
        Command::Span(_) | Command::Init(_) => unreachable!("handled above"),
    }
}
