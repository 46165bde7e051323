//! Flags whose value is optional take it after `=` (`--push=URL`,
//! `--until-confident=METRIC`): written with a space, the value becomes
//! the first command or benchmark to run. Such a command line is refused
//! with the spelling that works, before anything reads the targets.

use crate::args::{OutputArgs, ScheduleArgs, UNTIL_CONFIDENT_METRIC};
use crate::exit::usage;
use perfwatch_app::history::SeriesMetric;

/// Refuse `--push http://…` and `--until-confident METRIC` (the value after
/// a space) in a command line whose commands or benchmarks are `targets`.
pub fn check(
    output: &OutputArgs,
    schedule: &ScheduleArgs,
    targets: &[&String],
) -> anyhow::Result<()> {
    if output.push.as_deref() == Some("") {
        let url = targets
            .iter()
            .find(|t| t.starts_with("http://") || t.starts_with("https://"));
        if let Some(url) = url {
            return Err(misspelt("--push", "URL", url));
        }
    }
    // Alone, the flag means its default metric; a first target that reads as a
    // metric was meant as its value.
    if schedule.until_confident.as_deref() == Some(UNTIL_CONFIDENT_METRIC) {
        if let Some(metric) = targets.first().filter(|t| SeriesMetric::parse(t).is_ok()) {
            return Err(misspelt("--until-confident", "metric", metric));
        }
    }
    Ok(())
}

fn misspelt(flag: &str, what: &str, value: &str) -> anyhow::Error {
    usage(format!(
        "{flag} takes its {what} after `=`: {flag}={value} (as written, `{value}` is read as \
         what to run)"
    ))
}
