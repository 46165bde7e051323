use crate::findings::testkit::{run, session, variant};
use crate::findings::{diagnose, FindingOptions};
use perfwatch_model::{Finding, GpuReading, Iteration, SessionExport};

const GIB: u64 = 1 << 30;

/// A device of 16 GiB: busy `sm` %, the tree holding `tree` bytes, others
/// 0.4 GiB.
fn reading(sm: f64, tree: u64) -> GpuReading {
    GpuReading {
        device: 0,
        sm_pct: sm,
        mem_pct: sm / 2.0,
        memory_used_bytes: tree + 2 * GIB / 5,
        memory_total_bytes: 16 * GIB,
        power_w: Some(60.0 + 2.5 * sm),
        tree_memory_bytes: Some(tree),
        tree_sm_pct: Some(sm),
        pcie_rx_bps: Some(1e7),
    }
}

/// Eight runs of a two-stage GPU program: `load` prepares the input on
/// the CPU for 0.4 s while the GPU idles, then `compute` waits 0.6 s for
/// the GPU (busy 95 %, the tree holding `mem(t)`), the CPU idle.
fn two_stage(gpu: bool, mem: fn(f64) -> u64) -> SessionExport {
    let its: Vec<Iteration> = (0..8)
        .map(|i| {
            let mut r = run(i);
            if gpu {
                r = r.gpu(move |t| {
                    if t <= 0.402 {
                        reading(3.0, GIB / 4)
                    } else {
                        reading(95.0, mem(t))
                    }
                });
            }
            let root = r.open("job", None);
            r.step("load", Some(root), 0.4, true);
            r.step("compute", Some(root), 0.6, false);
            r.close(root);
            r.finish()
        })
        .collect();
    session(vec![variant("v", its)])
}

fn kinds(fs: &[Finding]) -> Vec<(&str, Option<&str>)> {
    fs.iter()
        .map(|f| (f.kind.as_str(), f.stage.as_deref()))
        .collect()
}

#[test]
fn an_input_bound_gpu_names_the_stage_that_feeds_it() {
    let fs = diagnose(&two_stage(true, |_| 5 * GIB), &FindingOptions::default());
    let input: Vec<&Finding> = fs.iter().filter(|f| f.kind == "gpu_input_bound").collect();
    assert_eq!(input.len(), 1, "{:?}", kinds(&fs));
    let f = input[0];
    assert_eq!(f.stage.as_deref(), Some("job/load"));
    assert!(f.evidence["gpu_busy_pct"] < 10.0, "{:?}", f.evidence);
    assert!(f.evidence["cpu_pct"] > 90.0, "{:?}", f.evidence);
    assert!(f.title.contains("busy 3 %"), "{}", f.title);
    // Half the stage's 0.4 s could hide behind the GPU's 0.6 s.
    assert!((f.impact_s - 0.2).abs() < 0.01, "{}", f.impact_s);
    crate::findings::testkit::assert_states_its_saving(f);
    // The GPU-bound stage idles on the CPU but does not wait.
    assert_eq!(
        waits_in_compute(&fs),
        0,
        "a CPU waiting for its busy GPU is no wait: {:?}",
        kinds(&fs)
    );
    assert!(!fs.iter().any(|f| f.kind == "idle"), "{:?}", kinds(&fs));
}

/// The waiting rules' findings about `compute`.
fn waits_in_compute(fs: &[Finding]) -> usize {
    fs.iter()
        .filter(|f| ["idle", "fixed_wait", "polling_granularity"].contains(&f.kind.as_str()))
        .filter(|f| f.stage.as_deref() == Some("job/compute"))
        .count()
}

#[test]
fn without_gpu_readings_no_gpu_rule_speaks_and_the_stage_waits() {
    let fs = diagnose(&two_stage(false, |_| 0), &FindingOptions::default());
    assert!(
        !fs.iter().any(|f| f.kind.starts_with("gpu_")),
        "{:?}",
        kinds(&fs)
    );
    // Absent GPU readings are not an idle GPU: nothing says `compute`
    // works, so its constant 0.6 s with an idle CPU is a wait.
    assert_eq!(waits_in_compute(&fs), 1, "{:?}", kinds(&fs));
}

#[test]
fn memory_near_the_device_capacity_names_the_stage_of_the_peak() {
    let fs = diagnose(&two_stage(true, |_| 15 * GIB), &FindingOptions::default());
    let f = fs
        .iter()
        .find(|f| f.kind == "gpu_memory_near_capacity")
        .unwrap_or_else(|| panic!("{:?}", kinds(&fs)));
    assert_eq!(f.stage.as_deref(), Some("job/compute"));
    assert!(f.evidence["fill"] > 0.9);
    assert_eq!(f.impact_s, 0.0);
    assert!(f.title.contains("15.40 GiB of 16.00 GiB"), "{}", f.title);
    // 5 GiB of 16 leaves room.
    let roomy = diagnose(&two_stage(true, |_| 5 * GIB), &FindingOptions::default());
    assert!(!roomy.iter().any(|f| f.kind == "gpu_memory_near_capacity"));
}

/// Six runs of `step` called ten times (0.2 s each, GPU busy), the
/// tree's GPU memory after `k` calls given by `mem(k)`.
fn repeated(mem: fn(u64) -> u64) -> SessionExport {
    let its = (0..6)
        .map(|i| {
            let r = run(i).gpu(move |t| {
                let k = ((t - 0.002) / 0.2).floor().max(0.0) as u64;
                reading(90.0, mem(k))
            });
            let mut r = r;
            for _ in 0..10 {
                r.step("step", None, 0.2, true);
            }
            r.finish()
        })
        .collect();
    session(vec![variant("v", its)])
}

#[test]
fn gpu_memory_growing_call_after_call_is_found_and_a_flat_one_is_not() {
    let fs = diagnose(
        &repeated(|k| GIB + k * 100 * (1 << 20)),
        &FindingOptions::default(),
    );
    let f = fs
        .iter()
        .find(|f| f.kind == "gpu_memory_growth")
        .unwrap_or_else(|| panic!("{:?}", kinds(&fs)));
    assert_eq!(f.stage.as_deref(), Some("step"));
    let per_call = f.evidence["per_call_bytes"] / (1 << 20) as f64;
    assert!((per_call - 100.0).abs() < 15.0, "{per_call}");
    let flat = diagnose(&repeated(|_| 2 * GIB), &FindingOptions::default());
    assert!(!flat.iter().any(|f| f.kind == "gpu_memory_growth"));
}

#[test]
fn copies_that_keep_the_gpu_waiting_are_found_where_pcie_counters_exist() {
    let its = (0..6)
        .map(|i| {
            let mut r = run(i).gpu(|t| {
                let mut g = reading(if t <= 0.502 { 20.0 } else { 95.0 }, 3 * GIB);
                if t <= 0.502 {
                    g.pcie_rx_bps = Some(6e9);
                }
                g
            });
            r.step("upload", None, 0.5, false);
            r.step("train", None, 0.5, false);
            r.finish()
        })
        .collect();
    let fs = diagnose(
        &session(vec![variant("v", its)]),
        &FindingOptions::default(),
    );
    let f = fs
        .iter()
        .find(|f| f.kind == "gpu_transfer_wait")
        .unwrap_or_else(|| panic!("{:?}", kinds(&fs)));
    assert_eq!(f.stage.as_deref(), Some("upload"));
    assert!(f.title.contains("6.0 GB/s"), "{}", f.title);
    assert!(f.impact_s > 0.1, "{}", f.impact_s);
    crate::findings::testkit::assert_states_its_saving(f);
}

#[test]
fn bad_gpu_thresholds_are_refused() {
    let bad: Result<FindingOptions, _> = toml::from_str("[gpu]\ninput_max_busy_pct = 150\n");
    assert!(bad.is_err());
    let unknown: Result<FindingOptions, _> = toml::from_str("[gpu]\nbusy = 1\n");
    assert!(unknown.is_err());
    let ok: FindingOptions = toml::from_str("disable = [\"gpu_input_bound\"]\n").unwrap();
    assert!(!ok.enabled("gpu_input_bound"));
}
