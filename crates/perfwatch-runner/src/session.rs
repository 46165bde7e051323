//! The run loop: hooks, warm-ups, measured iterations, clean-up.

use crate::cancel::Cancel;
use crate::command::environment;
use crate::error::{RunError, Termination};
use crate::measure::{hook_env, measure, run_hook, Context, Ended};
use crate::observer::Observer;
use crate::plan::Plan;
use crate::resolve::resolve;
use crate::schedule::Schedule;
use crate::shell_correction;
use crate::source::SpanSource;
use perfwatch_model::{Iteration, SessionStatus, ShellCorrection};
use std::sync::Arc;

/// How a run ended.
#[derive(Debug)]
pub struct Outcome {
    /// `Complete`, `Interrupted` (Ctrl-C, SIGTERM, [`Cancel::cancel`]) or
    /// `Failed` (a command, hook or observer failed).
    pub status: SessionStatus,
    /// Every finished iteration, warm-ups included, in execution order,
    /// also when the run stopped early. An iteration killed by an
    /// interrupt is not finished and is not here. Shared with the
    /// observer, which may still hold them (see
    /// [`Observer::iteration_finished`](crate::Observer::iteration_finished)).
    pub iterations: Vec<Arc<Iteration>>,
    /// What stopped the run early; `None` when it completed. Its
    /// [`RunError::exit_code`] is the exit code to use.
    pub stopped_by: Option<RunError>,
    /// The shell start-up correction subtracted from the iterations of
    /// shell commands, when one was measured (see
    /// [`crate::shell_correction`]).
    pub shell_correction: Option<ShellCorrection>,
    /// The iterations whose command left processes running, which were
    /// killed when it ended (daemonised descendants included: see the
    /// crate documentation), in execution order.
    pub left_running: Vec<LeftRunning>,
}

/// Processes one iteration's command left running, killed at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeftRunning {
    /// The iteration's index ([`Iteration::index`]).
    pub index: u32,
    /// How many processes were killed.
    pub processes: u32,
}

impl Outcome {
    /// The exit code for this outcome: 0, or that of what stopped it.
    pub fn exit_code(&self) -> i32 {
        self.stopped_by
            .as_ref()
            .map_or(perfwatch_model::exit_codes::OK, RunError::exit_code)
    }
}

/// Run `plan`: the `setup` hook; the shell start-up correction (with
/// `plan.shell_correction`, when a variant runs through the shell; reported
/// to `observer` and subtracted from those iterations, see
/// [`crate::shell_correction`]); warm-ups and measured iterations as
/// scheduled (see [`crate::schedule`]), each between the `prepare` and
/// `conclude` hooks and reported to `observer` as it finishes; then the
/// `cleanup` hook, which runs also after a failure or an interrupt.
///
/// Returns `Err` only when nothing ran: the plan failed [`crate::check`].
/// Once anything ran, the result is an [`Outcome`] carrying the finished
/// iterations and, if the run stopped early, why.
///
/// A failing command stops the run with [`RunError::CommandFailed`] unless
/// `plan.ignore_failure`; a timed-out iteration does not stop it (it is
/// kept, marked `timed_out`). The failing iteration is reported and kept
/// before the run stops. After an interrupt, `conclude` is skipped and
/// `cleanup` runs without being interruptible by the same token (a second
/// Ctrl-C ends the process; see [`crate::install_signal_handlers`]).
pub fn run(
    plan: &Plan,
    sources: &mut [Box<dyn SpanSource>],
    observer: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<Outcome, RunError> {
    run_until(plan, sources, observer, cancel, &mut NeverStop)
}

/// Decides when an adaptive run has its answer (see [`run_until`]).
pub trait StopRule {
    /// A measured iteration (not a warm-up) of variant `variant` (its index
    /// in the plan) finished.
    fn observe(&mut self, variant: usize, iteration: &Iteration);
    /// Asked at the end of each round, when every variant has run equally
    /// often: whether to run no further round.
    fn decided(&mut self) -> bool;
}

/// The rule of a fixed plan: never stop early.
#[derive(Debug, Clone, Copy, Default)]
pub struct NeverStop;

impl StopRule for NeverStop {
    fn observe(&mut self, _: usize, _: &Iteration) {}
    fn decided(&mut self) -> bool {
        false
    }
}

/// [`run`], ending after the first complete round at which `rule` says
/// the answer is clear, or when the plan's run count is reached,
/// whichever comes first. Only interleaved and shuffled plans have rounds;
/// a sequential plan runs to its count.
pub fn run_until(
    plan: &Plan,
    sources: &mut [Box<dyn SpanSource>],
    observer: &mut dyn Observer,
    cancel: &Cancel,
    rule: &mut dyn StopRule,
) -> Result<Outcome, RunError> {
    let resolved = resolve(plan)?;
    if let Some(sp) = &plan.service {
        crate::service_iteration::check(sp).map_err(RunError::InvalidPlan)?;
    }
    let streams = crate::streams::Streams::open(plan)?;
    let ctx = Context {
        plan,
        resolved: &resolved,
        streams: &streams,
    };
    let mut done = Done::default();
    let mut stopped_by = main_phase(&ctx, sources, observer, cancel, rule, &mut done).err();
    if let Some(script) = &plan.hooks.cleanup {
        // After an interrupt the token is set; clean up anyway.
        let token = if cancel.is_cancelled() {
            Cancel::new()
        } else {
            cancel.clone()
        };
        let env = environment(plan, None, None);
        observer.cleanup_started(cancel.is_cancelled());
        if let Err(e) = run_hook(&ctx, "cleanup", script, &env, &token) {
            stopped_by.get_or_insert(e);
        }
    }
    let status = match &stopped_by {
        None => SessionStatus::Complete,
        Some(RunError::Interrupted) => SessionStatus::Interrupted,
        Some(_) => SessionStatus::Failed,
    };
    Ok(Outcome {
        status,
        iterations: done.iterations,
        stopped_by,
        shell_correction: done.correction,
        left_running: done.left_running,
    })
}

/// What the main phase has done so far, kept when it stops early.
#[derive(Default)]
struct Done {
    iterations: Vec<Arc<Iteration>>,
    correction: Option<ShellCorrection>,
    left_running: Vec<LeftRunning>,
}

fn main_phase(
    ctx: &Context<'_>,
    sources: &mut [Box<dyn SpanSource>],
    observer: &mut dyn Observer,
    cancel: &Cancel,
    rule: &mut dyn StopRule,
    done: &mut Done,
) -> Result<(), RunError> {
    let plan = ctx.plan;
    if let Some(script) = &plan.hooks.setup {
        run_hook(ctx, "setup", script, &environment(plan, None, None), cancel)?;
    }
    if plan.shell_correction && plan.uses_shell() {
        let measured = shell_correction::measure(ctx, cancel)?;
        observer.shell_correction(&measured);
        done.correction = Some(measured);
    }
    let mut schedule = Schedule::new(plan.variants.len(), plan.warmup, plan.runs, plan.order);
    let mut estimate = schedule.estimate_total();
    observer.planned(estimate);
    let mut index: u32 = 0;
    while let Some(slot) = schedule.next_slot() {
        if cancel.is_cancelled() {
            return Err(RunError::Interrupted);
        }
        let variant = &plan.variants[slot.variant];
        observer.iteration_started(index, &variant.name, slot.warmup);
        let env = hook_env(plan, slot.variant, index);
        if let Some(script) = plan.hooks.prepare_for(slot.variant) {
            run_hook(ctx, "prepare", script, &env, cancel)?;
        }
        let mut it = match measure(ctx, slot.variant, slot.warmup, index, sources, cancel)? {
            Ended::Finished {
                iteration,
                leftovers,
            } => {
                if leftovers > 0 {
                    done.left_running.push(LeftRunning {
                        index,
                        processes: leftovers,
                    });
                }
                *iteration
            }
            Ended::Cancelled => return Err(RunError::Interrupted),
        };
        if let Some(c) = done.correction.as_ref() {
            if plan.command_for(slot.variant).shell {
                shell_correction::apply(&mut it, c);
            }
        }
        schedule.finished(slot, it.wall_s);
        let ignored = plan.ignores_failure(it.exit_code, it.signal);
        let failure = (!it.succeeded() && !it.timed_out && !ignored).then(|| {
            let status = Termination::of(it.exit_code, it.signal);
            if let Some(service) = &it.service {
                let when = if service.exited_early {
                    "exited by itself before it was stopped"
                } else {
                    "did not exit cleanly when stopped"
                };
                return RunError::Service {
                    variant: variant.name.clone(),
                    index,
                    message: format!("the service {when}: {status}"),
                    stderr_tail: it.stderr_tail.clone(),
                };
            }
            RunError::CommandFailed {
                variant: variant.name.clone(),
                index,
                status,
                stderr_tail: it.stderr_tail.clone(),
            }
        });
        if !slot.warmup {
            rule.observe(slot.variant, &it);
        }
        let it = Arc::new(it);
        let recorded = observer.iteration_finished(&it);
        done.iterations.push(it);
        recorded.map_err(|source| RunError::Observer { index, source })?;
        if let Some(script) = plan.hooks.conclude_for(slot.variant) {
            if let Err(e) = run_hook(ctx, "conclude", script, &env, cancel) {
                return Err(failure.unwrap_or(e));
            }
        }
        if let Some(f) = failure {
            return Err(f);
        }
        index += 1;
        if schedule.round_complete() && rule.decided() {
            schedule.stop();
        }
        let next = schedule.estimate_total();
        if next != estimate {
            estimate = next;
            observer.planned(estimate);
        }
    }
    Ok(())
}
