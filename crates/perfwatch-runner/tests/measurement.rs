//! Whole-process figures: per-child rusage, tree I/O, the timeline.

use crate::harness::*;
use std::time::Duration;

const MIB: u64 = 1024 * 1024;

#[test]
fn max_rss_is_that_of_each_child_not_of_all_children() {
    let big = run_plan(&argv(&["python3", "-c", "b = b'x' * (200 << 20)"], 1));
    let it = &big.iterations[0];
    assert!(it.succeeded(), "{it:?}");
    assert!(
        it.max_rss_bytes.unwrap() >= 200 * MIB,
        "{:?}",
        it.max_rss_bytes
    );

    // RUSAGE_CHILDREN now remembers the 200 MiB child ...
    // SAFETY: getrusage writes into the zeroed plain-data struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) },
        0
    );
    assert!(ru.ru_maxrss as u64 * 1024 >= 200 * MIB);
    // ... and this process has just been large (a freed 300 MiB block
    // leaves its peak behind), which the kernel would charge to a child
    // spawned from it unless the runner resets that peak first.
    let ballast = vec![1u8; 300 << 20];
    assert_eq!(ballast[ballast.len() - 1], 1);
    drop(ballast);
    let small = run_plan(&argv(&["true"], 1));
    let rss = small.iterations[0].max_rss_bytes.unwrap();
    assert!(rss < 50 * MIB, "a tiny child reports {rss} bytes");
    assert!(rss > 0);
}

/// Whether `dir` is on tmpfs, where writes never reach storage and
/// `write_bytes` stays 0.
fn on_tmpfs(dir: &std::path::Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).unwrap();
    // SAFETY: statfs is plain data; `c` is a valid C string.
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::statfs(c.as_ptr(), &mut fs) };
    r == 0 && fs.f_type == libc::TMPFS_MAGIC
}

#[test]
fn written_bytes_include_reaped_and_left_running_descendants() {
    let dir = scratch();
    let file = dir.path().join("data");
    let done = dir.path().join("done");
    let dd = format!(
        "dd if=/dev/zero of={} bs=1M count=8 conv=fsync status=none",
        q(&file)
    );
    // 1. dd is a grandchild that sh reaps.
    // 2. dd runs under a background subshell that is still alive (and
    //    not reaped by sh) when sh exits: counted from the sampled tree.
    let scripts = [
        format!("{dd}; true"),
        format!(
            "( {dd}; touch {}; sleep 300 ) & while [ ! -e {} ]; do sleep 0.05; done; sleep 0.2",
            q(&done),
            q(&done)
        ),
    ];
    for script in scripts {
        let _ = std::fs::remove_file(&done);
        let out = run_plan(&sh(&script, 1));
        let it = &out.iterations[0];
        assert!(it.succeeded(), "{script}: {it:?}");
        match it.write_bytes {
            // Unreadable /proc/<pid>/io (no task I/O accounting): absent, never 0.
            None => eprintln!("write_bytes not measurable here"),
            // tmpfs never reaches storage.
            Some(_) if on_tmpfs(dir.path()) => eprintln!("scratch dir is tmpfs"),
            Some(w) => assert!(w >= 8 * MIB, "{script}: wrote {w} bytes"),
        }
    }
}

#[test]
fn a_cpu_bound_child_uses_about_its_wall_time_and_the_sampler_sees_it() {
    let burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.8: pass";
    let out = run_plan(&argv(&["python3", "-c", burn], 1));
    let it = &out.iterations[0];
    let cpu = it.user_s.unwrap() + it.sys_s.unwrap();
    assert!(cpu >= 0.75, "cpu {cpu}");
    assert!(
        cpu <= it.wall_s * 1.05 + 0.05,
        "cpu {cpu} > wall {}",
        it.wall_s
    );
    let tl = &it.timeline;
    assert!(tl.len() >= 5, "{} samples", tl.len());
    // Clock ticks are coarse: allow some slack per sample, not more.
    assert!(tl.iter().all(|s| s.cpu_pct <= 250.0), "{tl:?}");
    // The timeline's CPU adds up to what wait4 reports, whatever the load:
    // only the part after the last sample is missing.
    let mut integral = tl[0].cpu_pct / 100.0 * tl[0].t_s;
    for w in tl.windows(2) {
        integral += w[1].cpu_pct / 100.0 * (w[1].t_s - w[0].t_s);
    }
    let tail = it.wall_s - tl[tl.len() - 1].t_s;
    assert!(integral <= cpu + 0.05, "sampled {integral} s of {cpu} s");
    assert!(
        integral >= cpu - tail - 0.1,
        "sampled {integral} s of {cpu} s"
    );
    // On a machine with a core to spare the child runs flat out.
    if cpu / it.wall_s > 0.9 {
        let mut pct: Vec<f64> = tl.iter().skip(1).map(|s| s.cpu_pct).collect();
        pct.sort_by(f64::total_cmp);
        let median = pct[pct.len() / 2];
        assert!(
            (60.0..=140.0).contains(&median),
            "median {median} % in {tl:?}"
        );
    }
}

#[test]
fn the_timeline_covers_the_tree() {
    let out = run_plan(&sh("sleep 0.6 & sleep 0.6 & wait", 1));
    let it = &out.iterations[0];
    assert!(it.timeline.len() >= 3, "{:?}", it.timeline);
    assert!(
        it.timeline.iter().any(|s| s.processes >= 3),
        "{:?}",
        it.timeline
    );
    assert!(it.timeline.windows(2).all(|w| w[0].t_s < w[1].t_s));
    assert!(
        it.timeline[0].t_s < 0.2,
        "first sample one interval after spawn"
    );
    let peak = it.peak_tree_rss_bytes.unwrap();
    assert_eq!(peak, it.timeline.iter().map(|s| s.rss_bytes).max().unwrap());
    assert!(peak > 0);
}

/// The first sample used to be taken at spawn, reading the command's
/// `/proc` entries while it was still being loaded (rates over no time, no
/// descendants yet). It comes one interval after the start now, and a
/// command shorter than the interval has none.
#[test]
fn regression_the_first_sample_comes_one_interval_after_the_start() {
    let mut plan = argv(&["sleep", "0.35"], 1);
    plan.sample_interval = Some(std::time::Duration::from_millis(100));
    let out = run_plan(&plan);
    let tl = &out.iterations[0].timeline;
    assert!(!tl.is_empty());
    assert!(
        tl[0].t_s >= 0.099,
        "first sample at {} s: {tl:?}",
        tl[0].t_s
    );
    let mut plan = argv(&["sleep", "0.02"], 2);
    plan.sample_interval = Some(std::time::Duration::from_secs(10));
    let out = run_plan(&plan);
    for it in &out.iterations {
        assert!(it.timeline.is_empty(), "{:?}", it.timeline);
        assert_eq!(it.peak_tree_rss_bytes, None);
    }
}

#[test]
fn samples_never_report_an_exited_tree_and_sampling_can_be_off() {
    // An instant command may be gone before the first sample: then there is
    // no sample and no tree peak — never a zero one.
    let out = run_plan(&argv(&["true"], 3));
    for it in &out.iterations {
        assert!(it
            .timeline
            .iter()
            .all(|s| s.rss_bytes > 0 && s.processes > 0));
        assert_eq!(it.peak_tree_rss_bytes.is_some(), !it.timeline.is_empty());
    }
    let out = run_plan(&argv(&["sleep", "0.2"], 2));
    assert!(out.iterations.iter().all(|it| !it.timeline.is_empty()));
    assert!(out
        .iterations
        .iter()
        .all(|it| it.peak_tree_rss_bytes.unwrap() > 0));
    let mut plan = argv(&["true"], 2);
    plan.sample_interval = None;
    let out = run_plan(&plan);
    for it in &out.iterations {
        assert!(it.timeline.is_empty());
        assert_eq!(it.peak_tree_rss_bytes, None);
        assert!(it.user_s.is_some() && it.max_rss_bytes.is_some());
    }
}

#[test]
fn exit_codes_signals_and_context_switches() {
    let mut plan = sh("exit 7", 1);
    plan.ignore_failure = true;
    let it = &run_plan(&plan).iterations[0];
    assert_eq!((it.exit_code, it.signal), (Some(7), None));
    assert!(it.voluntary_cs.is_some() && it.involuntary_cs.is_some());

    let mut plan = sh("kill -KILL $$", 1);
    plan.ignore_failure = true;
    let it = &run_plan(&plan).iterations[0];
    assert_eq!((it.exit_code, it.signal), (None, Some(9)));
}

#[test]
fn stdout_is_discarded_without_blocking() {
    let mut plan = argv(
        &[
            "python3",
            "-c",
            "import sys; sys.stdout.write('x' * (8 << 20))",
        ],
        1,
    );
    plan.timeout = Some(Duration::from_secs(60));
    let it = &run_plan(&plan).iterations[0];
    assert!(it.succeeded(), "{it:?}");
}
