//! Without `PERFWATCH_SPANS`, or paused, the probe writes nothing.

use crate::harness::{self, scenario as run};
use perfwatch::{counter, gauge, span};

pub fn scenario() {
    assert!(!perfwatch::is_enabled());
    let s = span!("job", tier = System);
    assert!(!s.is_recording());
    assert_eq!(s.id(), None);
    counter!("c", 1);
    gauge!("g", 1);
    assert_eq!(perfwatch::current_span_id(), None);
    assert_eq!(perfwatch::child_env(), None);
    drop(s);
    perfwatch::flush();
    assert_eq!(perfwatch::stats(), perfwatch::ProbeStats::default());
}

pub fn paused_scenario() {
    {
        let _before = span!("before");
    }
    let open = span!("spanning");
    perfwatch::set_recording(false);
    assert!(!perfwatch::is_enabled());
    {
        let _paused = span!("paused");
        counter!("paused.counter", 1);
    }
    perfwatch::set_recording(true);
    drop(open);
    {
        let _after = span!("after");
    }
    perfwatch::flush();
    assert!(perfwatch::stats().enabled);
}

#[test]
fn disabled_probe_writes_nothing() {
    let run = run("disabled").without_spans().run();
    assert!(run.records.is_empty());
    let left: Vec<_> = std::fs::read_dir(run.dir.path()).unwrap().collect();
    assert!(left.is_empty(), "no file made: {left:?}");
}

#[test]
fn empty_spans_variable_means_disabled() {
    let run = run("disabled")
        .without_spans()
        .env(perfwatch::ENV_SPANS, "")
        .run();
    assert!(run.records.is_empty());
    assert!(!harness::spans_path(run.dir.path()).exists());
}

#[test]
fn paused_probe_records_nothing_new() {
    let run = run("paused").run();
    let names: Vec<_> = run.spans().into_iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        ["before", "spanning", "after"],
        "spans open when paused still close"
    );
    assert_eq!(run.records.len(), 3, "no counters either");
}
