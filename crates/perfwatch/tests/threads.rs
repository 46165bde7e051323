//! Spans on several threads.

use crate::harness::scenario as run;
use perfwatch::span;
use std::collections::HashSet;

pub fn scenario() {
    let _main = span!("main_job");
    let workers: Vec<_> = (0..4)
        .map(|w| {
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let _t = span!("task");
                    let _s = span!("subtask");
                }
                if w == 0 {
                    // Never closed by a guard: closed when the thread ends.
                    std::mem::forget(span!("leaked"));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    drop(_main);
    perfwatch::flush();
}

pub fn many_scenario() {
    let workers: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..5_000 {
                    let _t = span!("many");
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    perfwatch::flush();
    let stats = perfwatch::stats();
    assert_eq!((stats.lines_dropped, stats.write_errors), (0, 0));
}

#[test]
fn full_rings_hand_over_without_losing_records() {
    // Far more records than a thread's ring holds, from four threads.
    let run = run("many_threads")
        .env(perfwatch::ENV_MAX_CALLS, "4294967295")
        .run();
    let many = run.named("many");
    assert_eq!(many.len(), 20_000);
    assert!(run.aggs("many").is_empty());
    let ids: HashSet<_> = many.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids.len(), 20_000);
}

#[test]
fn threads_keep_their_own_stacks() {
    let run = run("threads").run();
    let main = run.one("main_job");
    let tasks = run.named("task");
    let subtasks = run.named("subtask");
    assert_eq!((tasks.len(), subtasks.len()), (200, 200));
    // A new thread starts at the top level: no parent in another thread.
    assert!(tasks.iter().all(|t| t.parent.is_none()), "{:?}", tasks[0]);
    let task_ids: HashSet<_> = tasks.iter().map(|t| t.id.clone()).collect();
    assert_eq!(task_ids.len(), 200);
    assert!(subtasks
        .iter()
        .all(|s| task_ids.contains(s.parent.as_ref().unwrap())));
    assert!(main.parent.is_none());
    let all: HashSet<_> = run.spans().into_iter().map(|s| s.id).collect();
    assert_eq!(all.len(), run.spans().len(), "ids unique across threads");
}

#[test]
fn spans_left_open_close_when_their_thread_ends() {
    let run = run("threads").run();
    let leaked = run.one("leaked");
    assert_eq!(
        leaked.attrs.get("closed_at_exit").map(String::as_str),
        Some("true")
    );
}
