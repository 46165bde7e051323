use super::*;

const SPAWN: u64 = 1_700_000_000_000_000_000;

fn records(lines: &[&str]) -> Vec<SpanRecord> {
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn span(
    id: &str,
    parent: Option<&str>,
    name: &str,
    tier: Option<&str>,
    start_ms: u64,
    end_ms: u64,
) -> String {
    let ns = |ms: u64| SPAWN + ms * 1_000_000;
    serde_json::json!({
        "type": "span", "id": id, "parent": parent, "name": name, "tier": tier,
        "start_unix_ns": ns(start_ms), "end_unix_ns": ns(end_ms),
    })
    .to_string()
}

fn by_name<'a>(a: &'a Assembled, name: &str) -> &'a Span {
    a.spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name}"))
}

fn dropped(a: &Assembled) -> Vec<(&str, u64)> {
    a.dropped.iter().map(|(k, v)| (k.as_str(), *v)).collect()
}

#[test]
fn nesting_ids_times_and_depth_tiers() {
    let a = assemble(
        records(&[
            &span("9-1", None, "job", None, 0, 1000),
            &span("9-2", Some("9-1"), "load", None, 100, 300),
            &span("9-3", Some("9-2"), "read", Some("operation"), 110, 120),
            &span("9-4", Some("9-3"), "deep", None, 111, 112),
            &span("9-5", Some("9-4"), "deeper", None, 111, 112),
        ]),
        SPAWN,
    );
    assert!(a.dropped.is_empty(), "{:?}", a.dropped);
    let job = by_name(&a, "job");
    let load = by_name(&a, "load");
    let read = by_name(&a, "read");
    assert_eq!((job.id, job.parent, job.tier), (1, None, Tier::System));
    assert_eq!((load.parent, load.tier), (Some(job.id), Tier::Component));
    assert_eq!((read.parent, read.tier), (Some(load.id), Tier::Operation));
    assert_eq!(by_name(&a, "deep").tier, Tier::Operation, "depth 3");
    assert_eq!(
        by_name(&a, "deeper").tier,
        Tier::Operation,
        "depth 4 stays operation"
    );
    assert!((load.start_s - 0.1).abs() < 1e-9 && (load.end_s - 0.3).abs() < 1e-9);
}

#[test]
fn aggregate_parts_with_one_id_are_merged() {
    let a = assemble(
        records(&[
            &span("1", None, "job", None, 0, 1000),
            r#"{"type":"agg","id":"2","parent":"1","name":"parse","start_unix_ns":1700000000200000000,"end_unix_ns":1700000000300000000,"calls":10,"failed":0,"total_ns":10000000}"#,
            r#"{"type":"agg","id":"2","parent":"1","name":"parse","start_unix_ns":1700000000100000000,"end_unix_ns":1700000000500000000,"calls":5,"failed":2,"total_ns":5000000}"#,
        ]),
        SPAWN,
    );
    assert!(a.dropped.is_empty(), "{:?}", a.dropped);
    let parse: Vec<&Span> = a.spans.iter().filter(|s| s.name == "parse").collect();
    assert_eq!(parse.len(), 1);
    let p = parse[0];
    assert_eq!((p.calls, p.failed_calls, p.ok), (15, 2, false));
    assert!((p.duration_s() - 0.015).abs() < 1e-9);
    assert!((p.start_s - 0.1).abs() < 1e-9 && (p.end_s - 0.5).abs() < 1e-9);
}

#[test]
fn a_span_reusing_an_aggregate_id_is_still_a_duplicate() {
    let a = assemble(
        records(&[
            r#"{"type":"agg","id":"2","name":"parse","start_unix_ns":1700000000200000000,"end_unix_ns":1700000000300000000,"calls":10,"total_ns":10000000}"#,
            &span("2", None, "other", None, 0, 10),
        ]),
        SPAWN,
    );
    assert_eq!(dropped(&a), vec![("duplicate id", 1)]);
}

#[test]
fn aggregates_become_one_span_with_calls() {
    let a = assemble(
        records(&[
            &span("1", None, "job", None, 0, 1000),
            r#"{"type":"agg","id":"2","parent":"1","name":"parse","tier":"operation","start_unix_ns":1700000000100000000,"end_unix_ns":1700000000400000000,"calls":1000,"failed":3,"total_ns":90000000}"#,
        ]),
        SPAWN,
    );
    let parse = by_name(&a, "parse");
    assert_eq!(
        (parse.calls, parse.failed_calls, parse.ok),
        (1000, 3, false)
    );
    assert!((parse.duration_s() - 0.09).abs() < 1e-9);
    assert_eq!(parse.parent, Some(1));
}

#[test]
fn bad_records_are_counted_and_children_reattached() {
    let a = assemble(
        records(&[
            &span("1", None, "job", None, 0, 1000),
            &span("2", Some("1"), "typo", Some("metod"), 10, 20),
            &span("3", Some("2"), "under-typo", None, 11, 12),
            &span("4", Some("missing"), "orphan", None, 30, 40),
            &span("1", None, "dup", None, 0, 1),
            &span("5", Some("1"), "backwards", None, 50, 40),
            &span("6", Some("6"), "self", None, 50, 60),
            &serde_json::json!({"type": "agg", "id": "7", "name": "none",
                "start_unix_ns": SPAWN, "end_unix_ns": SPAWN + 1, "calls": 0, "total_ns": 0})
            .to_string(),
        ]),
        SPAWN,
    );
    assert_eq!(
        dropped(&a),
        vec![
            ("aggregate without calls", 1),
            ("duplicate id", 1),
            ("end before start", 1),
            ("unknown parent", 2),
            ("unknown tier", 1),
        ]
    );
    let names: Vec<&str> = a.spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["job", "under-typo", "orphan", "self"]);
    let under = by_name(&a, "under-typo");
    assert_eq!((under.parent, under.tier), (Some(1), Tier::Component));
    assert_eq!(by_name(&a, "orphan").parent, None);
    assert_eq!(by_name(&a, "self").parent, None);
}

#[test]
fn parent_cycles_are_cut() {
    let a = assemble(
        records(&[
            &span("a", Some("b"), "a", None, 0, 10),
            &span("b", Some("a"), "b", None, 0, 10),
            &span("c", Some("b"), "c", None, 0, 10),
        ]),
        SPAWN,
    );
    assert_eq!(dropped(&a), vec![("parent cycle", 1)]);
    let roots = a.spans.iter().filter(|s| s.parent.is_none()).count();
    assert_eq!(roots, 1);
    assert!(a.spans.iter().all(|s| s.tier <= Tier::Method));
}

#[test]
fn counters_sum_and_gauges_keep_last_min_max() {
    let a = assemble(
        records(&[
            &span("1", None, "job", None, 0, 1000),
            r#"{"type":"counter","name":"hits","value":2,"span":"1"}"#,
            r#"{"type":"counter","name":"hits","value":3.5}"#,
            r#"{"type":"counter","name":"hits","value":1,"span":"1"}"#,
            r#"{"type":"gauge","name":"pool","value":8,"unix_ns":20}"#,
            r#"{"type":"gauge","name":"pool","value":2,"unix_ns":10}"#,
            r#"{"type":"gauge","name":"pool","value":5,"unix_ns":30}"#,
        ]),
        SPAWN,
    );
    assert_eq!(a.counters["hits"], 6.5);
    assert_eq!(by_name(&a, "job").attributes["counter.hits"], "3");
    assert_eq!(a.gauges["pool"], 5.0);
    assert_eq!(a.gauges["pool.min"], 2.0);
    assert_eq!(a.gauges["pool.max"], 8.0);
}

#[test]
fn nothing_in_nothing_out() {
    assert_eq!(assemble(Vec::new(), SPAWN), Assembled::default());
}

/// Issue 13, item 12: two `agg` parts of u64::MAX calls were stored as −2
/// calls, counters of 1e308 became null, and a span from 1 ns to u64::MAX
/// ns showed as 584 years with a 100 % share.
#[test]
fn numbers_out_of_range_are_dropped_by_reason_never_wrapped() {
    let agg = |calls: u64| {
        serde_json::json!({
            "type": "agg", "id": "a", "name": "poll", "start_unix_ns": SPAWN,
            "end_unix_ns": SPAWN + 1_000, "calls": calls, "total_ns": 10
        })
        .to_string()
    };
    let big = MAX_CALLS - 1;
    let a = assemble(
        records(&[
            &agg(big),
            &agg(big),
            &agg(u64::MAX),
            &serde_json::json!({"type": "span", "id": "s", "name": "forever",
                "start_unix_ns": 1u64, "end_unix_ns": u64::MAX})
            .to_string(),
            r#"{"type":"counter","name":"bytes","value":1e308}"#,
            r#"{"type":"counter","name":"bytes","value":1e308}"#,
        ]),
        SPAWN,
    );
    let poll = by_name(&a, "poll");
    assert_eq!(poll.calls, MAX_CALLS, "merged parts stop at the bound");
    assert!(i64::try_from(poll.calls).is_ok());
    assert!(a.spans.iter().all(|s| s.name != "forever"));
    assert_eq!(a.counters.get("bytes"), Some(&1e308));
    assert_eq!(
        dropped(&a),
        [
            ("count out of range", 1),
            ("counter total out of range", 1),
            ("times outside the iteration", 1)
        ]
    );
}
