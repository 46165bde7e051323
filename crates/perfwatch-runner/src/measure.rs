//! One measured iteration, and the hooks around iterations.

use crate::assemble::{assemble, Assembled};
use crate::cancel::Cancel;
use crate::command::{command_line, environment, CommandLine};
use crate::error::RunError;
use crate::plan::Plan;
use crate::process::{
    monotonic_ns, reset_own_peak_rss, supervise, Child, Listeners, SpawnSpec, Stop, Supervised,
    Supervision,
};
use crate::resolve::Resolved;
use crate::source::{Collected, SpanLimit, SpanSource, OVER_SPAN_LIMIT};
use perfwatch_model::Iteration;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What a run needs at hand for every iteration and hook.
pub(crate) struct Context<'a> {
    pub plan: &'a Plan,
    pub resolved: &'a Resolved,
    /// Where measured commands' stdout goes.
    pub streams: &'a crate::streams::Streams,
}

/// How an iteration ended.
pub(crate) enum Ended {
    /// It ran to its end (successfully or not, or timed out).
    Finished {
        /// What was measured.
        iteration: Box<Iteration>,
        /// How many processes it left running were killed.
        leftovers: u32,
    },
    /// It was killed because the run was cancelled; it is not kept.
    Cancelled,
}

/// Run iteration `index` of variant `v` and measure it.
pub(crate) fn measure(
    ctx: &Context<'_>,
    v: usize,
    warmup: bool,
    index: u32,
    sources: &mut [Box<dyn SpanSource>],
    cancel: &Cancel,
) -> Result<Ended, RunError> {
    let plan = ctx.plan;
    if plan.service.is_some() {
        return crate::service_iteration::measure(ctx, v, warmup, index, sources, cancel);
    }
    let variant = &plan.variants[v];
    let cmd = command_line(plan, ctx.resolved, v).ok_or_else(|| {
        RunError::InvalidPlan(format!("no command for variant `{}`", variant.name))
    })?;
    let mut env = environment(plan, Some(variant), Some(index));
    begin_sources(plan, sources, index, &mut env)?;
    let listeners = Listeners {
        gpu: plan.gpu.clone(),
        live: plan.live.clone(),
    };
    let spawn_unix_ns = unix_ns_now();
    let watched = spawn_and_watch(ctx, &cmd, &env, ctx.plan.cwd_for(v), cancel, listeners);
    let collected = finish_sources(sources, index, plan.max_spans);
    let s = watched?;
    if s.stopped == Some(Stop::Cancelled) {
        return Ok(Ended::Cancelled);
    }
    let assembled = assemble_collected(collected, spawn_unix_ns);
    let (exit_code, signal) = s.termination.code_and_signal();
    let mut it = Iteration {
        index,
        variant: variant.name.clone(),
        warmup,
        exit_code,
        signal,
        timed_out: s.stopped == Some(Stop::TimedOut),
        wall_s: s.wall.as_secs_f64(),
        user_s: Some(s.usage.user_s),
        sys_s: Some(s.usage.sys_s),
        max_rss_bytes: Some(s.usage.max_rss_bytes),
        peak_tree_rss_bytes: s
            .samples
            .iter()
            .map(|x| x.rss_bytes)
            .filter(|&b| b > 0)
            .max(),
        read_bytes: s.read_bytes,
        write_bytes: s.write_bytes,
        voluntary_cs: Some(s.usage.voluntary_cs),
        involuntary_cs: Some(s.usage.involuntary_cs),
        timeline: s.samples,
        stages: assembled.spans,
        counters: assembled.counters,
        gauges: assembled.gauges,
        dropped_spans: assembled.dropped,
        stderr_tail: None,
        service: None,
    };
    if !it.succeeded() {
        it.stderr_tail = s.stderr_tail;
    }
    Ok(Ended::Finished {
        iteration: Box::new(it),
        leftovers: s.leftovers,
    })
}

/// Spawn `cmd` with `env` as a measured command and watch it to its end:
/// sampled (each sample also told to `listeners`), timed out and
/// cancelled as the plan says, what it leaves running killed.
pub(crate) fn spawn_and_watch(
    ctx: &Context<'_>,
    cmd: &CommandLine,
    env: &[(String, String)],
    cwd: Option<&std::path::Path>,
    cancel: &Cancel,
    listeners: Listeners,
) -> Result<Supervised, RunError> {
    let plan = ctx.plan;
    let stdin = crate::streams::stdin(plan)?;
    // Before the clock starts: see `reset_own_peak_rss`. The spawner's
    // children do not inherit our peak, so it needs no reset.
    if !crate::spawner::is_running() {
        reset_own_peak_rss();
    }
    let asked = Instant::now();
    let asked_ns = monotonic_ns();
    let mut child = Child::spawn(SpawnSpec {
        program: &cmd.program,
        arg0: &cmd.arg0,
        args: &cmd.args,
        env,
        cwd,
        show_output: plan.show_output,
        stdin: stdin.as_ref(),
        stdout: ctx.streams.stdout(),
    })
    .map_err(|e| spawn_error(e, cmd))?;
    // The clock starts when the command's process is forked.
    let start = child.started(asked, asked_ns);
    supervise(
        &mut child,
        Supervision {
            start,
            sample_interval: plan.sample_interval,
            timeout: plan.timeout,
            cancel: cancel.clone(),
            kill_leftovers: true,
            listeners,
        },
    )
    .map_err(|e| RunError::io(format!("wait for `{}`", cmd.arg0), e))
}

/// Run hook `name` (`sh -c script`) with `env`; fails with
/// [`RunError::HookFailed`] when it exits non-zero and with
/// [`RunError::Interrupted`] when `cancel` stops it.
pub(crate) fn run_hook(
    ctx: &Context<'_>,
    name: &'static str,
    script: &str,
    env: &[(String, String)],
    cancel: &Cancel,
) -> Result<(), RunError> {
    if cancel.is_cancelled() {
        return Err(RunError::Interrupted);
    }
    let sh = ctx
        .resolved
        .shell
        .as_deref()
        .ok_or_else(|| RunError::CommandNotFound("sh".into()))?;
    let args = ["-c".to_string(), script.to_string()];
    let mut child = Child::spawn(SpawnSpec {
        program: sh,
        arg0: "sh",
        args: &args,
        env,
        cwd: ctx.plan.cwd.as_deref(),
        show_output: ctx.plan.show_output,
        stdin: None,
        stdout: None,
    })
    .map_err(|e| RunError::io(format!("start the {name} hook"), e))?;
    let s = supervise(
        &mut child,
        Supervision {
            start: Instant::now(),
            sample_interval: None,
            timeout: None,
            cancel: cancel.clone(),
            kill_leftovers: false,
            listeners: Listeners::default(),
        },
    )
    .map_err(|e| RunError::io(format!("wait for the {name} hook"), e))?;
    if s.stopped.is_some() {
        return Err(RunError::Interrupted);
    }
    if !s.termination.success() {
        return Err(RunError::HookFailed {
            hook: name,
            status: s.termination,
            stderr_tail: s.stderr_tail,
        });
    }
    Ok(())
}

/// The environment of hooks around iteration `index` of variant `v`.
pub(crate) fn hook_env(plan: &Plan, v: usize, index: u32) -> Vec<(String, String)> {
    environment(plan, plan.variants.get(v), Some(index))
}

/// What every source gathered; each keeps at most `max_spans` span
/// records, and so do all of them together (the first sources first).
/// Begin iteration `index` in every span source, adding their variables
/// to `env`; when one fails, those begun are finished again.
pub(crate) fn begin_sources(
    plan: &Plan,
    sources: &mut [Box<dyn SpanSource>],
    index: u32,
    env: &mut Vec<(String, String)>,
) -> Result<(), RunError> {
    for i in 0..sources.len() {
        sources[i].set_max_spans(plan.max_spans);
        match sources[i].begin(index) {
            Ok(vars) => env.extend(vars),
            Err(e) => {
                finish_sources(&mut sources[..i], index, plan.max_spans);
                return Err(RunError::io("prepare a span source", e));
            }
        }
    }
    if let Some(live) = &plan.live {
        for path in sources.iter().filter_map(|s| s.live_file(index)) {
            live.0.span_file(&path);
        }
    }
    Ok(())
}

/// The spans of `collected` assembled (see [`assemble`]), the records
/// the sources dropped counted with those assembly dropped.
pub(crate) fn assemble_collected(collected: Collected, spawn_unix_ns: u64) -> Assembled {
    let mut assembled = assemble(collected.records, spawn_unix_ns);
    let mut dropped = collected.dropped;
    for (reason, n) in std::mem::take(&mut assembled.dropped) {
        *dropped.entry(reason).or_default() += n;
    }
    assembled.dropped = dropped;
    assembled
}

pub(crate) fn finish_sources(
    sources: &mut [Box<dyn SpanSource>],
    index: u32,
    max_spans: usize,
) -> Collected {
    let mut all = Collected::default();
    let mut limit = SpanLimit::new(max_spans);
    for s in sources {
        let mut c = s.finish(index);
        // In place: the records of a million spans are never held twice.
        let before = c.records.len();
        c.records.retain(|record| limit.admit(record));
        let over = (before - c.records.len()) as u64;
        if over > 0 {
            *all.dropped.entry(OVER_SPAN_LIMIT.to_owned()).or_default() += over;
        }
        if all.records.is_empty() {
            all.records = c.records;
        } else {
            all.records.append(&mut c.records);
        }
        for (reason, n) in c.dropped {
            *all.dropped.entry(reason).or_default() += n;
        }
    }
    all
}

fn spawn_error(e: std::io::Error, cmd: &CommandLine) -> RunError {
    match e.kind() {
        std::io::ErrorKind::NotFound => RunError::CommandNotFound(cmd.arg0.clone()),
        std::io::ErrorKind::PermissionDenied => RunError::NotExecutable(cmd.program.clone()),
        _ => RunError::io(format!("start `{}`", cmd.arg0), e),
    }
}

pub(crate) fn unix_ns_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}
