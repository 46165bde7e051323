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
