//! The runner's observer during `run`/`ab`: hands every finished iteration
//! to the [`Recorder`](perfwatch_app::recorder::Recorder), which commits it while
//! the next runs, and drives the progress bar (on a terminal only; nothing
//! animated when output is piped).
//!
//! The bar is one line that never reaches the terminal's last
//! [`ECHO_ROOM`] columns, so that the `^C` the terminal echoes on Ctrl-C
//! cannot wrap it onto a second row that the final erase would miss; it is
//! erased (`\r\x1b[2K`) when the observer finishes or is dropped, on
//! every way out of a run, before anything else is printed.

use console::Term;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use perfwatch_app::recorder::RecorderHandle;
use perfwatch_model::{Iteration, ShellCorrection};
use perfwatch_report::units::format_duration;
use perfwatch_runner::{Observer, ObserverError};
use std::collections::BTreeMap;
use std::io;
use std::io::IsTerminal;
use std::sync::Arc;

/// Stores iterations and shows progress.
pub struct SessionObserver {
    recorder: RecorderHandle,
    bar: Option<ProgressBar>,
    walls: BTreeMap<String, Vec<f64>>,
    /// Whether perfwatch's lines may go to standard error while the run
    /// goes on (not while the live view holds the terminal).
    speaks: bool,
}

impl SessionObserver {
    /// An observer handing iterations to `recorder`; with `progress`, a
    /// bar on standard error.
    pub fn new(recorder: RecorderHandle, benchmark: &str, progress: bool) -> Self {
        SessionObserver::with_target(recorder, benchmark, progress, progress_target, true)
    }

    /// [`SessionObserver::new`] with the bar hidden from the start, while
    /// the live view holds the terminal: [`SessionObserver::bar`] shows it
    /// when the view is left before the run's end.
    pub fn hidden(recorder: RecorderHandle, benchmark: &str, progress: bool) -> Self {
        SessionObserver::with_target(
            recorder,
            benchmark,
            progress,
            ProgressDrawTarget::hidden,
            false,
        )
    }

    fn with_target(
        recorder: RecorderHandle,
        benchmark: &str,
        progress: bool,
        target: fn() -> ProgressDrawTarget,
        speaks: bool,
    ) -> Self {
        let bar = progress.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), target());
            bar.set_style(
                // `wide_msg` cuts the medians to the room left: one row.
                ProgressStyle::with_template(
                    "{prefix:.bold} {bar:30.cyan/blue} {pos}/{len} ETA {eta} {wide_msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix(truncate(benchmark, 30));
            bar
        });
        SessionObserver {
            recorder,
            bar,
            walls: BTreeMap::new(),
            speaks,
        }
    }

    /// The bar, shared: the live view shows a [hidden](SessionObserver::hidden)
    /// one again (`set_draw_target(progress_target())`) when it is left.
    pub fn bar(&self) -> Option<ProgressBar> {
        self.bar.clone()
    }

    /// Erase the bar (before the summary, an error or the note of an
    /// interruption is printed). Dropping the observer does the same, so
    /// that no way out of a run leaves the bar on screen.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for SessionObserver {
    fn drop(&mut self) {
        self.finish();
    }
}

/// What an interrupted run says while its `cleanup` hook runs.
pub const CLEANING_UP: &str =
    "interrupted: waiting for the cleanup hook (Ctrl-C again stops at once)";

/// Where the bar is drawn: standard error, narrowed (see [`ECHO_ROOM`]).
pub fn progress_target() -> ProgressDrawTarget {
    ProgressDrawTarget::term_like_with_hz(Box::new(Narrowed(Term::buffered_stderr())), REFRESH_HZ)
}

/// Redraws of the bar per second at most.
const REFRESH_HZ: u8 = 20;

/// Columns at the right edge the bar leaves free: room for the `^C` a
/// terminal echoes on Ctrl-C, and one more, so that the echo never wraps.
const ECHO_ROOM: u16 = 3;

/// Standard error, [`ECHO_ROOM`] columns narrower than it is.
#[derive(Debug)]
struct Narrowed(Term);

impl TermLike for Narrowed {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(ECHO_ROOM).max(1)
    }

    fn height(&self) -> u16 {
        self.0.size().0
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_up(n)
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_down(n)
    }

    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_right(n)
    }

    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_left(n)
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        self.0.write_line(s)
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        self.0.write_str(s)
    }

    fn clear_line(&self) -> io::Result<()> {
        self.0.clear_line()
    }

    fn flush(&self) -> io::Result<()> {
        self.0.flush()
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

impl Observer for SessionObserver {
    fn planned(&mut self, total_estimate: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total_estimate);
        }
    }

    fn shell_correction(&mut self, correction: &ShellCorrection) {
        self.recorder.shell_correction(correction);
    }

    fn iteration_started(&mut self, _index: u32, variant: &str, warmup: bool) {
        if let Some(bar) = &self.bar {
            if warmup {
                bar.set_message(format!("warm-up {variant}"));
            }
        }
    }

    fn iteration_finished(&mut self, it: &Arc<Iteration>) -> Result<(), ObserverError> {
        // A write that failed since the last iteration stops the run now.
        self.recorder.check()?;
        self.recorder.record(it);
        if let Some(bar) = &self.bar {
            if it.counts() {
                let walls = self.walls.entry(it.variant.clone()).or_default();
                walls.push(it.wall_s);
                let msg = self
                    .walls
                    .iter()
                    .map(|(v, w)| {
                        let m = perfwatch_stats::median(w).unwrap_or(f64::NAN);
                        format!("{v}: {}", format_duration(m))
                    })
                    .collect::<Vec<_>>()
                    .join("  ");
                bar.set_message(format!("median {msg}"));
            }
            bar.inc(1);
        }
        Ok(())
    }

    fn cleanup_started(&mut self, interrupted: bool) {
        // After Ctrl-C the hook may take a while: say what is awaited,
        // and how not to wait (quiet or not: the user just asked to stop).
        if interrupted && self.speaks {
            // The bar's erase takes the `^C` the terminal echoed with it;
            // without a bar, the line starts below it.
            if self.bar.is_none() && std::io::stderr().is_terminal() {
                eprintln!();
            }
            self.finish();
            eprintln!("{CLEANING_UP}");
        }
    }
}
