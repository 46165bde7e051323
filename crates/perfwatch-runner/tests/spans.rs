//! Stages reported through the span file.

use crate::harness::*;
use perfwatch_model::Tier;
use perfwatch_runner::source::OVER_SPAN_LIMIT;
use perfwatch_runner::{ProbeFileSource, SpanSource};

/// A program that reports three nested spans, one aggregate, a counter,
/// a garbage line and a truncated last line.
const PROBE: &str = r#"
import json, os, time
path = os.environ["PERFWATCH_SPANS"]
it = os.environ["PERFWATCH_ITERATION"]
t0 = time.time_ns()
time.sleep(0.02)
t1 = time.time_ns()
with open(path, "a") as f:
    def span(i, parent, name, start, end, tier=None):
        rec = {"type": "span", "id": f"{it}-{i}", "parent": parent, "name": name,
               "start_unix_ns": start, "end_unix_ns": end}
        if tier: rec["tier"] = tier
        f.write(json.dumps(rec) + "\n")
    span(1, None, "job", t0, t1)
    span(2, f"{it}-1", "load", t0, t1)
    span(3, f"{it}-2", "query", t0, t1, tier="operation")
    f.write(json.dumps({"type": "agg", "id": f"{it}-4", "parent": f"{it}-1", "name": "parse",
                        "start_unix_ns": t0, "end_unix_ns": t1, "calls": 50, "failed": 0,
                        "total_ns": 5000000}) + "\n")
    f.write(json.dumps({"type": "counter", "name": "rows", "value": 12}) + "\n")
    f.write("this is not json\n")
    f.write('{"type":"span","id":"x","name":"cut-off","start_unix_ns":1')
"#;

#[test]
fn the_probe_file_is_read_assembled_and_removed() {
    let mut plan = argv(&["python3", "-c", PROBE], 2);
    plan.sample_interval = None;
    let src = ProbeFileSource::new().unwrap();
    let files = [src.path(0), src.path(1)];
    let mut sources: Vec<Box<dyn SpanSource>> = vec![Box::new(src)];
    let out = run_with(&plan, &mut sources);
    assert_eq!(out.iterations.len(), 2);
    for it in &out.iterations {
        assert!(it.succeeded(), "{it:?}");
        let names: Vec<&str> = it.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["job", "load", "query", "parse"]);
        let tiers: Vec<Tier> = it.stages.iter().map(|s| s.tier).collect();
        assert_eq!(
            tiers,
            [
                Tier::System,
                Tier::Component,
                Tier::Operation,
                Tier::Component
            ]
        );
        let (job, load, query) = (&it.stages[0], &it.stages[1], &it.stages[2]);
        assert_eq!(load.parent, Some(job.id));
        assert_eq!(query.parent, Some(load.id));
        assert_eq!(it.stages[3].calls, 50);
        assert!(
            job.start_s >= 0.0 && job.end_s <= it.wall_s + 0.01,
            "{job:?}"
        );
        assert!(job.duration_s() >= 0.015);
        assert_eq!(it.counters["rows"], 12.0);
        assert_eq!(it.dropped_spans.get("invalid JSON"), Some(&1));
        assert_eq!(it.dropped_spans.get("truncated line"), Some(&1));
    }
    assert!(files.iter().all(|f| !f.exists()), "span files are deleted");
}

#[test]
fn a_command_without_the_probe_has_no_stages() {
    let mut sources: Vec<Box<dyn SpanSource>> = vec![Box::new(ProbeFileSource::new().unwrap())];
    let out = run_with(&argv(&["true"], 1), &mut sources);
    assert!(out.iterations[0].stages.is_empty());
    assert!(out.iterations[0].dropped_spans.is_empty());
}

/// Writes 12 flat spans under a root and a counter: 13 span records.
const MANY: &str = r#"
import json, os, time
t = time.time_ns()
with open(os.environ["PERFWATCH_SPANS"], "a") as f:
    f.write(json.dumps({"type": "span", "id": "r", "name": "job",
                        "start_unix_ns": t, "end_unix_ns": t + 1000}) + "\n")
    for i in range(12):
        f.write(json.dumps({"type": "span", "id": f"s{i}", "parent": "r", "name": "step",
                            "start_unix_ns": t + i, "end_unix_ns": t + i + 1}) + "\n")
    f.write(json.dumps({"type": "counter", "name": "rows", "value": 3}) + "\n")
"#;

#[test]
fn an_iteration_over_the_span_limit_keeps_the_limit_and_counts_the_rest_dropped() {
    let mut plan = argv(&["python3", "-c", MANY], 2);
    plan.sample_interval = None;
    plan.max_spans = 5;
    let mut sources: Vec<Box<dyn SpanSource>> = vec![Box::new(ProbeFileSource::new().unwrap())];
    let out = run_with(&plan, &mut sources);
    assert_eq!(out.iterations.len(), 2, "the run goes on");
    for it in &out.iterations {
        assert!(it.succeeded(), "{it:?}");
        assert_eq!(it.stages.len(), 5, "the first records are kept");
        assert_eq!(it.stages[0].name, "job");
        assert_eq!(it.dropped_spans.get(OVER_SPAN_LIMIT), Some(&8));
        assert_eq!(it.dropped_spans.len(), 1, "{:?}", it.dropped_spans);
        assert_eq!(it.counters["rows"], 3.0, "counters are not spans");
    }
}
