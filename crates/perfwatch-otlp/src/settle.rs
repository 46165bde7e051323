//! When `finish` stops waiting for spans. Pure: the clock is passed in.
//!
//! A well-behaved SDK flushes while the program shuts down, so its spans
//! are usually in before the child is reaped. `finish` still waits a little
//! for exporters that send asynchronously, by these rules, first match wins:
//!
//! 1. the grace period since `finish` began has passed → done;
//! 2. a request is being received → wait for it (bounded by rule 1);
//! 3. no connection is open or waiting to be accepted → done: the command
//!    has been reaped and its leftovers killed, and a connection an
//!    exporter made is in the accept queue before its `connect` returns,
//!    so nothing more can come (uninstrumented commands pay nothing);
//! 4. a root span arrived and every parent resolves → done;
//! 5. the command has been silent for several iterations and nothing
//!    arrived in this one → done;
//! 6. no request for the quiet period (since `finish` began or since the
//!    last request, whichever is later) → done; else wait until then.

use crate::inbox::Progress;
use std::time::{Duration, Instant};

/// Why `finish` stopped waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    /// The grace period ran out.
    Grace,
    /// No connection is left that could bring more.
    Closed,
    /// The span tree is complete.
    Complete,
    /// The command has not been sending spans.
    Silent,
    /// No request during the quiet period.
    Quiet,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Stop waiting.
    Done(Why),
    /// Wait for a change, at most until this instant.
    WaitUntil(Instant),
}

/// The timing knobs of [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timing {
    /// Longest wait after the child was reaped.
    pub grace: Duration,
    /// Silence that ends the wait.
    pub quiet: Duration,
}

/// Decide at `now`, `finish` having begun at `started`. `waiting` tells
/// whether a connection waits in the accept queue (looked at *before*
/// `progress` was read, so that a connection is always seen in one place
/// or the other); `silent` whether earlier iterations have been silent long
/// enough for rule 5.
pub(crate) fn decide(
    timing: Timing,
    started: Instant,
    now: Instant,
    progress: &Progress,
    waiting: bool,
    silent: bool,
) -> Decision {
    let deadline = started + timing.grace;
    if now >= deadline {
        return Decision::Done(Why::Grace);
    }
    if progress.in_flight > 0 {
        return Decision::WaitUntil(deadline);
    }
    if progress.connections == 0 && !waiting {
        return Decision::Done(Why::Closed);
    }
    if progress.tree_complete {
        return Decision::Done(Why::Complete);
    }
    if silent && progress.requests == 0 {
        return Decision::Done(Why::Silent);
    }
    let anchor = progress.last_activity.map_or(started, |t| t.max(started));
    let quiet_end = anchor + timing.quiet;
    if now >= quiet_end {
        Decision::Done(Why::Quiet)
    } else {
        Decision::WaitUntil(quiet_end.min(deadline))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn rules_in_order() {
        let t0 = Instant::now();
        let timing = Timing {
            grace: 1000 * MS,
            quiet: 150 * MS,
        };
        // One connection still open, so the later rules are reached.
        let idle = Progress {
            in_flight: 0,
            connections: 1,
            last_activity: None,
            requests: 0,
            tree_complete: false,
            generation: 0,
        };
        let busy = Progress {
            in_flight: 1,
            ..idle
        };
        let complete = Progress {
            tree_complete: true,
            requests: 2,
            ..idle
        };
        let recent = Progress {
            last_activity: Some(t0 + 100 * MS),
            requests: 1,
            ..idle
        };
        let before = Progress {
            last_activity: t0.checked_sub(500 * MS),
            ..idle
        };
        // (label, now - t0 in ms, progress, silent, want)
        let cases = [
            (
                "fresh: wait quiet",
                0,
                idle,
                false,
                Decision::WaitUntil(t0 + 150 * MS),
            ),
            ("quiet passed", 150, idle, false, Decision::Done(Why::Quiet)),
            (
                "grace beats busy",
                1000,
                busy,
                false,
                Decision::Done(Why::Grace),
            ),
            (
                "busy waits to grace",
                10,
                busy,
                false,
                Decision::WaitUntil(t0 + 1000 * MS),
            ),
            (
                "complete at once",
                0,
                complete,
                false,
                Decision::Done(Why::Complete),
            ),
            ("silent at once", 0, idle, true, Decision::Done(Why::Silent)),
            (
                "silent but sending",
                0,
                recent,
                true,
                Decision::WaitUntil(t0 + 250 * MS),
            ),
            (
                "quiet from last request",
                200,
                recent,
                false,
                Decision::WaitUntil(t0 + 250 * MS),
            ),
            (
                "quiet from last request passed",
                250,
                recent,
                false,
                Decision::Done(Why::Quiet),
            ),
            (
                "activity before finish",
                0,
                before,
                false,
                Decision::WaitUntil(t0 + 150 * MS),
            ),
        ];
        for (label, now_ms, progress, silent, want) in cases {
            let got = decide(timing, t0, t0 + now_ms * MS, &progress, false, silent);
            assert_eq!(got, want, "{label}");
        }
    }

    #[test]
    fn nothing_open_means_nothing_more_comes() {
        let t0 = Instant::now();
        let timing = Timing {
            grace: 1000 * MS,
            quiet: 150 * MS,
        };
        let closed = Progress {
            in_flight: 0,
            connections: 0,
            last_activity: None,
            requests: 0,
            tree_complete: false,
            generation: 0,
        };
        let at = |p: &Progress, waiting| decide(timing, t0, t0, p, waiting, false);
        assert_eq!(at(&closed, false), Decision::Done(Why::Closed));
        // A connection still in the accept queue: wait (quiet rule).
        assert_eq!(at(&closed, true), Decision::WaitUntil(t0 + 150 * MS));
        // A request being handled on a connection that closed: wait for it.
        let handled = Progress {
            in_flight: 1,
            ..closed
        };
        assert_eq!(at(&handled, false), Decision::WaitUntil(t0 + 1000 * MS));
    }

    #[test]
    fn quiet_never_outlasts_grace() {
        let t0 = Instant::now();
        let timing = Timing {
            grace: 100 * MS,
            quiet: 150 * MS,
        };
        let p = Progress {
            in_flight: 0,
            connections: 1,
            last_activity: Some(t0 + 50 * MS),
            requests: 1,
            tree_complete: false,
            generation: 0,
        };
        assert_eq!(
            decide(timing, t0, t0 + 60 * MS, &p, false, false),
            Decision::WaitUntil(t0 + 100 * MS)
        );
    }
}
