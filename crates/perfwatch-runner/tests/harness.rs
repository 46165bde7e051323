//! Helpers shared by the integration tests.

use perfwatch_model::{CommandSpec, Iteration};
use perfwatch_runner::{run, Cancel, Observer, ObserverError, Outcome, Plan, RunCount, SpanSource};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A plan running `script` with `sh -c`, exactly `runs` times, sampling on.
pub fn sh(script: &str, runs: u32) -> Plan {
    let mut plan = Plan::new(CommandSpec {
        argv: vec![script.to_string()],
        shell: true,
    });
    plan.runs = RunCount::exact(runs);
    plan
}

/// A plan running `argv` directly, exactly `runs` times.
pub fn argv(argv: &[&str], runs: u32) -> Plan {
    let mut plan = Plan::new(CommandSpec {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        shell: false,
    });
    plan.runs = RunCount::exact(runs);
    plan
}

/// Run with no span source and no observer.
pub fn run_plan(plan: &Plan) -> Outcome {
    run(plan, &mut [], &mut (), &Cancel::new()).expect("plan is valid")
}

/// Run with span sources.
pub fn run_with(plan: &Plan, sources: &mut [Box<dyn SpanSource>]) -> Outcome {
    run(plan, sources, &mut (), &Cancel::new()).expect("plan is valid")
}

/// Records what the runner reports.
#[derive(Default)]
pub struct Recorder {
    pub planned: Vec<u64>,
    pub started: Vec<(u32, String, bool)>,
    pub finished: Vec<u32>,
    /// Fail `iteration_finished` for this index.
    pub fail_at: Option<u32>,
    /// Cancel this token when this many iterations finished.
    pub cancel_after: Option<(usize, Cancel)>,
}

impl Observer for Recorder {
    fn planned(&mut self, total: u64) {
        self.planned.push(total);
    }
    fn iteration_started(&mut self, index: u32, variant: &str, warmup: bool) {
        self.started.push((index, variant.to_string(), warmup));
    }
    fn iteration_finished(&mut self, it: &Arc<Iteration>) -> Result<(), ObserverError> {
        self.finished.push(it.index);
        if let Some((n, c)) = &self.cancel_after {
            if self.finished.len() >= *n {
                c.cancel();
            }
        }
        if self.fail_at == Some(it.index) {
            return Err("disk full".into());
        }
        Ok(())
    }
}

/// A scratch directory on the same file system as the target directory
/// (not necessarily tmpfs, so storage writes are counted).
pub fn scratch() -> tempfile::TempDir {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&base).unwrap();
    tempfile::tempdir_in(base).unwrap()
}

/// Poll `cond` for up to 10 s.
pub fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Whether `pid` is a living (not zombie) process.
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => {
            let state = s
                .rsplit_once(')')
                .and_then(|(_, r)| r.split_whitespace().next());
            !matches!(state, Some("Z") | Some("X") | None)
        }
        Err(_) => false,
    }
}

/// Pids written one per line to `file`.
pub fn pids_in(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Lines of `file`.
pub fn lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Quote a path for a shell script.
pub fn q(p: &Path) -> String {
    format!("'{}'", p.display())
}
