//! A span file that cannot be written changes nothing for the program.

use crate::harness::scenario as run;
use perfwatch::{counter, gauge, span};

fn workload() -> u64 {
    let mut sum = 0;
    let _job = span!("job");
    for i in 0..5_000u64 {
        let _s = span!("step");
        counter!("n", 1);
        sum += i;
    }
    gauge!("g", 1);
    sum
}

pub fn unwritable_scenario() {
    assert_eq!(workload(), 12_497_500);
    perfwatch::flush();
    let stats = perfwatch::stats();
    assert!(!stats.enabled, "{stats:?}");
    assert_eq!(stats.write_errors, 1, "the failed open is counted");
    println!("{stats:?}");
}

pub fn full_disk_scenario() {
    assert_eq!(workload(), 12_497_500);
    perfwatch::flush();
    let stats = perfwatch::stats();
    assert!(stats.enabled);
    assert!(
        stats.write_errors >= 1 && stats.lines_dropped >= 1_000,
        "{stats:?}"
    );
    assert_eq!(stats.lines_written, 0);
}

#[test]
fn unopenable_span_file_does_not_panic() {
    let run = run("unwritable")
        .env(
            perfwatch::ENV_SPANS,
            "/nonexistent-perfwatch-dir/x/spans.jsonl",
        )
        .run();
    assert!(run.records.is_empty());
}

#[cfg(target_os = "linux")]
#[test]
fn failing_writes_do_not_panic() {
    // /dev/full opens fine and fails every write with ENOSPC.
    run("full_disk")
        .env(perfwatch::ENV_SPANS, "/dev/full")
        .run();
}
