//! What is written when the program ends without calling `flush`.

use crate::harness::scenario as run;
use perfwatch::span;

pub fn implicit_scenario() {
    let _job = span!("exit_job");
    for _ in 0..3 {
        let _s = span!("exit_step");
    }
    for _ in 0..2_000 {
        let _s = span!("exit_hot");
    }
    // No flush: the guard closes `exit_job`, the exit hook writes.
}

pub fn process_exit_scenario() {
    let _job = span!("exit_job");
    {
        let _s = span!("exit_step");
    }
    perfwatch::counter!("exit.counter", 4);
    std::process::exit(0);
}

#[test]
fn returning_writes_everything() {
    let run = run("exit_implicit").run();
    let job = run.one("exit_job");
    assert!(!job.attrs.contains_key("closed_at_exit"));
    assert_eq!(run.named("exit_step").len(), 3);
    assert_eq!(run.calls("exit_hot"), 2_000);
}

#[test]
fn process_exit_closes_the_main_threads_spans() {
    let run = run("exit_process").run();
    let job = run.one("exit_job");
    assert_eq!(
        job.attrs.get("closed_at_exit").map(String::as_str),
        Some("true"),
        "{job:?}"
    );
    assert_eq!(run.one("exit_step").parent, Some(job.id.clone()));
    let counted = run.records.iter().any(|r| {
        matches!(r, perfwatch_model::span_file::SpanRecord::Counter { name, value, span }
            if name == "exit.counter" && *value == 4.0 && span.as_deref() == Some(job.id.as_str()))
    });
    assert!(counted, "{:?}", run.records);
}
