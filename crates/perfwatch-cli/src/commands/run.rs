//! `perfwatch run` and `perfwatch ab`: measure, store, summarise, compare.

use crate::analysis::{compare_against_first, compare_options, compare_sessions, summarize};
use crate::args::OutputArgs;
use crate::context::{now_rfc3339, Context};
use crate::exit::{usage, with_code, SilentExit};
use crate::observer::SessionObserver;
use crate::recorder::Recorder;
use crate::settings::Job;
use crate::sources::session_sources;
use crate::stored::load_baseline;
use perfwatch_model::{exit_codes, HostInfo, Session, SessionExport, SessionStatus};
use perfwatch_report::terminal::render_session;
use perfwatch_runner::source::SpanSource;
use perfwatch_runner::{check, install_signal_handlers, RunError};
use perfwatch_store::{new_session_id, Store};
use std::io::Write;
use std::sync::Arc;

/// How the jobs' sessions are compared at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `run`: variants are listed; comparisons only against `--baseline`.
    Run,
    /// `ab`: every variant is compared with the first.
    Ab,
}

/// Run the jobs one after another, each as one session.
pub fn run(ctx: &Context, jobs: Vec<Job>, out_args: &OutputArgs, mode: Mode) -> anyhow::Result<()> {
    // Validate everything before anything is written.
    for job in &jobs {
        check(&job.plan).map_err(|e| with_code(e.exit_code(), e.to_string()))?;
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
    let store: Arc<dyn Store> = Arc::new(store?);
    if let Some(name) = &out_args.baseline {
        store.get_baseline(name).map_err(|e| usage(e.to_string()))?;
    }
    let cancel = install_signal_handlers()?;
    let mut first_sources = Some(first_sources);
    let mut exit = exit_codes::OK;
    for job in jobs {
        let sources = match first_sources.take() {
            Some(sources) => sources?,
            None => session_sources(&job.benchmark)?,
        };
        let code = run_one(ctx, &store, job, sources, out_args, mode, &cancel)?;
        if code != exit_codes::OK {
            exit = code;
            break;
        }
    }
    if exit == exit_codes::OK {
        Ok(())
    } else {
        Err(SilentExit(exit).into())
    }
}

fn run_one(
    ctx: &Context,
    store: &Arc<dyn Store>,
    job: Job,
    mut sources: Vec<Box<dyn SpanSource>>,
    out_args: &OutputArgs,
    mode: Mode,
    cancel: &perfwatch_runner::Cancel,
) -> anyhow::Result<i32> {
    let cwd = job
        .plan
        .cwd
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    // The recorder fills in `git` and `host` off the measuring path.
    let session = Session {
        id: new_session_id(),
        started_at: now_rfc3339(),
        finished_at: None,
        benchmark: job.benchmark.clone(),
        command: job.plan.command.clone(),
        variants: job.plan.variants.clone(),
        git: None,
        host: HostInfo::default(),
        perfwatch_version: env!("CARGO_PKG_VERSION").to_string(),
        status: SessionStatus::Running,
        baseline: None,
    };
    let recorder = Recorder::start(Arc::clone(store), session.clone(), cwd)?;
    let mut observer = SessionObserver::new(
        recorder.handle(),
        &job.benchmark,
        ctx.interactive && !out_args.quiet,
    );
    let outcome = perfwatch_runner::run(&job.plan, &mut sources, &mut observer, cancel);
    observer.finish();
    let status = outcome.as_ref().map_or(SessionStatus::Failed, |o| o.status);
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

    // Summarise while the recorder commits the end and checkpoints.
    let t = &ctx.config.file.thresholds;
    let mut export = summarize(session, std::mem::take(&mut outcome.iterations), t);
    // A failed write stopped the run (or hit its end): show what was
    // measured, then fail.
    let store_error = match recorder.join() {
        Ok(stored) => {
            export.session = stored;
            None
        }
        Err(e) => {
            // Shown as it ended, though the store could not say so.
            export.session.status = status;
            export.session.finished_at = Some(finished_at);
            Some(e)
        }
    };
    let opts = compare_options(t);
    if mode == Mode::Ab {
        export.comparisons = compare_against_first(&export, &opts);
    }
    if let Some(name) = &out_args.baseline {
        let base = load_baseline(&**store, name, t)?;
        match compare_sessions(
            &base,
            &format!("baseline {name}"),
            &export,
            "this run",
            &opts,
        ) {
            Ok(c) => export.comparisons.extend(c),
            Err(e) => eprintln!("warning: cannot compare with baseline {name}: {e}"),
        }
    }
    crate::analysis::diagnose(&mut export, &ctx.config);
    let gate_on = out_args.gate || crate::commands::gate::any_limit(&out_args.limits);
    let gate = if gate_on {
        let cfg = crate::commands::gate::gate_config(ctx, &out_args.limits)?;
        Some(crate::commands::gate::evaluate_export(&cfg, &export))
    } else {
        None
    };
    if !out_args.quiet {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        render_session(&export, &ctx.terminal(), &mut stdout)?;
        crate::analysis::print_health(&export, ctx.color, &mut stdout)?;
        if let Some(g) = &gate {
            crate::commands::gate::print_report(g, ctx.color, &mut stdout)?;
        }
        stdout.flush()?;
    }
    write_exports(&export, out_args)?;
    if let Some(path) = &out_args.markdown_summary {
        crate::analysis::write_markdown_summary(
            std::slice::from_ref(&export),
            gate.as_ref(),
            path,
        )?;
    }
    if let Some(path) = &out_args.html {
        let opts = perfwatch_html::HtmlOptions {
            title: None,
            health_score: Some(crate::analysis::health(&export).score),
        };
        crate::output::write_file(path, |w| {
            perfwatch_html::render_report(std::slice::from_ref(&export), &opts, w)
        })?;
    }
    if let Some(e) = store_error {
        return Err(e.context(format!(
            "the session {} is incomplete in the store",
            short_id(&export.session.id)
        )));
    }
    let code = report_stop(&export, outcome.stopped_by.as_ref(), outcome.exit_code());
    if code == exit_codes::OK && gate.as_ref().is_some_and(|g| !g.passed) {
        return Ok(exit_codes::GATE_FAILED);
    }
    Ok(code)
}

/// Say why a session stopped early; return the exit code.
fn report_stop(export: &SessionExport, stopped_by: Option<&RunError>, code: i32) -> i32 {
    if let Some(err) = stopped_by {
        let kept: usize = export.variants.iter().map(|v| v.iterations.len()).sum();
        eprintln!("error: {err}");
        eprintln!(
            "note: {kept} finished iteration(s) are kept in session {}",
            short_id(&export.session.id)
        );
    }
    code
}

fn short_id(id: &str) -> &str {
    &id[..8.min(id.len())]
}

/// Write `--export-json`, `--export-csv`, `--export-markdown`.
pub fn write_exports(export: &SessionExport, args: &OutputArgs) -> anyhow::Result<()> {
    use perfwatch_report::{CsvRenderer, JsonRenderer, MarkdownRenderer, Render};
    let targets: [(&Option<std::path::PathBuf>, &dyn Render); 3] = [
        (&args.export_json, &JsonRenderer),
        (&args.export_csv, &CsvRenderer),
        (&args.export_markdown, &MarkdownRenderer),
    ];
    for (path, renderer) in targets {
        if let Some(path) = path {
            crate::output::write_file(path, |w| renderer.render(export, w))?;
        }
    }
    Ok(())
}
