//! The figures of an iteration measure what the child really did, and the
//! child gets the documented environment.

use crate::util::{iterations, pw, python, TestDir};
use serde_json::Value;
use std::io::Write;

const MIB: u64 = 1 << 20;

/// Run a Python snippet `n` times and return the stored iterations.
fn run_python(dir: &TestDir, n: &str, code: &str) -> Vec<Value> {
    pw(dir)
        .args(["run", "-r", n, "--", python(), "-c", code])
        .assert()
        .success();
    iterations(&dir.export("latest"))
}

#[test]
fn max_rss_of_a_child_touching_200_mib_is_at_least_200_mib() {
    let dir = TestDir::new();
    // Touch one byte per page so the pages are really resident.
    let its = run_python(
        &dir,
        "2",
        "b = bytearray(200 << 20); b[::4096] = b'x' * (len(b) // 4096)",
    );
    for it in &its {
        let rss = it["max_rss_bytes"]
            .as_u64()
            .expect("max_rss_bytes measured");
        assert!(rss >= 200 * MIB, "max_rss_bytes {rss} < 200 MiB: {it}");
    }
}

#[test]
fn max_rss_of_a_tiny_child_is_far_below_a_big_one() {
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "2", "--", "true"])
        .assert()
        .success();
    for it in iterations(&dir.export("latest")) {
        let rss = it["max_rss_bytes"]
            .as_u64()
            .expect("max_rss_bytes measured");
        // Spawned from perfwatch's small spawner, `true` has no floor of
        // perfwatch's size; never the 200 MiB of another test.
        assert!(rss > 0 && rss < 100 * MIB, "max_rss_bytes {rss}: {it}");
    }
}

/// `write_bytes` of this thread so far, from `/proc/thread-self/io`.
fn thread_write_bytes() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/thread-self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))
        .and_then(|v| v.trim().parse().ok())
}

/// Whether the file system under `dir` accounts synced writes in
/// `write_bytes` (tmpfs and some overlay set-ups count nothing): write and
/// fsync 1 MiB from this thread and look.
fn storage_writes_are_accounted(dir: &TestDir) -> bool {
    let Some(before) = thread_write_bytes() else {
        return false;
    };
    let mut f = std::fs::File::create(dir.join("probe.bin")).unwrap();
    f.write_all(&vec![7u8; MIB as usize]).unwrap();
    f.sync_all().unwrap();
    drop(f);
    std::fs::remove_file(dir.join("probe.bin")).unwrap();
    thread_write_bytes().is_some_and(|after| after - before >= MIB)
}

#[test]
fn write_bytes_count_at_least_what_the_child_wrote_and_synced() {
    let dir = TestDir::new();
    let accounted = storage_writes_are_accounted(&dir);
    let its = run_python(
        &dir,
        "2",
        "import os\n\
         with open('out.bin', 'wb') as f:\n    \
             f.write(b'w' * (4 << 20)); f.flush(); os.fsync(f.fileno())",
    );
    for it in &its {
        match it["write_bytes"].as_u64() {
            Some(w) if accounted => assert!(w >= 4 * MIB, "write_bytes {w} < 4 MiB: {it}"),
            // Where this file system does not account writes, all that can
            // be checked is that the figure is absent or not smaller.
            Some(w) => assert!(w == 0 || w >= 4 * MIB, "write_bytes {w}: {it}"),
            None => assert!(
                !accounted,
                "write_bytes missing although the file system accounts writes: {it}"
            ),
        }
    }
}

#[test]
fn user_time_of_a_cpu_burner_is_at_least_its_burn_and_at_most_wall() {
    let dir = TestDir::new();
    // Burn 0.3 s of CPU (process time, so a busy machine only stretches wall).
    let its = run_python(
        &dir,
        "1",
        // Reading the CPU clock is a system call: do it once per 10^5 loops
        // so that the time goes to user mode.
        "import time\n\
         end = time.process_time() + 0.3\n\
         while time.process_time() < end:\n    \
             for _ in range(100000): pass",
    );
    let it = &its[0];
    let user = it["user_s"].as_f64().expect("user_s measured");
    let sys = it["sys_s"].as_f64().expect("sys_s measured");
    let wall = it["wall_s"].as_f64().unwrap();
    assert!(
        user + sys >= 0.29,
        "cpu {user}+{sys} s < 0.3 s burned: {it}"
    );
    assert!(
        user >= 0.2,
        "a CPU burner spends its time in user mode: {it}"
    );
    // One thread cannot use more CPU than wall-clock time (clock-tick slack).
    assert!(
        user + sys <= wall + 0.02,
        "cpu {user}+{sys} s > wall {wall} s: {it}"
    );
}

#[test]
fn iteration_and_variant_reach_the_child_environment() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-r",
            "3",
            "-w",
            "1",
            r#"echo "$PERFWATCH_ITERATION $PERFWATCH_VARIANT" >> env.txt"#,
        ])
        .assert()
        .success();
    let seen = dir.lines("env.txt");
    let expected: Vec<String> = iterations(&dir.export("latest"))
        .iter()
        .map(|it| format!("{} default", it["index"]))
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn peak_tree_rss_is_absent_rather_than_zero_when_no_sample_saw_the_process() {
    // "Say what could not be measured instead of printing zero": a command
    // that exits before the sampler sees it has no sampled tree peak.
    let dir = TestDir::new();
    pw(&dir)
        .args(["run", "-r", "5", "--", "true"])
        .assert()
        .success();
    for it in iterations(&dir.export("latest")) {
        let peak = &it["peak_tree_rss_bytes"];
        assert!(
            peak.is_null() || peak.as_u64().is_some_and(|p| p > 0),
            "peak_tree_rss_bytes is {peak}: {it}"
        );
        // A sample taken after the command exited (nothing left, or only
        // the unreaped zombie, whose resident size reads 0) measured nothing.
        for sample in it["timeline"].as_array().into_iter().flatten() {
            assert!(
                sample["processes"].as_u64().is_some_and(|p| p > 0)
                    && sample["rss_bytes"].as_u64().is_some_and(|r| r > 0),
                "a timeline sample of an exited process tree: {sample}"
            );
        }
    }
}

#[test]
fn sampling_off_leaves_no_timeline_and_no_sampled_peak() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-r",
            "2",
            "--sample-interval",
            "0",
            "--",
            "sleep",
            "0.06",
        ])
        .assert()
        .success();
    for it in iterations(&dir.export("latest")) {
        assert_eq!(it["timeline"], serde_json::json!([]), "{it}");
        assert!(it["peak_tree_rss_bytes"].is_null(), "{it}");
        assert!(
            it["max_rss_bytes"].as_u64().is_some(),
            "wait4 figures stay: {it}"
        );
    }
}

#[test]
fn sampled_timeline_follows_a_longer_command() {
    let dir = TestDir::new();
    pw(&dir)
        .args([
            "run",
            "-r",
            "1",
            "--sample-interval",
            "20",
            "--",
            "sleep",
            "0.3",
        ])
        .assert()
        .success();
    let it = &iterations(&dir.export("latest"))[0];
    let timeline = it["timeline"].as_array().expect("timeline");
    // Not a timing assertion: a 0.3 s command sampled every 20 ms gets
    // more than one sample on any machine that runs it at all.
    assert!(timeline.len() >= 2, "{it}");
    let ts: Vec<f64> = timeline
        .iter()
        .map(|s| s["t_s"].as_f64().unwrap())
        .collect();
    assert!(
        ts.windows(2).all(|w| w[0] < w[1]),
        "sample times go forward: {ts:?}"
    );
    assert!(
        timeline
            .iter()
            .any(|s| s["processes"] == 1 && s["rss_bytes"].as_u64() > Some(0)),
        "{it}"
    );
}
