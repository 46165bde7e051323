//! `load_errors`: requests that were not served under load ("4.2 % of
//! requests failed: 5xx 120, timeouts 30").
//!
//! The load's counts are the variant's service summary (summed over its
//! counted runs, as its report shows them). A due
//! request (sent, or dropped because no connection was free) is served
//! when it was answered 2xx or 3xx; the **error rate** is the share of due
//! requests not served, as `LoadSummary::error_rate` counts it. The rule
//! fires when the rate is at least `error_rate_high` (1 %) or when any
//! request timed out. The evidence splits the failures by status class
//! (4xx, 5xx, other), timeouts, connect and transport errors and drops;
//! the advice follows the largest of them.
//!
//! Confidence is high — failures are counted, not inferred — and lower for
//! a handful of failures, which one hiccup can make. Failures are not
//! time: `impact_s` is 0; but the latency of a run with failures is not
//! that of a healthy service (a fast error flatters it).

use super::super::context::VariantData;
use super::super::format::{number, pct};
use super::super::{finding, FindingOptions, RuleKind};
use perfwatch_model::Finding;

/// Fewest failures for full confidence.
const MANY_FAILURES: u64 = 10;

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    load_errors(&all[me], opts).into_iter().collect()
}

fn load_errors(v: &VariantData, opts: &FindingOptions) -> Option<Finding> {
    // The variant's summary: the figures its report shows.
    let s = v.service.as_deref()?;
    let rate = s.unserved_share()?;
    if rate < opts.service.error_rate_high && s.timeouts == 0 {
        return None;
    }
    let failed = s.unserved();
    let other_status = s.status.informational + s.status.other;
    let causes = [
        ("5xx", s.status.server_error),
        ("4xx", s.status.client_error),
        ("timeouts", s.timeouts),
        ("connect errors", s.errors.connect),
        ("transport errors", s.errors.transport),
        ("dropped", s.dropped),
        ("other status", other_status),
    ];
    let listed: Vec<String> = causes
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{what} {}", number(*n as f64)))
        .collect();
    let mut f = finding(RuleKind::LoadErrors, v, None);
    f.title = format!(
        "{} of requests failed under load ({})",
        pct(rate),
        listed.join(", ")
    );
    let e = &mut f.evidence;
    for (key, n) in [
        ("due_requests", s.due()),
        ("served", s.status.ok()),
        ("status_4xx", s.status.client_error),
        ("status_5xx", s.status.server_error),
        ("status_other", other_status),
        ("timeouts", s.timeouts),
        ("connect_errors", s.errors.connect),
        ("transport_errors", s.errors.transport),
        ("dropped", s.dropped),
        ("late", s.late),
        ("runs", s.iterations as u64),
    ] {
        e.insert(key.into(), n as f64);
    }
    e.insert("error_rate".into(), rate);
    f.confidence = if failed >= MANY_FAILURES { 0.9 } else { 0.6 };
    // The largest cause; on a tie, the first listed.
    let (main, _) = causes
        .iter()
        .rev()
        .copied()
        .max_by_key(|&(_, n)| n)
        .filter(|&(_, n)| n > 0)?;
    f.recommendation = format!(
        "{} Failures are not time: no saving per run is claimed, but the figures of a \
         run with failures are not those of a healthy service (fast errors flatter the \
         latency).",
        advice(main)
    );
    f.effort = Some("medium".into());
    Some(f)
}

/// What to do about the largest kind of failure.
fn advice(cause: &str) -> &'static str {
    match cause {
        "5xx" => {
            "The service answers 5xx under load: look in its log (the run's stderr tail) for \
             what fails — an exhausted pool, a dependency timing out, an unhandled error — \
             and fix or bound it."
        }
        "4xx" => {
            "The service refuses requests with 4xx: check the load's requests (path, method, \
             body, authentication); 429 means rate limiting — raise the limit or lower the \
             benchmark's rate."
        }
        "timeouts" => {
            "Requests time out: at this load the service cannot answer within the request \
             timeout — it is saturated (a scan over `concurrency` or `rate` shows where) or \
             a request hangs on something."
        }
        "connect errors" => {
            "Connections are refused: the service's listen backlog, connection limit or \
             file descriptors are too few for the load."
        }
        "transport errors" => {
            "Connections break during the exchange (reset, closed early): a worker crashes, \
             a keep-alive limit closes them, or the answer is malformed."
        }
        "dropped" => {
            "Requests were never sent because every connection was busy: the service could \
             not keep up with the offered rate — lower the rate or raise its capacity."
        }
        _ => "The service answers with unusual statuses (1xx, 600 and above): check what it sends.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::testkit::{apply_rule, load, run, session, variant};
    use perfwatch_model::{LoadSummary, SessionExport};

    /// Four runs of a 1000-request load changed by `change`.
    fn with(change: impl Fn(&mut LoadSummary)) -> SessionExport {
        let its = (0..4)
            .map(|i| {
                let mut l = load(100.0, 0.01, 0.03);
                change(&mut l);
                let mut r = run(i).service(0.2, 0.05, Some(l));
                r.advance(1.0, true);
                r.finish()
            })
            .collect();
        session(vec![variant("v", its)])
    }

    #[test]
    fn server_errors_above_the_threshold_are_told_by_class() {
        let fs = apply_rule(
            find,
            &with(|l| {
                l.status.success -= 30;
                l.status.server_error += 25;
                l.status.client_error += 5;
            }),
        );
        assert_eq!(fs.len(), 1, "{fs:?}");
        let f = &fs[0];
        assert_eq!(
            f.title,
            "3.0 % of requests failed under load (5xx 100, 4xx 20)"
        );
        assert_eq!(f.evidence["status_5xx"], 100.0);
        assert_eq!(f.evidence["status_4xx"], 20.0);
        assert_eq!(f.evidence["due_requests"], 4000.0);
        assert!((f.evidence["error_rate"] - 0.03).abs() < 1e-12);
        assert_eq!(f.confidence, 0.9);
        assert_eq!(f.impact_s, 0.0);
        assert!(f.recommendation.starts_with("The service answers 5xx"));
    }

    #[test]
    fn one_timeout_is_enough_but_with_less_confidence() {
        let fs = apply_rule(
            find,
            &with(|l| {
                if l.sent > 0 {
                    l.completed -= 1;
                    l.status.success -= 1;
                    l.timeouts = 1;
                }
            }),
        );
        assert_eq!(fs.len(), 1, "{fs:?}");
        assert_eq!(fs[0].evidence["timeouts"], 4.0);
        assert_eq!(fs[0].confidence, 0.6);
        assert!(fs[0].recommendation.starts_with("Requests time out"));
    }

    #[test]
    fn drops_and_connection_errors_count() {
        let fs = apply_rule(
            find,
            &with(|l| {
                l.dropped = 40;
                l.sent -= 10;
                l.completed -= 10;
                l.status.success -= 10;
                l.errors.connect = 10;
            }),
        );
        let e = &fs[0].evidence;
        assert_eq!(e["dropped"], 160.0);
        assert_eq!(e["connect_errors"], 40.0);
        assert!(fs[0].recommendation.starts_with("Requests were never sent"));
    }

    #[test]
    fn a_few_errors_below_the_threshold_are_silent() {
        let few = with(|l| {
            l.status.success -= 5;
            l.status.server_error += 5;
        });
        assert!(apply_rule(find, &few).is_empty());
        assert!(apply_rule(find, &with(|_| {})).is_empty());
    }
}
