//! Runs of one command back to back, timed by the spawner (see
//! `spawner::zygote::repeat`): no round trip to perfwatch between two runs.

use super::child::{dev_null_file, for_spawner, SpawnSpec};
use crate::cancel::Cancel;
use crate::spawner::{self, RepeatEnd, RepeatRequest, SpawnFailure};
use std::io;
use std::os::fd::AsFd;
use std::time::Duration;

/// The figures of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RunFigures {
    /// From its start to the moment its exit was seen.
    pub wall: Duration,
    /// User CPU time, s.
    pub user_s: f64,
    /// System CPU time, s.
    pub sys_s: f64,
}

/// What came of [`repeat`].
#[derive(Debug)]
pub(crate) struct Repeated {
    /// The successful runs, in order.
    pub runs: Vec<RunFigures>,
    /// Why it ended.
    pub end: RepeatEnd,
}

/// How many runs, and for how long.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Runs {
    /// At most this many.
    pub max: u32,
    /// At least this many (unless one fails), whatever `budget` says.
    pub min: u32,
    /// No run starts once this long went into runs (`min` done).
    pub budget: Duration,
    /// A run going on longer is killed and ends the repeat.
    pub timeout: Option<Duration>,
}

/// Run `spec` as `runs` says, one run after the other, through the
/// spawner; stderr goes where stdout goes unless shown. `None` when the
/// spawner does not run (the caller then runs them one by one).
pub(crate) fn repeat(
    spec: SpawnSpec<'_>,
    runs: Runs,
    cancel: &Cancel,
) -> Option<io::Result<Repeated>> {
    let client = spawner::client()?;
    let null = match dev_null_file() {
        Ok(null) => null,
        Err(e) => return Some(Err(e)),
    };
    let ours = std::io::stdout();
    let ours_err = std::io::stderr();
    let ([stdin, stdout], spawn) = for_spawner(&spec, null, &ours);
    let stderr = if spec.show_output {
        ours_err.as_fd()
    } else {
        null.as_fd()
    };
    let ns = |d: Duration| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
    let req = RepeatRequest {
        spawn,
        runs: runs.max,
        min_runs: runs.min,
        budget_ns: ns(runs.budget),
        timeout_ns: runs.timeout.map_or(0, |t| ns(t).max(1)),
    };
    match client.repeat(req, [stdin, stdout, stderr], cancel) {
        Ok((done, end)) => Some(Ok(Repeated {
            runs: done
                .into_iter()
                .map(|r| RunFigures {
                    wall: Duration::from_nanos(u64::try_from(r.wall_ns).unwrap_or(0)),
                    user_s: r.utime_us as f64 / 1e6,
                    sys_s: r.stime_us as f64 / 1e6,
                })
                .collect(),
            end,
        })),
        Err(SpawnFailure::Exec(e)) => Some(Err(e)),
        // The spawner is gone: the caller runs them itself.
        Err(SpawnFailure::Transport) => None,
    }
}
