//! `perfwatch run` and `perfwatch ab`: measure, store, summarise, compare.

use crate::args::OutputArgs;
use crate::context::Context;
use crate::exit::{usage, with_code, SilentExit};
use crate::live::{LiveHub, Notices, Poster, View, ViewParts};
use crate::observer::SessionObserver;
use crate::settings::Job;
use perfwatch_app::adaptive::AdaptiveRule;
use perfwatch_app::clock::now_rfc3339;
use perfwatch_app::load::load_baseline;
use perfwatch_app::push::ServerUrl;
use perfwatch_app::recorder::{running_session, Recorder};
use perfwatch_app::sources::session_sources;
use perfwatch_app::{analyze, Analysis};
use perfwatch_model::{exit_codes, short_id, LiveState, Session, SessionStatus};
use perfwatch_runner::source::SpanSource;
use perfwatch_runner::{check, install_signal_handlers, LeftRunning, Observer, Output, RunError};
use perfwatch_store::Store;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

/// How a run is watched as it goes: in the terminal (`--live`), on the
/// team server (`--push`), both or neither.
struct Watch {
    /// The terminal view opens for the next session (`--live`, and not
    /// left with `q` in an earlier one).
    view: bool,
    /// The server the snapshots go to, with its token.
    server: Option<(ServerUrl, Option<String>)>,
    /// perfwatch's own messages while the view may hold the terminal.
    notices: Arc<Notices>,
}

/// Run the jobs one after another, each as one session, and show each
/// session's analysis: its variants after the first compared with the
/// first, and the session with `--baseline` when given.
pub fn run(ctx: &Context, jobs: Vec<Job>, out_args: &OutputArgs) -> anyhow::Result<()> {
    // Validate everything before anything is written.
    for job in &jobs {
        check(&job.plan).map_err(|e| with_code(e.exit_code(), e.to_string()))?;
    }
    let push_to = crate::commands::push::push_target(out_args)?;
    if out_args.live {
        check_live(&jobs)?;
    }
    // Open the store while the first session's span sources start.
    let Some(first) = jobs.first().map(|j| j.benchmark.as_str()) else {
        return Ok(());
    };
    let (store, first_sources) = std::thread::scope(|s| {
        let sources = s.spawn(|| session_sources(first));
        let store = ctx.open_store();
        let sources = sources
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (store, sources)
    });
    let store: Arc<dyn Store> = store?;
    if let Some(name) = &out_args.baseline {
        store.get_baseline(name).map_err(|e| usage(e.to_string()))?;
    }
    // Gate limits are checked before anything runs.
    let opts = crate::options::analysis_options(&ctx.config, gate_config(ctx, out_args)?);
    if out_args.live {
        // Before the runner's handlers, so that it runs before the one
        // that ends the process on a second signal.
        crate::live::terminal::install_signal_restore()?;
    }
    let cancel = install_signal_handlers()?;
    let mut watch = Watch {
        view: out_args.live,
        server: push_to
            .clone()
            .map(|s| (s, crate::commands::push::push_token())),
        notices: Arc::new(Notices::default()),
    };
    let mut first_sources = Some(first_sources);
    let mut exit = exit_codes::OK;
    let mut stored = Vec::new();
    for job in jobs {
        let sources = match first_sources.take() {
            Some(sources) => sources?,
            None => session_sources(&job.benchmark)?,
        };
        let (code, id) = run_one(
            ctx, &store, job, sources, out_args, &opts, &cancel, &mut watch,
        )?;
        stored.push(id);
        if code != exit_codes::OK {
            exit = code;
            break;
        }
    }
    if let Some(server) = &push_to {
        // An interrupted run queues what it stored without waiting for the
        // server; a refusal fails a run that otherwise succeeded.
        let send = exit != exit_codes::INTERRUPTED;
        let pushed =
            crate::commands::push::after_run(ctx, &*store, server, &stored, send, out_args.quiet);
        match pushed {
            Err(e) if exit == exit_codes::OK => return Err(e),
            Err(e) => eprintln!("error: {}", crate::errors::chain_text(&e)),
            Ok(()) => {}
        }
    }
    if exit == exit_codes::OK {
        Ok(())
    } else {
        Err(SilentExit(exit).into())
    }
}

/// `--live` needs the terminal on standard output and input, and no
/// output of the measured command on it (it would tear the view).
fn check_live(jobs: &[Job]) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(usage(
            "--live needs a terminal: standard input and output must not be a pipe or a file \
             (run without --live, or watch the run on a team server with --push)",
        ));
    }
    if jobs
        .iter()
        .any(|j| j.plan.show_output || j.plan.output == Output::Inherit)
    {
        return Err(usage(
            "--live cannot show the command's output on the same terminal: \
             drop --show-output/--output inherit, or send it to a file with --output FILE",
        ));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn run_one(
    ctx: &Context,
    store: &Arc<dyn Store>,
    mut job: Job,
    mut sources: Vec<Box<dyn SpanSource>>,
    out_args: &OutputArgs,
    opts: &perfwatch_app::Options,
    cancel: &perfwatch_runner::Cancel,
    watch: &mut Watch,
) -> anyhow::Result<(i32, String)> {
    let cwd = job
        .plan
        .cwd
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    let session = Session {
        baseline: out_args.baseline.clone(),
        adaptive: job
            .adaptive
            .as_ref()
            .map(|a| a.spec(job.plan.runs.exact.unwrap_or(u32::MAX))),
        ..running_session(
            &job.benchmark,
            job.plan.command.clone(),
            job.plan.variants.clone(),
        )
    };
    let mut recorder = Recorder::start(Arc::clone(store), session.clone(), cwd)?;
    let progress = ctx.interactive && !out_args.quiet;
    let mut observer = if watch.view {
        SessionObserver::hidden(recorder.handle(), &job.benchmark, progress)
    } else {
        SessionObserver::new(recorder.handle(), &job.benchmark, progress)
    };
    let hub = (watch.view || watch.server.is_some()).then(|| LiveHub::new(&session, opts));
    job.plan.live = hub.as_ref().map(LiveHub::sink);
    let poster = match (&hub, &watch.server) {
        (Some(hub), Some((server, token))) => Some(Poster::start(
            Arc::clone(hub),
            server,
            token.clone(),
            Arc::clone(&watch.notices),
        )?),
        _ => None,
    };
    let view = match &hub {
        Some(hub) if watch.view => {
            let parts = ViewParts {
                cancel: cancel.clone(),
                notices: Arc::clone(&watch.notices),
                bar: observer.bar(),
            };
            Some(View::open(Arc::clone(hub), parts)?)
        }
        _ => None,
    };
    let mut rule = job.adaptive.clone().map(AdaptiveRule::new);
    let outcome = {
        let mut observers: Vec<Box<dyn Observer + '_>> = vec![Box::new(&mut observer)];
        if let Some(hub) = &hub {
            observers.push(Box::new(hub.observer()));
        }
        match rule.as_mut() {
            Some(rule) => {
                perfwatch_runner::run_until(&job.plan, &mut sources, &mut observers, cancel, rule)
            }
            None => perfwatch_runner::run(&job.plan, &mut sources, &mut observers, cancel),
        }
    };
    let status = outcome.as_ref().map_or(SessionStatus::Failed, |o| o.status);
    if let Some(hub) = &hub {
        hub.end(match status {
            SessionStatus::Complete => LiveState::Finished,
            _ => LiveState::Cancelled,
        });
    }
    // The terminal is restored before anything is printed; a view left
    // with `q` stays closed for the next sessions.
    if let Some(view) = view {
        watch.view = view.close();
    }
    observer.finish();
    let finished_at = now_rfc3339();
    recorder.finish(status, &finished_at);
    // Stop the OTLP receiver while the recorder writes.
    drop(sources);
    let mut outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            // Nothing ran (the plan was refused): the session ends failed.
            let _ = recorder.join();
            return Err(with_code(e.exit_code(), e.to_string()));
        }
    };

    // The baseline is read while the recorder commits the end; the
    // analysis waits for that (it needs the session as stored, with its
    // git and host), not for the checkpoint that follows.
    let reference = match &out_args.baseline {
        Some(name) => Some(load_baseline(&**store, name, opts)?),
        None => None,
    };
    let left_running = left_running_note(&outcome.left_running, outcome.iterations.len());
    let iterations = std::mem::take(&mut outcome.iterations);
    let mut session = session;
    // A failed write stopped the run (or hit its end): show what was
    // measured, then fail.
    let mut checkpointing = None;
    let mut checkpoint_failed = None;
    let store_error = match recorder.stored() {
        Some(stored) => {
            session = stored;
            checkpointing = Some(recorder);
            None
        }
        None => match recorder.join() {
            Ok(recorded) => {
                session = recorded.session;
                checkpoint_failed = recorded.checkpoint_failed;
                None
            }
            Err(e) => {
                // Shown as it ended, though the store could not say so.
                session.status = status;
                session.shell_correction = outcome.shell_correction.clone();
                session.finished_at = Some(finished_at);
                Some(e)
            }
        },
    };
    // Every iteration is written (the recorder lets go of each once it
    // is): none is copied.
    let iterations = iterations.into_iter().map(Arc::unwrap_or_clone).collect();
    let export = analyze(session, iterations, reference.as_ref(), opts);
    let shown = show(ctx, &export, out_args, left_running);
    // Waited for on every path: the process does not end mid-checkpoint.
    if let Some(recorder) = checkpointing {
        // The session was committed before: only the checkpoint can fail.
        checkpoint_failed = recorder.join().ok().and_then(|r| r.checkpoint_failed);
    }
    shown?;
    if let Some(e) = checkpoint_failed {
        // Stored whole: not a failure of the run.
        eprintln!(
            "warning: session {} is stored, but the final checkpoint failed: {}; \
             the write-ahead log keeps its data",
            short_id(&export.session.id),
            perfwatch_report::printable::printable_lines(&e.to_string())
        );
    }
    if let Some(e) = store_error {
        return Err(anyhow::Error::new(e).context(format!(
            "the session {} is incomplete in the store",
            short_id(&export.session.id)
        )));
    }
    if let Some(poster) = poster {
        poster.finish();
    }
    let mut code = report_stop(&export, outcome.stopped_by.as_ref(), outcome.exit_code());
    if code == exit_codes::OK {
        code = nothing_measured(&export);
    }
    if code == exit_codes::OK {
        if let Some(gate) = export.gate.as_ref().filter(|g| !g.passed) {
            if out_args.quiet {
                // `-q` hides the summary, never why the exit code is not 0.
                let mut err = std::io::stderr().lock();
                crate::render::print_failed_rules(ctx, gate, &mut err)?;
            }
            code = exit_codes::GATE_FAILED;
        }
    }
    Ok((code, export.session.id))
}

/// Print the session's summary (unless quiet) and write the asked-for
/// outputs.
fn show(
    ctx: &Context,
    export: &Analysis,
    out_args: &OutputArgs,
    left_running: Option<String>,
) -> anyhow::Result<()> {
    if !out_args.quiet {
        let mut stdout = std::io::BufWriter::new(crate::stdout::stdout());
        crate::render::terminal(ctx, export, &mut stdout)?;
        stdout.flush()?;
        if let Some(note) = left_running {
            eprintln!("note: {note}");
        }
    }
    crate::render::write_outputs(export, out_args)
}

/// What the commands left running and perfwatch killed, when anything:
/// `killed 3 processes the command left running, after 2 of 10 runs`
/// (`runs`: the iterations run, warm-ups included).
fn left_running_note(left: &[LeftRunning], runs: usize) -> Option<String> {
    if left.is_empty() {
        return None;
    }
    let processes: u64 = left.iter().map(|l| u64::from(l.processes)).sum();
    let noun = if processes == 1 {
        "process"
    } else {
        "processes"
    };
    let when = match (left.len(), runs) {
        (_, 1) => "after the run".to_string(),
        (n, r) if n == r => format!("after all {r} runs"),
        (n, r) => format!("after {n} of {r} runs"),
    };
    Some(format!(
        "killed {processes} {noun} the command left running, {when}"
    ))
}

/// A run that ended normally but measured nothing — every run timed out,
/// or failed under `--ignore-failure` — has no answer: exit 3, and say why.
fn nothing_measured(export: &Analysis) -> i32 {
    let runs: Vec<_> = export
        .variants
        .iter()
        .flat_map(|v| &v.iterations)
        .filter(|i| !i.warmup)
        .collect();
    if runs.is_empty() || runs.iter().any(|i| i.counts() && i.succeeded()) {
        return exit_codes::OK;
    }
    let timed_out = runs.iter().filter(|i| i.timed_out).count();
    let failed = runs.len() - timed_out;
    let why = match (timed_out, failed) {
        (t, 0) => format!("all {t} runs timed out (--timeout)"),
        (0, f) => format!("all {f} runs failed, so there is no successful run to measure"),
        (t, f) => format!("{t} runs timed out and {f} failed"),
    };
    eprintln!(
        "error: nothing was measured in session {}: {why}",
        short_id(&export.session.id)
    );
    exit_codes::COMMAND_FAILED
}

/// Say why a session stopped early; return the exit code.
fn report_stop(export: &Analysis, stopped_by: Option<&RunError>, code: i32) -> i32 {
    if let Some(err) = stopped_by {
        let kept: usize = export.variants.iter().map(|v| v.iterations.len()).sum();
        eprintln!(
            "error: {}",
            perfwatch_report::printable::printable_lines(&err.to_string())
        );
        eprintln!(
            "note: {kept} finished iteration(s) are kept in session {}",
            short_id(&export.session.id)
        );
    }
    code
}

/// The gate to evaluate, when `--gate` or a limit was given.
fn gate_config(
    ctx: &Context,
    out_args: &OutputArgs,
) -> anyhow::Result<Option<perfwatch_analysis::GateConfig>> {
    let gate_on = out_args.gate || crate::commands::gate::any_limit(&out_args.limits);
    if !gate_on {
        return Ok(None);
    }
    crate::commands::gate::gate_config(ctx, &out_args.limits).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_left_running_note_counts_processes_and_runs() {
        let left = |counts: &[u32]| -> Vec<LeftRunning> {
            counts
                .iter()
                .enumerate()
                .map(|(i, &processes)| LeftRunning {
                    index: i as u32,
                    processes,
                })
                .collect()
        };
        assert_eq!(left_running_note(&[], 10), None);
        let cases = [
            (
                left(&[2, 1]),
                10,
                "killed 3 processes the command left running, after 2 of 10 runs",
            ),
            (
                left(&[2, 2, 2]),
                3,
                "killed 6 processes the command left running, after all 3 runs",
            ),
            (
                left(&[1]),
                1,
                "killed 1 process the command left running, after the run",
            ),
        ];
        for (left, runs, expected) in cases {
            assert_eq!(left_running_note(&left, runs).as_deref(), Some(expected));
        }
    }
}
