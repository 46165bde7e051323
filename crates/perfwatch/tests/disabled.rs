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

/// Spans of every tier, an untiered one inside the finest.
pub fn levels_scenario() {
    let _system = span!("system", tier = System);
    let _component = span!("component", tier = Component);
    let _method = span!("method", tier = Method);
    let _operation = span!("operation", tier = Operation);
    let _untiered = span!("untiered");
}

#[test]
fn perfwatch_level_records_that_tier_and_coarser_only() {
    let names = |level: Option<&str>| {
        let mut s = run("levels");
        if let Some(l) = level {
            s = s.env(perfwatch::ENV_LEVEL, l);
        }
        let mut names: Vec<String> = s
            .run()
            .spans()
            .into_iter()
            .map(|s| s.name.to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(None),
        ["component", "method", "operation", "system", "untiered"]
    );
    assert_eq!(
        names(Some("component")),
        ["component", "system", "untiered"]
    );
    assert_eq!(names(Some("System")), ["system", "untiered"]);
    // An unknown level is ignored, as every probe variable that does not
    // parse: everything records.
    assert_eq!(names(Some("verbose")).len(), 5);
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
