//! `polling_granularity`: a stage that checks its condition at a coarse
//! interval and so ends up to one interval after the condition held ("a
//! 5 s polling interval").
//!
//! The interval is found from, in order of preference:
//!
//! 1. **child stages** — the calls have repeated children of one name (the
//!    checks), started at regular gaps (CV ≤ `max_gap_cv`): the interval is
//!    the median gap;
//! 2. **a poll counter** — a span attribute `polls`, `poll_count` or
//!    `checks` (or the probe's `counter.<name>`) with n ≥ 2 checks in a
//!    call of duration `d` (checking first, then sleeping): `d / (n − 1)`,
//!    snapped to a round interval when within 10 %;
//! 3. **the durations' grid** — the largest round interval `I` every call
//!    duration sits on (see [`super::grid`]), with `m ≥ 2` distinct
//!    multiples and a chance `p(I)^m ≤ max_chance` (1 %) of that happening
//!    to unrelated durations. Constant durations (`m = 1`) are no evidence
//!    of polling: a fixed wait looks the same (and `fixed_wait` reports
//!    it), so …
//! 4. **the stage's name** — … a constant, round stage whose name contains
//!    one of `name_hints` (`poll`, `monitor`) is taken to poll at the
//!    largest interval its duration sits on, with low confidence.
//!
//! The stage must spend its time in itself (self ≥ `min_self_fraction` of a
//! call; with child checks, at least half of it between them — regular
//! children that fill the call, like the items of a loop, are work, not
//! checks), and the tree must idle during it (see [`super::waiting`]).
//!
//! **Saving.** When another variant runs the same stage faster, `median −
//! that variant's median` per call (what is demonstrably achievable);
//! otherwise half the interval per call, the expected overshoot when the
//! condition falls at a random phase of the interval. A name-only finding
//! claims nothing when other variants run the stage and none is faster,
//! nor, without other variants, for an interval under
//! `fixed_wait.min_unobserved_wait_s` (the same ambiguity as a short fixed
//! wait).

use super::context::{mean_sd, Call, VariantData};
use super::format::{saves, secs};
use super::grid::{chance, largest_fitting, snap};
use super::options::{check_range, FindingOptionsError};
use super::waiting::{condition, idleness, Condition};
use super::{finding, FindingOptions, RuleKind};
use perfwatch_model::Finding;
use perfwatch_stats::median;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Thresholds of `polling_granularity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PollingOptions {
    /// Fewest single calls over all runs (default 3).
    pub min_calls: usize,
    /// Largest chance that unrelated durations fit the grid (default 0.01).
    pub max_chance: f64,
    /// Name fragments that mark a constant stage as a poll loop (default
    /// `poll`, `monitor`; matched case-insensitively on the last name).
    pub name_hints: Vec<String>,
    /// Largest CV of the gaps between child checks (default 0.15).
    pub max_gap_cv: f64,
    /// Least median share of a call spent in the stage itself (default 0.8).
    pub min_self_fraction: f64,
}

impl Default for PollingOptions {
    fn default() -> Self {
        PollingOptions {
            min_calls: 3,
            max_chance: 0.01,
            name_hints: vec!["poll".into(), "monitor".into()],
            max_gap_cv: 0.15,
            min_self_fraction: 0.8,
        }
    }
}

impl PollingOptions {
    pub(crate) fn validate(&self) -> Result<(), FindingOptionsError> {
        check_range(
            "polling_granularity.max_chance",
            self.max_chance,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "polling_granularity.max_gap_cv",
            self.max_gap_cv,
            0.0,
            f64::MAX,
            "[0, ∞)",
        )?;
        check_range(
            "polling_granularity.min_self_fraction",
            self.min_self_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )
    }
}

/// Where the interval came from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Children,
    Counter,
    Grid { levels: usize, chance: f64 },
    Name,
}

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    all[me]
        .paths
        .iter()
        .filter_map(|path| check(all, me, path, opts))
        .collect()
}

fn check(all: &[VariantData], me: usize, path: &str, opts: &FindingOptions) -> Option<Finding> {
    let v = &all[me];
    let o = &opts.polling_granularity;
    let ds = v.durations(path);
    if ds.len() < o.min_calls.max(1) || v.runs.is_empty() {
        return None;
    }
    let typical = median(&ds)?;
    let (interval, source) = interval(v, path, &ds, opts)?;
    // The waiting happens in the stage itself: between child checks for
    // child-stage evidence (checks are brief, at least half the call is
    // spent between them), throughout otherwise.
    let least_self = if source == Source::Children {
        0.5
    } else {
        o.min_self_fraction
    };
    if v.self_fraction(path) < least_self {
        return None;
    }
    let idle = idleness(v, path, opts)?;
    let calls = ds.len() as f64 / v.runs.len() as f64;
    let mut f = finding(RuleKind::PollingGranularity, v, Some(path));
    let (per_call, basis) = match condition(all, me, path, typical) {
        Condition::Observed {
            variant,
            per_call_s,
        } => {
            f.evidence.insert("condition_s".into(), per_call_s);
            f.evidence.insert("condition_observed".into(), 1.0);
            let how = format!(
                "variant `{variant}` runs the same stage in {}",
                secs(per_call_s)
            );
            (typical - per_call_s, how)
        }
        Condition::NotFaster if source == Source::Name => return None,
        Condition::NoOther
            if source == Source::Name && interval < opts.fixed_wait.min_unobserved_wait_s =>
        {
            return None
        }
        _ => {
            f.evidence.insert("condition_observed".into(), 0.0);
            let how = format!(
                "on average a call goes on for half an interval ({}) after its condition holds",
                secs(interval / 2.0)
            );
            (interval / 2.0, how)
        }
    };
    let impact = per_call * calls;
    if !opts.worth(impact, v.wall_median) {
        return None;
    }
    let e = &mut f.evidence;
    e.insert("interval_s".into(), interval);
    e.insert("median_s".into(), typical);
    e.insert("calls_per_run".into(), calls);
    e.insert("saving_per_call_s".into(), per_call);
    let base = match source {
        Source::Children => {
            e.insert("from_child_checks".into(), 1.0);
            0.9
        }
        Source::Counter => {
            e.insert("from_poll_counter".into(), 1.0);
            0.8
        }
        Source::Grid { levels, chance } => {
            e.insert("levels".into(), levels as f64);
            e.insert("chance".into(), chance);
            0.9
        }
        Source::Name => {
            e.insert("from_name".into(), 1.0);
            0.5
        }
    };
    idle.record(e);
    f.impact_s = impact;
    f.confidence = base * idle.confidence();
    f.title = format!(
        "`{path}` polls every {}: each call overshoots its condition by up to an interval",
        secs(interval)
    );
    f.recommendation = format!(
        "Poll at a finer interval (checks cost little while waiting) or wait on an event \
         instead of checking every {}: {basis}. That would {}.",
        secs(interval),
        saves(impact)
    );
    f.effort = Some("low".into());
    Some(f)
}

/// The polling interval of a stage and where it came from.
fn interval(
    v: &VariantData,
    path: &str,
    ds: &[f64],
    opts: &FindingOptions,
) -> Option<(f64, Source)> {
    let o = &opts.polling_granularity;
    if let Some(i) = child_interval(v, path, o) {
        return Some((i, Source::Children));
    }
    if let Some(i) = counter_interval(v, path, o) {
        return Some((i, Source::Counter));
    }
    let (i, ks) = largest_fitting(ds)?;
    let p = chance(i).powi(ks.len() as i32);
    if ks.len() >= 2 && p <= o.max_chance {
        return Some((
            i,
            Source::Grid {
                levels: ks.len(),
                chance: p,
            },
        ));
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
    let hinted = o
        .name_hints
        .iter()
        .any(|h| !h.is_empty() && name.contains(&h.to_lowercase()));
    let (mean, sd) = mean_sd(ds)?;
    let constant = mean > 0.0 && sd / mean <= opts.fixed_wait.max_cv;
    (hinted && constant && ks == [1]).then_some((i, Source::Name))
}

/// The median gap between repeated child checks, when regular.
///
/// Each call's children come from the run's child index, so this costs
/// `O(n log n)` in the number of calls (it once scanned every call for
/// each call).
fn child_interval(v: &VariantData, path: &str, o: &PollingOptions) -> Option<f64> {
    let mut gaps = Vec::new();
    let (mut calls, mut polled) = (0usize, 0usize);
    for r in &v.runs {
        for i in r.indices_of(path).filter(|&i| r.calls[i].single()) {
            calls += 1;
            let starts = check_starts(r.children_of(i));
            if starts.len() >= 2 {
                polled += 1;
                gaps.extend(starts.windows(2).map(|w| w[1] - w[0]));
            }
        }
    }
    regular_gap(&gaps, calls, polled, o)
}

/// The start times of the most frequent child name among `children` (in
/// their order; of equally frequent names, the last by name), the checks
/// of a poll loop if it is one.
fn check_starts<'c, 'a: 'c>(children: impl Iterator<Item = &'c Call<'a>>) -> Vec<f64> {
    let mut by_name: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for child in children {
        by_name
            .entry(&child.span.name)
            .or_default()
            .push(child.span.start_s);
    }
    by_name
        .into_values()
        .max_by_key(Vec::len)
        .unwrap_or_default()
}

/// The median of `gaps` when there are enough, from polled calls in the
/// majority, and regular enough.
fn regular_gap(gaps: &[f64], calls: usize, polled: usize, o: &PollingOptions) -> Option<f64> {
    if gaps.len() < 3 || 2 * polled < calls {
        return None;
    }
    let (mean, sd) = mean_sd(gaps)?;
    (mean > 0.0 && sd / mean <= o.max_gap_cv)
        .then(|| median(gaps))
        .flatten()
}

/// The interval implied by a poll counter on the calls.
fn counter_interval(v: &VariantData, path: &str, o: &PollingOptions) -> Option<f64> {
    let polls = |c: &Call| -> Option<f64> {
        ["polls", "poll_count", "checks"].iter().find_map(|k| {
            let a = &c.span.attributes;
            a.get(k)
                .or_else(|| a.get(&format!("counter.{k}")))
                .and_then(|s| s.parse::<f64>().ok())
        })
    };
    let estimates: Vec<f64> = v
        .runs
        .iter()
        .flat_map(|r| r.calls_of(path))
        .filter(|c| c.single())
        .filter_map(|c| {
            let n = polls(c)?;
            (n >= 2.0).then(|| c.duration() / (n - 1.0))
        })
        .collect();
    if estimates.len() < o.min_calls.max(1) {
        return None;
    }
    let i = median(&estimates)?;
    Some(snap(i).unwrap_or(i))
}

#[cfg(test)]
mod tests;
