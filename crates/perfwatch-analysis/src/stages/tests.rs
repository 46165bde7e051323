//! Tests of the stage tree and the per-variant summaries, on iterations
//! built by hand.

use super::*;
use perfwatch_model::{Iteration, Sample, Span, StageSummary, Tier};
use perfwatch_stats::CiOptions;
use proptest::prelude::*;

/// A single call.
pub(super) fn span(id: u64, parent: Option<u64>, name: &str, start_s: f64, end_s: f64) -> Span {
    Span {
        id,
        parent,
        name: name.to_string(),
        tier: Tier::Method,
        component: None,
        start_s,
        end_s,
        ok: true,
        calls: 1,
        failed_calls: 0,
        total_s: None,
        attributes: Default::default(),
    }
}

/// An aggregated record of `calls` calls summing to `total_s`.
pub(super) fn agg(
    id: u64,
    parent: Option<u64>,
    name: &str,
    (start_s, end_s): (f64, f64),
    calls: u64,
    failed: u64,
    total_s: f64,
) -> Span {
    Span {
        calls,
        failed_calls: failed,
        ok: failed == 0,
        total_s: Some(total_s),
        ..span(id, parent, name, start_s, end_s)
    }
}

/// A counted, successful iteration.
pub(super) fn iteration(index: u32, wall_s: f64, stages: Vec<Span>) -> Iteration {
    Iteration {
        index,
        exit_code: Some(0),
        wall_s,
        stages,
        ..Iteration::default()
    }
}

fn tree_of(spans: Vec<Span>) -> Vec<StageNode> {
    stage_tree(&iteration(0, 1.0, spans))
}

fn node<'a>(tree: &'a [StageNode], path: &str) -> &'a StageNode {
    tree.iter()
        .find(|n| n.path == path)
        .unwrap_or_else(|| panic!("no node {path} in {tree:#?}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn nesting_gives_paths_in_depth_first_order() {
    let tree = tree_of(vec![
        span(1, None, "job", 0.0, 1.0),
        span(4, Some(1), "load", 0.6, 0.9),
        span(2, Some(1), "track", 0.1, 0.5),
        span(3, Some(2), "fetch", 0.2, 0.4),
        span(5, Some(2), "GET /x", 0.4, 0.5),
    ]);
    let got: Vec<(&str, Option<&str>, u32, &str)> = tree
        .iter()
        .map(|n| {
            (
                n.path.as_str(),
                n.parent.as_deref(),
                n.depth,
                n.name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("job", None, 0, "job"),
            ("job/track", Some("job"), 1, "track"),
            ("job/track/fetch", Some("job/track"), 2, "fetch"),
            (r"job/track/GET \/x", Some("job/track"), 2, "GET /x"),
            ("job/load", Some("job"), 1, "load"),
        ]
    );
    assert!(stage_tree(&Iteration::default()).is_empty());
}

#[test]
fn span_paths_follow_the_tree_rules() {
    let spans = vec![
        span(1, None, "job", 0.0, 1.0),
        span(2, Some(1), "a/b", 0.0, 0.5),
        span(3, Some(2), "c", 0.0, 0.1),
        span(4, Some(4), "self", 0.0, 0.1),
        span(5, Some(42), "orphan", 0.0, 0.1),
    ];
    assert_eq!(
        span_paths(&spans),
        ["job", r"job/a\/b", r"job/a\/b/c", "self", "orphan"]
    );
}

#[test]
fn table_of_self_times() {
    let cases: [(&str, Vec<Span>, f64); 8] = [
        (
            "sequential children",
            vec![
                span(1, None, "p", 0.0, 1.0),
                span(2, Some(1), "a", 0.1, 0.3),
                span(3, Some(1), "b", 0.5, 0.6),
            ],
            0.7,
        ),
        (
            "overlapping children count once",
            vec![
                span(1, None, "p", 0.0, 1.0),
                span(2, Some(1), "a", 0.1, 0.5),
                span(3, Some(1), "a", 0.3, 0.7),
            ],
            0.4,
        ),
        (
            "concurrent children covering the parent",
            (2..6)
                .map(|id| span(id, Some(1), "w", 0.0, 1.0))
                .chain([span(1, None, "p", 0.0, 1.0)])
                .collect(),
            0.0,
        ),
        (
            "a child outside the parent is clipped",
            vec![
                span(1, None, "p", 0.0, 1.0),
                span(2, Some(1), "a", 0.8, 1.5),
            ],
            0.8,
        ),
        (
            "aggregated children cover their summed time",
            vec![
                span(1, None, "p", 0.0, 1.0),
                agg(2, Some(1), "a", (0.1, 0.9), 30, 0, 0.3),
                span(3, Some(1), "b", 0.0, 0.2),
            ],
            0.5,
        ),
        (
            "covered time is clamped to the duration",
            vec![
                span(1, None, "p", 0.0, 1.0),
                agg(2, Some(1), "a", (0.0, 1.0), 8, 0, 3.0),
            ],
            0.0,
        ),
        (
            "grandchildren do not count against the grandparent",
            vec![
                span(1, None, "p", 0.0, 1.0),
                span(2, Some(1), "a", 0.0, 0.5),
                span(3, Some(2), "b", 0.0, 0.5),
            ],
            0.5,
        ),
        (
            "several records of one path add up",
            vec![
                span(1, None, "p", 0.0, 1.0),
                span(2, Some(1), "c", 0.0, 0.25),
                span(3, None, "p", 2.0, 2.5),
                span(4, Some(3), "c", 2.0, 2.1),
            ],
            1.15,
        ),
    ];
    for (what, spans, want) in cases {
        let tree = tree_of(spans);
        let p = node(&tree, "p");
        assert!(close(p.self_s, want), "{what}: {}", p.self_s);
        for n in &tree {
            assert!(n.self_s >= 0.0 && n.self_s <= n.total_s + 1e-12, "{what}");
        }
    }
}

#[test]
fn aggregated_records_and_failures() {
    let mut failing = span(3, Some(1), "parse", 0.0, 0.01);
    failing.ok = false;
    let tree = tree_of(vec![
        span(1, None, "job", 0.0, 1.0),
        agg(2, Some(1), "parse", (0.1, 0.8), 100, 3, 0.5),
        failing,
        span(4, Some(1), "save", 0.9, 1.0),
    ]);
    let parse = node(&tree, "job/parse");
    assert_eq!((parse.calls, parse.failed_calls), (101, 4));
    assert!(close(parse.total_s, 0.51));
    // The earliest record is the single call of 10 ms.
    assert_eq!(parse.first_call_s, Some(0.01));
    assert!(close(parse.later_call_s.unwrap(), 0.005));
    assert_eq!(node(&tree, "job/save").failed_calls, 0);

    // When the earliest record folds several calls the first is unknown.
    let tree = tree_of(vec![agg(1, None, "hot", (0.0, 1.0), 10, 0, 0.4)]);
    let hot = node(&tree, "hot");
    assert_eq!(
        (hot.calls, hot.first_call_s, hot.later_call_s),
        (10, None, None)
    );
    assert!(close(hot.total_s, 0.4) && close(hot.self_s, 0.4));
}

#[test]
fn first_and_later_calls() {
    // Records out of order: the first call is the earliest by start.
    let tree = tree_of(vec![
        span(1, None, "q", 0.6, 0.7),
        span(2, None, "q", 0.0, 0.5),
        span(3, None, "q", 0.8, 0.9),
        span(4, None, "once", 0.0, 0.2),
    ]);
    let q = node(&tree, "q");
    assert!(close(q.first_call_s.unwrap(), 0.5));
    assert!(close(q.later_call_s.unwrap(), 0.1));
    let once = node(&tree, "once");
    assert!(close(once.first_call_s.unwrap(), 0.2));
    assert_eq!(once.later_call_s, None);
}

fn sample(t_s: f64, cpu_pct: f64) -> Sample {
    Sample {
        t_s,
        cpu_pct,
        rss_bytes: 0,
        threads: 1,
        processes: 1,
        read_bps: 0.0,
        write_bps: 0.0,
        gpus: Vec::new(),
    }
}

#[test]
fn cpu_follows_the_timeline() {
    // A sample every 50 ms: 100 % up to 0.5 s, then 20 %.
    let timeline: Vec<Sample> = (0..=20)
        .map(|k| {
            let t = f64::from(k) * 0.05;
            sample(t, if t <= 0.5 + 1e-9 { 100.0 } else { 20.0 })
        })
        .collect();
    let mut it = iteration(
        0,
        1.0,
        vec![
            span(1, None, "job", 0.0, 1.0),
            span(2, Some(1), "compute", 0.0, 0.5),
            span(3, Some(1), "wait", 0.5, 1.0),
            span(4, Some(1), "late", 1.2, 1.4),
        ],
    );
    it.timeline = timeline;
    let tree = stage_tree(&it);
    let cpu = |path: &str| node(&tree, path).cpu_pct;
    assert!(close(cpu("job/compute").unwrap(), 100.0));
    assert!(close(cpu("job/wait").unwrap(), 20.0));
    assert!(close(cpu("job").unwrap(), 60.0));
    assert_eq!(cpu("job/late"), None, "after the last sample");
    it.timeline.clear();
    assert!(stage_tree(&it).iter().all(|n| n.cpu_pct.is_none()));
}

#[test]
fn missing_parents_and_cycles_make_roots() {
    let tree = tree_of(vec![
        span(1, Some(99), "orphan", 0.0, 1.0),
        span(2, Some(1), "child", 0.0, 0.5),
        span(3, Some(3), "selfish", 0.0, 0.1),
        // 4 → 5 → 4: the smallest id of the cycle, 4, becomes a root.
        span(4, Some(5), "a", 0.0, 0.2),
        span(5, Some(4), "b", 0.0, 0.3),
    ]);
    let paths: Vec<&str> = tree.iter().map(|n| n.path.as_str()).collect();
    assert_eq!(paths, ["a", "a/b", "orphan", "orphan/child", "selfish"]);
    assert!(close(node(&tree, "a").self_s, 0.0));
}

#[test]
fn shares_are_fractions_of_wall_time() {
    let its = vec![iteration(
        0,
        2.0,
        vec![
            span(1, None, "job", 0.0, 2.0),
            span(2, Some(1), "half", 0.0, 1.0),
            // Four concurrent workers: 4 s of work in 2 s.
            span(3, None, "pool", 0.0, 2.0),
            span(4, None, "pool", 0.0, 2.0),
        ],
    )];
    let s = stage_summaries(&its, &quick());
    let share = |path: &str| s.iter().find(|x| x.path == path).unwrap().share;
    assert_eq!(share("pool"), 1.0, "clamped");
    assert_eq!(share("job"), 1.0);
    assert_eq!(share("job/half"), 0.5, "nested shares are of wall time too");
    // Zero wall time gives no share rather than a division by zero.
    let s = stage_summaries(
        &[iteration(0, 0.0, vec![span(1, None, "x", 0.0, 1.0)])],
        &quick(),
    );
    assert_eq!(s[0].share, 0.0);
}

fn quick() -> CiOptions {
    CiOptions {
        resamples: 100,
        ..CiOptions::default()
    }
}

fn summary<'a>(s: &'a [StageSummary], path: &str) -> &'a StageSummary {
    s.iter().find(|x| x.path == path).unwrap()
}

#[test]
fn summaries_over_counted_iterations() {
    let mut its: Vec<Iteration> = (0..6)
        .map(|i| {
            let f = 1.0 + 0.1 * f64::from(i);
            let mut spans = vec![
                span(1, None, "job", 0.0, f),
                span(2, Some(1), "fetch", 0.0, 0.2 * f),
                span(3, Some(1), "fetch", 0.3, 0.3 + 0.1 * f),
            ];
            if i % 2 == 1 {
                let mut retry = span(4, Some(1), "retry", 0.5, 0.6);
                retry.ok = false;
                spans.push(retry);
            }
            iteration(i, f, spans)
        })
        .collect();
    its[0].warmup = true;
    its[5].timed_out = true;
    let s = stage_summaries(&its, &quick());
    let paths: Vec<&str> = s.iter().map(|x| x.path.as_str()).collect();
    assert_eq!(paths, ["job", "job/fetch", "job/retry"], "by share");

    let job = summary(&s, "job");
    assert_eq!(
        (job.total_s.n, job.total_s.min, job.total_s.max),
        (4, 1.1, 1.4)
    );
    assert_eq!((job.depth, job.parent.as_deref()), (Some(0), None));
    assert_eq!(job.tier, Tier::Method);

    let fetch = summary(&s, "job/fetch");
    assert_eq!((fetch.calls, fetch.failed_calls), (2.0, 0));
    assert!(close(fetch.share, 0.3));
    let first = fetch.first_call_s.unwrap();
    assert!(close(first.min, 0.22) && close(first.max, 0.28));
    assert!(close(fetch.later_call_s.unwrap().median, 0.125));
    assert_eq!(fetch.cpu_pct, None, "no timeline");
    let job_self = job.self_s.unwrap();
    assert!(close(job_self.median, 1.25 - 0.375 - 0.05));

    // Ran in 2 of the 4 counted iterations (1 and 3): n says so.
    let retry = summary(&s, "job/retry");
    assert_eq!(
        (retry.total_s.n, retry.calls, retry.failed_calls),
        (2, 1.0, 2)
    );
    assert_eq!(retry.parent.as_deref(), Some("job"));
    assert_eq!(retry.depth, Some(1));

    // summarize_variant fills the export's stages.
    let v = crate::summarize_variant("a", None, its, &quick());
    assert_eq!(v.stages.len(), 3);
    assert!(stage_summaries(&[], &quick()).is_empty());
}

fn arb_span(id: u64) -> impl Strategy<Value = Span> {
    (
        prop::option::of(1..12u64),
        0usize..4,
        0.0f64..2.0,
        0.0f64..1.0,
        prop::option::of((1u64..50, 0.0f64..3.0)),
        any::<bool>(),
    )
        .prop_map(move |(parent, name, start, len, aggregate, ok)| {
            let name = ["a", "b", "c/d", "e"][name];
            let mut s = span(id, parent, name, start, start + len);
            if let Some((calls, total)) = aggregate {
                s = agg(id, parent, name, (start, start + len), calls, 0, total);
            }
            s.ok = ok;
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn self_within_total_and_shares_within_unit(
        spans in (1u64..12).prop_flat_map(|n| (1..=n).map(arb_span).collect::<Vec<_>>()),
        wall in 0.0f64..3.0,
    ) {
        let it = iteration(0, wall, spans.clone());
        let tree = stage_tree(&it);
        let paths: std::collections::BTreeSet<&str> = tree.iter().map(|n| n.path.as_str()).collect();
        prop_assert_eq!(paths.len(), tree.len(), "one node per path");
        let calls: u64 = tree.iter().map(|n| n.calls).sum();
        prop_assert_eq!(calls, spans.iter().map(|s| s.calls).sum::<u64>());
        for n in &tree {
            prop_assert!(n.self_s >= 0.0 && n.self_s <= n.total_s + 1e-12);
            prop_assert!(n.failed_calls <= n.calls);
            if let Some(p) = &n.parent {
                prop_assert!(paths.contains(p.as_str()));
            }
        }
        for s in stage_summaries(&[it], &quick()) {
            prop_assert!((0.0..=1.0).contains(&s.share));
            let self_s = s.self_s.unwrap();
            prop_assert!(self_s.max <= s.total_s.max + 1e-12);
        }
    }
}

/// Issue 13, item 1: a parent chain thousands of levels deep made as many
/// stages, each path as long as its depth. Past the limit the spans fold
/// into the stage at the limit: their time is its own.
#[test]
fn regression_13_spans_past_the_depth_limit_are_their_ancestors_own_time() {
    use perfwatch_model::span_tree::MAX_STAGE_DEPTH;
    let n = 1_000u64;
    // Each level starts 1 ms after its parent and ends 1 ms before it.
    let spans: Vec<Span> = (0..n)
        .map(|i| {
            let t = i as f64 * 0.001;
            span(i + 1, (i > 0).then_some(i), "f", t, 2.0 - t)
        })
        .collect();
    let tree = tree_of(spans);
    let limit = MAX_STAGE_DEPTH as usize;
    assert_eq!(tree.len(), limit);
    let last = &tree[limit - 1];
    assert_eq!(last.depth, MAX_STAGE_DEPTH - 1);
    assert_eq!(last.folded_levels, (n - u64::from(MAX_STAGE_DEPTH)) as u32);
    assert_eq!(last.calls, 1, "folded spans are not calls of the stage");
    assert!((last.self_s - last.total_s).abs() < 1e-12, "{last:?}");
    // Above the limit, self time is what the one child leaves: 2 ms.
    assert!(
        (tree[limit - 2].self_s - 0.002).abs() < 1e-9,
        "{:?}",
        tree[limit - 2]
    );
    assert!(tree[..limit - 1].iter().all(|node| node.folded_levels == 0));
}
