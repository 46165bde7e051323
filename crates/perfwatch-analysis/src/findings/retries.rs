//! `retries`: calls that fail and are repeated ("still requires retry
//! logic").
//!
//! Within a run, the calls of one stage under one parent call are taken in
//! start order; a failed call (`ok` false) followed by another call of the
//! same stage there is a retried attempt, and its duration is time lost. An
//! aggregated record (many calls folded into one) cannot show order: its
//! failed calls are assumed retried and to have lasted an average call
//! (`duration × failed / calls`). A failure that is not followed by another
//! attempt is a plain failure, not counted here.
//!
//! Saving per run: the **mean** over runs of the time in retried attempts —
//! the mean rather than the median because retries are often occasional,
//! and an occasional cost is still a cost.

use super::context::{Call, VariantData};
use super::format::{saves, secs};
use super::{finding, FindingOptions, RuleKind};
use perfwatch_model::Finding;
use perfwatch_stats::median;
use std::collections::BTreeMap;

/// Per stage path: per run, (seconds in retried attempts, attempts), plus
/// the durations of single failed attempts.
type Lost = BTreeMap<std::sync::Arc<str>, (Vec<(f64, f64)>, Vec<f64>)>;

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    let n = v.runs.len();
    let mut lost: Lost = BTreeMap::new();
    for (ri, r) in v.runs.iter().enumerate() {
        let mut groups: BTreeMap<(Option<usize>, &str), Vec<&Call>> = BTreeMap::new();
        for c in &r.calls {
            groups
                .entry((c.parent, c.span.name.as_str()))
                .or_default()
                .push(c);
        }
        for calls in groups.values() {
            for (i, c) in calls.iter().enumerate() {
                let (time, attempts, single) = if c.single() {
                    if c.span.ok || i + 1 == calls.len() {
                        continue;
                    }
                    (c.duration(), 1.0, Some(c.duration()))
                } else if c.span.failed_calls > 0 && c.span.calls > c.span.failed_calls {
                    let share = c.span.failed_calls as f64 / c.span.calls as f64;
                    (c.duration() * share, c.span.failed_calls as f64, None)
                } else {
                    continue;
                };
                let entry = lost
                    .entry(c.path.clone())
                    .or_insert_with(|| (vec![(0.0, 0.0); n], Vec::new()));
                entry.0[ri].0 += time;
                entry.0[ri].1 += attempts;
                entry.1.extend(single);
            }
        }
    }
    lost.into_iter()
        .filter_map(|(path, (per_run, singles))| report(v, &path, &per_run, &singles, opts))
        .collect()
}

fn report(
    v: &VariantData,
    path: &str,
    per_run: &[(f64, f64)],
    singles: &[f64],
    opts: &FindingOptions,
) -> Option<Finding> {
    let n = per_run.len() as f64;
    let lost = per_run.iter().map(|p| p.0).sum::<f64>() / n;
    let attempts = per_run.iter().map(|p| p.1).sum::<f64>() / n;
    let with = per_run.iter().filter(|p| p.1 > 0.0).count() as f64 / n;
    if !opts.worth(lost, v.wall_median) {
        return None;
    }
    let mut f = finding(RuleKind::Retries, v, Some(path));
    f.title = format!(
        "`{path}` fails and is retried {attempts:.1} times per run, losing {} per run",
        secs(lost)
    );
    let e = &mut f.evidence;
    e.insert("retries_per_run".into(), attempts);
    e.insert("lost_per_run_s".into(), lost);
    e.insert("runs_with_retries_fraction".into(), with);
    if let Some(m) = median(singles) {
        e.insert("failed_attempt_s".into(), m);
    }
    f.impact_s = lost;
    f.confidence = if with >= 0.5 { 0.9 } else { 0.7 };
    f.recommendation = format!(
        "Find out why the first attempt of `{path}` fails — often it starts before its \
         precondition holds, and waiting for that condition beats failing and retrying; \
         otherwise make a failing attempt fail fast (a shorter timeout) and retry with a \
         short backoff. Avoiding the failed attempts would {}.",
        saves(lost)
    );
    f.effort = Some("medium".into());
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{run, session, variant};
    use perfwatch_model::SessionExport;

    /// Six runs; in runs where `fails(i)`, the first `activate` attempt
    /// fails after `failed_s` and is retried.
    fn sess(fails: impl Fn(u32) -> bool, failed_s: f64) -> SessionExport {
        let its = (0..6)
            .map(|i| {
                let mut r = run(i);
                let job = r.open("job", None);
                if fails(i) {
                    let id = r.step("activate", Some(job), failed_s, false);
                    r.span(id).unwrap().ok = false;
                }
                r.step("activate", Some(job), 0.3, false);
                r.step("work", Some(job), 0.5, true);
                r.close(job);
                r.finish()
            })
            .collect();
        session(vec![variant("v", its)])
    }

    fn rule(s: &SessionExport) -> Vec<Finding> {
        crate::findings::testkit::apply_rule(find, s)
    }

    #[test]
    fn failed_attempts_before_a_retry_are_lost_time() {
        let fs = rule(&sess(|_| true, 0.8));
        assert_eq!(fs.len(), 1, "{fs:?}");
        assert_eq!(fs[0].stage.as_deref(), Some("job/activate"));
        assert!((fs[0].impact_s - 0.8).abs() < 1e-9);
        assert_eq!(fs[0].evidence["retries_per_run"], 1.0);
        // Occasional retries count by their mean.
        let fs = rule(&sess(|i| i == 2, 0.6));
        assert!((fs[0].impact_s - 0.1).abs() < 1e-9);
        assert!(fs[0].confidence < 0.9);
    }

    #[test]
    fn success_and_unretried_failures_are_not_retries() {
        assert!(rule(&sess(|_| false, 0.0)).is_empty());
        // The last call failing is a failure, not a retry.
        let mut s = sess(|_| false, 0.0);
        for it in &mut s.variants[0].iterations {
            it.stages
                .iter_mut()
                .find(|x| x.name == "activate")
                .unwrap()
                .ok = false;
        }
        assert!(rule(&s).is_empty());
    }

    #[test]
    fn aggregated_records_count_their_failed_share() {
        let mut s = sess(|_| false, 0.0);
        for it in &mut s.variants[0].iterations {
            let span = it.stages.iter_mut().find(|x| x.name == "activate").unwrap();
            span.calls = 10;
            span.failed_calls = 2;
            span.total_s = Some(1.0);
        }
        let fs = rule(&s);
        assert!((fs[0].impact_s - 0.2).abs() < 1e-9);
        assert_eq!(fs[0].evidence["retries_per_run"], 2.0);
    }
}
