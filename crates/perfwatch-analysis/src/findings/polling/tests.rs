use super::*;
use crate::findings::testkit::{rng, run, session, uniform, variant, RunBuilder};
use perfwatch_model::SessionExport;

/// Six runs of three calls of `name` (each built by `call`), separated by
/// 50 ms of busy work.
fn sess(name: &str, mut call: impl FnMut(&mut RunBuilder, &str, usize)) -> SessionExport {
    let its = (0..6)
        .map(|i| {
            let mut r = run(i);
            for c in 0..3 {
                call(&mut r, name, c);
                r.advance(0.05, true);
            }
            r.finish()
        })
        .collect();
    session(vec![variant("v", its)])
}

fn rule(s: &SessionExport) -> Vec<Finding> {
    crate::findings::testkit::apply_rule(find, s)
}

#[test]
fn durations_on_several_multiples_reveal_the_interval() {
    let mut g = rng(11);
    let s = sess("check_status", |r, name, _| {
        let k = [1.0, 2.0, 3.0][(uniform(&mut g, 0.0, 3.0)) as usize];
        r.step(
            name,
            None,
            k * 0.1 + k * uniform(&mut g, 0.0001, 0.0005),
            false,
        );
    });
    let fs = rule(&s);
    assert_eq!(fs.len(), 1, "{fs:?}");
    let f = &fs[0];
    assert_eq!(f.evidence["interval_s"], 0.1);
    assert!(f.evidence["levels"] >= 2.0);
    assert!((f.impact_s - 0.15).abs() < 1e-9, "{}", f.impact_s);
    assert!(f.confidence >= 0.8);
}

#[test]
fn a_constant_stage_polls_only_by_name() {
    let mut g = rng(12);
    let mut constant = |name: &str| {
        sess(name, |r, name, _| {
            r.step(name, None, 0.1 + uniform(&mut g, 0.0001, 0.0005), false);
        })
    };
    let fs = rule(&constant("monitor_download"));
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].evidence["from_name"], 1.0);
    assert!((fs[0].impact_s - 0.15).abs() < 1e-9);
    assert!(fs[0].confidence <= 0.5);
    assert!(rule(&constant("download")).is_empty());
}

#[test]
fn child_checks_give_the_interval() {
    let mut g = rng(13);
    let s = sess("wait_ready", |r, name, c| {
        let id = r.open(name, None);
        for check in 0..(2 + c) {
            if check > 0 {
                r.advance(0.22, false);
            }
            r.step("check", Some(id), 0.03 + uniform(&mut g, 0.0, 0.002), false);
        }
        r.close(id);
    });
    let f = &rule(&s)[0];
    assert_eq!(f.evidence["from_child_checks"], 1.0);
    assert!(
        (f.evidence["interval_s"] - 0.251).abs() < 0.002,
        "{:?}",
        f.evidence
    );
}

#[test]
fn a_poll_counter_gives_the_interval() {
    let s = sess("wait", |r, name, _| {
        let id = r.step(name, None, 0.2004, false);
        let span = r.span(id).unwrap();
        span.attributes.insert("counter.polls".into(), "3".into());
    });
    let f = &rule(&s)[0];
    assert_eq!(f.evidence["from_poll_counter"], 1.0);
    assert_eq!(f.evidence["interval_s"], 0.1);
}

#[test]
fn cold_starts_busy_stages_and_continuous_durations_are_not_polling() {
    // 170 ms then 20 ms: two levels on a 10 ms grid happen by chance.
    let s = sess("fetch", |r, name, c| {
        r.step(name, None, if c == 0 { 0.1702 } else { 0.0203 }, false);
    });
    assert!(rule(&s).is_empty());
    // Busy durations on a 100 ms grid.
    let mut g = rng(14);
    let s = sess("check_status", |r, name, _| {
        let k = [1.0, 2.0, 3.0][(uniform(&mut g, 0.0, 3.0)) as usize];
        r.step(name, None, k * 0.1, true);
    });
    assert!(rule(&s).is_empty());
    // Continuous waits (network latency).
    let mut g = rng(15);
    let s = sess("request", |r, name, _| {
        r.step(name, None, uniform(&mut g, 0.05, 0.4), false);
    });
    assert!(rule(&s).is_empty());
}

#[test]
fn regular_children_that_fill_the_call_are_work_not_checks() {
    let s = sess("batch", |r, name, _| {
        let id = r.open(name, None);
        for _ in 0..4 {
            r.step("item", Some(id), 0.1002, false);
        }
        r.close(id);
    });
    assert!(rule(&s).is_empty(), "{:?}", rule(&s));
}

/// The child-check interval as it was first written: for each call, a scan
/// of every call of the run for its children (quadratic, but plainly
/// right), the reference the indexed version must agree with.
fn child_interval_by_scan(v: &VariantData, path: &str, o: &PollingOptions) -> Option<f64> {
    let mut gaps = Vec::new();
    let (mut calls, mut polled) = (0usize, 0usize);
    for r in &v.runs {
        for (i, _) in r
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| &*c.path == path && c.single())
        {
            calls += 1;
            let mut by_name: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            for child in r.calls.iter().filter(|k| k.parent == Some(i)) {
                by_name
                    .entry(&child.span.name)
                    .or_default()
                    .push(child.span.start_s);
            }
            let Some(starts) = by_name.into_values().max_by_key(Vec::len) else {
                continue;
            };
            if starts.len() >= 2 {
                polled += 1;
                gaps.extend(starts.windows(2).map(|w| w[1] - w[0]));
            }
        }
    }
    if gaps.len() < 3 || 2 * polled < calls {
        return None;
    }
    let (mean, sd) = mean_sd(&gaps)?;
    (mean > 0.0 && sd / mean <= o.max_gap_cv)
        .then(|| median(&gaps))
        .flatten()
}

mod quadratic_child_interval {
    use super::*;
    use perfwatch_model::{Iteration, Span, Tier};
    use proptest::prelude::*;

    /// `(parent slot, name, start, length, aggregated)` per span; the
    /// parent slot picks an earlier id, none, or an id no span has.
    fn spans(raw: &[(u8, u8, u8, u8, bool)]) -> Vec<Span> {
        raw.iter()
            .enumerate()
            .map(|(i, &(p, name, start, len, agg))| {
                let id = i as u64 + 1;
                let parent = match p % 4 {
                    0 => None,
                    3 => Some(999),
                    _ => Some(u64::from(p) % id.max(1) + 1).filter(|&q| q != id),
                };
                let start_s = f64::from(start % 16) * 0.01;
                Span {
                    id,
                    parent,
                    name: ["poll", "check", "wait", "x"][usize::from(name % 4)].into(),
                    tier: Tier::Method,
                    component: None,
                    start_s,
                    end_s: start_s + f64::from(len % 8) * 0.05,
                    ok: true,
                    calls: if agg { 3 } else { 1 },
                    failed_calls: 0,
                    total_s: agg.then_some(0.1),
                    attributes: Default::default(),
                }
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The indexed child-check interval agrees with the scan on
        /// random trees (orphans, aggregates, ties of start and name),
        /// for every path and several gap tolerances.
        #[test]
        fn child_interval_was_quadratic_in_span_count_and_its_index_agrees_with_the_scan(
            runs in proptest::collection::vec(
                proptest::collection::vec(any::<(u8, u8, u8, u8, bool)>(), 0..40),
                1..4,
            ),
            cv in 0.0f64..2.0,
        ) {
            let its: Vec<Iteration> = runs
                .iter()
                .enumerate()
                .map(|(k, raw)| Iteration {
                    index: k as u32,
                    wall_s: 1.0,
                    stages: spans(raw),
                    ..Iteration::default()
                })
                .collect();
            let export = variant("v", its);
            let v = VariantData::new(&export);
            let o = PollingOptions { max_gap_cv: cv, ..PollingOptions::default() };
            for path in &v.paths {
                prop_assert_eq!(child_interval(&v, path, &o), child_interval_by_scan(&v, path, &o));
            }
            for r in &v.runs {
                for i in 0..r.calls.len() {
                    let scanned: Vec<*const Call> = r.calls.iter()
                        .filter(|k| k.parent == Some(i)).map(|k| k as *const Call).collect();
                    let indexed: Vec<*const Call> = r.children_of(i).map(|k| k as *const Call).collect();
                    prop_assert_eq!(scanned, indexed);
                }
            }
        }
    }
}
