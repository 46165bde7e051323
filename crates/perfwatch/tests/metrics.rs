//! Counters and gauges.

use crate::harness::scenario as run;
use perfwatch::{counter, gauge, span};
use perfwatch_model::span_file::SpanRecord;

pub fn scenario() {
    {
        let _w = span!("work");
        for _ in 0..5 {
            counter!("cache.hits", 1);
        }
        counter!("bytes", 2.5);
        {
            let _inner = span!("inner");
            counter!("cache.hits", 10u8);
        }
        gauge!("pool.size", 8.0);
    }
    for _ in 0..3 {
        counter!("top.level", 1);
    }
    // Counters inside folded calls sum into the aggregate's counter.
    for _ in 0..1_500 {
        let _h = span!("hot");
        counter!("hot.items", 2);
    }
    counter!("nan", f64::NAN);
    perfwatch::flush();
}

fn counters(run: &crate::harness::Run, name: &str) -> Vec<(f64, Option<String>)> {
    run.records
        .iter()
        .filter_map(|r| match r {
            SpanRecord::Counter {
                name: n,
                value,
                span,
            } if n == name => Some((*value, span.as_ref().map(|s| s.to_string()))),
            _ => None,
        })
        .collect()
}

#[test]
fn counters_are_summed_per_span() {
    let run = run("metrics").run();
    let work = run.one("work");
    let inner = run.one("inner");
    let mut hits = counters(&run, "cache.hits");
    hits.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(hits, [(5.0, Some(work.id.clone())), (10.0, Some(inner.id))]);
    assert_eq!(counters(&run, "bytes"), [(2.5, Some(work.id))]);
    assert_eq!(counters(&run, "top.level"), [(3.0, None)]);
    let hot: f64 = counters(&run, "hot.items").iter().map(|c| c.0).sum();
    assert_eq!(hot, 3_000.0);
    let spans: std::collections::HashSet<_> = counters(&run, "hot.items")
        .into_iter()
        .map(|c| c.1)
        .collect();
    assert_eq!(
        spans.len(),
        1_001,
        "1,000 individual spans, then one aggregate for the folded calls"
    );
    assert!(
        counters(&run, "nan").is_empty(),
        "non-finite values are dropped, not written"
    );
}

#[test]
fn gauges_are_recorded() {
    let run = run("metrics").run();
    let gauges: Vec<_> = run
        .records
        .iter()
        .filter_map(|r| match r {
            SpanRecord::Gauge {
                name,
                value,
                unix_ns,
            } => Some((name.clone(), *value, *unix_ns)),
            _ => None,
        })
        .collect();
    assert_eq!(gauges.len(), 1);
    let work = run.one("work");
    let (name, value, at) = &gauges[0];
    assert_eq!((name.as_str(), *value), ("pool.size", 8.0));
    let at = at.expect("gauges carry their time");
    assert!(at >= work.start && at <= work.end);
}
