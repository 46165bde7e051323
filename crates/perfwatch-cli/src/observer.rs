//! The runner's observer during `run`/`ab`: hands every finished iteration
//! to the [`Recorder`](perfwatch_app::recorder::Recorder), which commits it while
//! the next runs, and drives the progress bar (on a terminal only; nothing
//! animated when output is piped).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use perfwatch_app::recorder::RecorderHandle;
use perfwatch_model::{Iteration, ShellCorrection};
use perfwatch_report::units::format_duration;
use perfwatch_runner::{Observer, ObserverError};
use std::collections::BTreeMap;

/// Stores iterations and shows progress.
pub struct SessionObserver {
    recorder: RecorderHandle,
    bar: Option<ProgressBar>,
    walls: BTreeMap<String, Vec<f64>>,
}

impl SessionObserver {
    /// An observer handing iterations to `recorder`; with `progress`, a
    /// bar on standard error.
    pub fn new(recorder: RecorderHandle, benchmark: &str, progress: bool) -> Self {
        let bar = progress.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:.bold} {bar:30.cyan/blue} {pos}/{len} ETA {eta} {msg}",
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
        }
    }

    /// Remove the bar before the summary is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
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

    fn iteration_finished(&mut self, it: &Iteration) -> Result<(), ObserverError> {
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
}
