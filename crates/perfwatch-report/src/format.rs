//! Text pieces shared by the terminal and Markdown renderers: provenance
//! one-liners, summary cells and comparison cells. Plain text only; each
//! renderer adds its own styling or escaping.

pub use crate::printable::{printable, printable_lines};
use crate::units::{
    ci_label, format_change_ci, format_change_pct, format_p, format_value, unit_for_key, NA,
};
use perfwatch_model::metric::Unit;
use perfwatch_model::{Comparison, GitInfo, HostInfo, Iteration, Summary, Verdict};

/// Characters of a git commit hash shown in summaries and lists.
pub const SHORT_COMMIT: usize = 7;

/// The first `len` characters of an id or hash (session ids use
/// [`perfwatch_model::short_id`]).
pub fn short_id(id: &str, len: usize) -> &str {
    match id.char_indices().nth(len) {
        Some((end, _)) => &id[..end],
        None => id,
    }
}

/// `a1b2c3d on main (dirty)`; `(no commit)` in a repository without one;
/// `(detached)` without a branch.
pub fn git_line(git: &GitInfo) -> String {
    let mut line = match &git.commit {
        Some(commit) => short_id(commit, SHORT_COMMIT).to_string(),
        None => "(no commit)".to_string(),
    };
    match &git.branch {
        Some(branch) => {
            line.push_str(" on ");
            line.push_str(branch);
        }
        None => line.push_str(" (detached)"),
    }
    if git.dirty {
        line.push_str(" (dirty)");
    }
    line
}

/// `build-01 · linux 6.1.0 · AMD EPYC 7763 · 16 cores · 62.0 GiB RAM`,
/// leaving out whatever is unknown.
pub fn host_line(host: &HostInfo) -> String {
    let mut parts = Vec::new();
    if let Some(name) = &host.hostname {
        parts.push(name.clone());
    }
    let os = match &host.kernel {
        Some(kernel) => format!("{} {kernel}", host.os),
        None => host.os.clone(),
    };
    if !os.trim().is_empty() {
        parts.push(os.trim().to_string());
    }
    if let Some(cpu) = &host.cpu_model {
        parts.push(cpu.clone());
    }
    if let Some(cores) = host.cores {
        parts.push(format!("{cores} cores"));
    }
    if let Some(memory) = host.memory_bytes {
        parts.push(format!("{} RAM", format_value(Unit::Bytes, memory as f64)));
    }
    if parts.is_empty() {
        NA.to_string()
    } else {
        parts.join(" · ")
    }
}

/// How the iterations of a variant ended, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Every iteration, warm-ups included.
    pub total: usize,
    /// Warm-ups.
    pub warmups: usize,
    /// Killed by the timeout.
    pub timed_out: usize,
    /// Ended with a non-zero exit code or a signal (timeouts not included).
    pub failed: usize,
}

impl RunCounts {
    /// Counts the iterations (a tally, not a statistic).
    pub fn of(iterations: &[Iteration]) -> Self {
        let mut counts = RunCounts {
            total: iterations.len(),
            ..RunCounts::default()
        };
        for it in iterations {
            counts.warmups += usize::from(it.warmup);
            counts.timed_out += usize::from(it.timed_out);
            counts.failed += usize::from(!it.timed_out && !it.succeeded());
        }
        counts
    }
}

/// `1.23 s ± 45.6 ms` (mean ± standard deviation).
pub fn mean_sd(summary: &Summary, unit: Unit) -> String {
    format!(
        "{} ± {}",
        format_value(unit, summary.mean),
        format_value(unit, summary.sd)
    )
}

/// `1.22 s [1.20 s, 1.25 s]` (median with its confidence interval).
pub fn median_ci(summary: &Summary, unit: Unit) -> String {
    format!(
        "{} [{}, {}]",
        format_value(unit, summary.median),
        format_value(unit, summary.ci_low),
        format_value(unit, summary.ci_high)
    )
}

/// `1.10 s … 1.40 s` (minimum … maximum).
pub fn min_max(summary: &Summary, unit: Unit) -> String {
    format!(
        "{} … {}",
        format_value(unit, summary.min),
        format_value(unit, summary.max)
    )
}

/// Whether the comparison found a change beyond the noise.
pub fn is_significant(c: &Comparison) -> bool {
    matches!(c.verdict, Verdict::Improved | Verdict::Regressed)
}

/// `+12.3% [+8.1%, +16.0%]`: the change with the ratio's confidence
/// interval expressed as changes; `~` when the whole interval lies within
/// the noise (unchanged), as benchstat does. An inconclusive comparison
/// shows its interval: it says why the data cannot decide.
pub fn change_cell(c: &Comparison) -> String {
    if c.verdict == Verdict::Unchanged {
        return "~".to_string();
    }
    change_with_ci(c)
}

/// The change with its interval, significant or not:
/// `+260.4% [+252.1%, +262.5%]`, `-1.5% [-100.0%, unbounded]`. Secondary
/// comparisons are shown this way.
pub fn change_with_ci(c: &Comparison) -> String {
    format!(
        "{} {}",
        format_change_pct(c.change_pct),
        format_change_ci(c.ci_low, c.ci_high)
    )
}

/// `change [95% CI]` with the level the comparisons were made at (that of
/// the first; `change [CI]` for none).
pub fn change_header(rows: &[&Comparison]) -> String {
    match rows.first() {
        Some(c) => format!("change [{}]", ci_label(c.confidence)),
        None => "change [CI]".to_string(),
    }
}

/// What a comparison is about in one cell: the metric key for a whole-run
/// metric, the stage path for a stage's total time, `path (metric)` for
/// another metric of a stage.
pub fn subject(c: &Comparison) -> String {
    match &c.stage {
        Some(stage) if c.metric == "total_s" => stage.clone(),
        Some(stage) => format!("{stage} ({})", c.metric),
        None => c.metric.clone(),
    }
}

/// The comparisons split into primary ones (judged) and secondary ones
/// (information), each in the order given.
pub fn split_primary<'a>(rows: &[&'a Comparison]) -> (Vec<&'a Comparison>, Vec<&'a Comparison>) {
    rows.iter().partition(|c| c.primary)
}

/// The baseline and candidate medians in the metric's unit.
pub fn medians(c: &Comparison) -> (String, String) {
    let unit = unit_for_key(&c.metric);
    (
        format_value(unit, c.baseline_median),
        format_value(unit, c.candidate_median),
    )
}

/// `0.003` or `< 0.001`.
pub fn p_cell(c: &Comparison) -> String {
    format_p(c.p_value)
}

/// `10/12` (baseline n / candidate n).
pub fn n_cell(c: &Comparison) -> String {
    format!("{}/{}", c.baseline_n, c.candidate_n)
}

/// `regressed (high)`, `improved`, `unchanged`, `inconclusive`.
pub fn verdict_cell(c: &Comparison) -> String {
    match c.verdict {
        Verdict::Regressed if c.severity != perfwatch_model::Severity::None => {
            format!("{} ({})", c.verdict, c.severity)
        }
        verdict => verdict.to_string(),
    }
}

/// Comparisons grouped by (baseline, candidate), in order of first
/// appearance, so that each group can carry the two names in its title.
pub fn group_comparisons(comparisons: &[Comparison]) -> Vec<(&str, &str, Vec<&Comparison>)> {
    let mut groups: Vec<(&str, &str, Vec<&Comparison>)> = Vec::new();
    for c in comparisons {
        match groups
            .iter_mut()
            .find(|(b, k, _)| *b == c.baseline && *k == c.candidate)
        {
            Some((_, _, members)) => members.push(c),
            None => groups.push((&c.baseline, &c.candidate, vec![c])),
        }
    }
    groups
}

/// The `metric` column: the metric key (`wall_s`, `total_s`), as typed on
/// the command line and found in JSON.
pub fn metric_cell(c: &Comparison) -> &str {
    &c.metric
}

/// The shell start-up correction in words: `sh, start-up 1.38 ms (mean of
/// 50 empty runs) subtracted from each run`.
pub(crate) fn shell_correction_line(c: &perfwatch_model::ShellCorrection) -> String {
    format!(
        "{}, start-up {} (mean of {} empty runs) subtracted from each run",
        c.shell,
        crate::units::format_duration(c.wall_s),
        c.runs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_cut_on_characters() {
        assert_eq!(short_id("0123456789abcdef", 8), "01234567");
        assert_eq!(short_id("abc", 8), "abc");
        assert_eq!(short_id("ééééé", 2), "éé");
    }

    #[test]
    fn git_lines() {
        let cases = [
            (
                Some("a1b2c3d4e5f6"),
                Some("main"),
                true,
                "a1b2c3d on main (dirty)",
            ),
            (Some("a1b2c3d4e5f6"), None, false, "a1b2c3d (detached)"),
            (None, Some("main"), false, "(no commit) on main"),
        ];
        for (commit, branch, dirty, want) in cases {
            let git = GitInfo {
                commit: commit.map(str::to_string),
                branch: branch.map(str::to_string),
                dirty,
            };
            assert_eq!(git_line(&git), want);
        }
    }

    #[test]
    fn host_line_leaves_out_unknowns() {
        let host = HostInfo {
            os: "linux".into(),
            cores: Some(2),
            ..HostInfo::default()
        };
        assert_eq!(host_line(&host), "linux · 2 cores");
        assert_eq!(host_line(&HostInfo::default()), "–");
    }

    #[test]
    fn run_counts_do_not_count_timeouts_as_failures() {
        let ok = Iteration {
            exit_code: Some(0),
            ..Iteration::default()
        };
        let iterations = [
            Iteration {
                warmup: true,
                ..ok.clone()
            },
            ok.clone(),
            Iteration {
                exit_code: Some(2),
                ..ok.clone()
            },
            Iteration {
                exit_code: None,
                signal: Some(9),
                timed_out: true,
                ..ok.clone()
            },
        ];
        let counts = RunCounts::of(&iterations);
        assert_eq!(
            counts,
            RunCounts {
                total: 4,
                warmups: 1,
                timed_out: 1,
                failed: 1
            }
        );
    }
}
