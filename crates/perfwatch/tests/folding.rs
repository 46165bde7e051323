//! Past the per-stage cap, calls fold into `agg` records.

use crate::harness::scenario as run;
use perfwatch::span;

pub fn scenario() {
    let _outer = span!("outer");
    for i in 0..2_500u32 {
        let s = span!("hot");
        if i % 10 == 0 {
            s.fail();
        }
        let _inner = span!("inner");
    }
    drop(_outer);
    perfwatch::flush();
    // A second flush writes only what is new.
    for _ in 0..3 {
        for _ in 0..800 {
            let _s = span!("late");
        }
        perfwatch::flush();
    }
}

#[perfwatch::profile]
fn tree(depth: u32) -> u32 {
    if depth == 0 {
        1
    } else {
        tree(depth - 1) + tree(depth - 1)
    }
}

pub fn recursion_scenario() {
    assert_eq!(tree(12), 4096);
    perfwatch::flush();
}

#[test]
fn calls_past_the_cap_fold_into_aggregates() {
    let run = run("folding").run();
    let outer = run.one("outer");
    let hot = run.named("hot");
    assert_eq!(hot.len(), 1_000);
    let aggs = run.aggs("hot");
    assert!(!aggs.is_empty());
    assert!(aggs.iter().all(|a| a.parent.as_ref() == Some(&outer.id)));
    assert!(
        aggs.windows(2).all(|w| w[0].id == w[1].id),
        "parts of one aggregate share its id"
    );
    assert_eq!(run.calls("hot"), 2_500);
    let failed =
        hot.iter().filter(|s| !s.ok).count() as u64 + aggs.iter().map(|a| a.failed).sum::<u64>();
    assert_eq!(failed, 250);
    assert!(aggs.iter().all(|a| a.total_ns > 0 || a.calls == 0));
    // Children of folded calls fold under the aggregate.
    assert_eq!(run.calls("inner"), 2_500);
    let agg_id = &aggs[0].id;
    let under_agg = run
        .named("inner")
        .into_iter()
        .filter(|s| s.parent.as_ref() == Some(agg_id))
        .count();
    assert_eq!(
        under_agg, 1_000,
        "1,000 individual calls under the aggregate, the rest folded"
    );
    assert!(run
        .aggs("inner")
        .iter()
        .all(|a| a.parent.as_ref() == Some(agg_id)));
}

#[test]
fn flushes_write_only_what_is_new() {
    let run = run("folding").run();
    assert_eq!(run.calls("late"), 2_400);
    let aggs = run.aggs("late");
    let parts: Vec<_> = aggs.iter().map(|a| a.calls).collect();
    // Written in parts (the writer may split a round too), each new calls only.
    assert!(
        parts.len() >= 2 && parts.iter().all(|&c| c > 0),
        "{parts:?}"
    );
    assert!(aggs.iter().all(|a| a.id == aggs[0].id && a.name == "late"));
}

#[test]
fn the_cap_comes_from_the_environment() {
    let run = run("folding").env(perfwatch::ENV_MAX_CALLS, "10").run();
    assert_eq!(run.named("hot").len(), 10);
    assert_eq!(run.calls("hot"), 2_500);
    assert_eq!(run.calls("inner"), 2_500);
}

#[test]
fn deep_recursion_stays_bounded() {
    let run = run("recursion").env(perfwatch::ENV_MAX_CALLS, "10").run();
    assert_eq!(run.calls("tree"), 8_191);
    // Every level is a new parent; the per-stage budget (10 × the cap) still
    // bounds the individual records.
    assert!(
        run.named("tree").len() <= 100,
        "{}",
        run.named("tree").len()
    );
    assert!(run.records.len() < 400, "{} records", run.records.len());
}
