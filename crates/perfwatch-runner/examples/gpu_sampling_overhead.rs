//! Does GPU sampling cost anything where there is no GPU?
//!
//! Runs a command with sampling every 50 ms in three arms, interleaved
//! one iteration at a time so that drift hits them alike:
//!
//! * `none`: no GPU probe (the sampler as it was before GPU figures);
//! * `detected`: the probe `gpu::detect()` finds here (on a machine
//!   without a driver, NVML fails to load and there is no probe: this arm
//!   is what users without a GPU get); detection, once per perfwatch
//!   process, is timed apart;
//! * `scripted`: a scripted GPU read at every sample, for scale.
//!
//! It prints the medians of perfwatch's own CPU time per run in each arm,
//! the ratios to `none`, the cost per sample, and what one `detect()`
//! costs.
//!
//! ```text
//! cargo run --release -p perfwatch-runner --example gpu_sampling_overhead -- [RUNS]
//! ```

use perfwatch_model::CommandSpec;
use perfwatch_runner::gpu::{self, ScriptedGpu, SharedGpu};
use perfwatch_runner::{run, Cancel, Plan, RunCount};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCRIPT: &str = r#"{"devices": [{"memory_total_bytes": 17179869184, "trace": [
    {"t_s": 0.0, "sm_pct": 5, "memory_used_bytes": 4e8, "tree_memory_bytes": 0},
    {"t_s": 0.2, "sm_pct": 95, "memory_used_bytes": 6e9, "tree_memory_bytes": 5e9, "tree_sm_pct": 94}
]}]}"#;

mod support;

use support::{median, own_cpu_s};

fn detected() -> Option<SharedGpu> {
    match gpu::detect() {
        Ok(Ok(gpu)) => Some(gpu),
        _ => None,
    }
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let mut plan = Plan::new(CommandSpec {
        argv: ["sleep", "0.5"].map(String::from).to_vec(),
        shell: false,
    });
    plan.runs = RunCount::exact(1);
    plan.sample_interval = Some(Duration::from_millis(50));
    let scripted = SharedGpu(Arc::new(ScriptedGpu::parse(SCRIPT).expect("valid script")));
    let cancel = Cancel::new();
    let names = ["none", "detected", "scripted"];
    let mut own: [Vec<f64>; 3] = Default::default();
    let mut samples = [0usize; 3];
    let mut found = String::from("no GPU (NVML absent or no device)");
    let mut detect_s = Vec::new();
    for i in 0..runs * 3 {
        let arm = i % 3;
        plan.gpu = match arm {
            0 => None,
            1 => {
                let t = Instant::now();
                let g = detected();
                detect_s.push(t.elapsed().as_secs_f64());
                if let Some(g) = &g {
                    found = g.0.describe();
                }
                g
            }
            _ => Some(scripted.clone()),
        };
        // Detection is once per perfwatch process, not per run: timed
        // apart, below.
        let before = own_cpu_s();
        let outcome = run(&plan, &mut [], &mut (), &cancel).expect("valid plan");
        own[arm].push(own_cpu_s() - before);
        samples[arm] += outcome.iterations[0].timeline.len();
    }
    println!("runs per arm: {runs}; `detected` found: {found}");
    let base = median(own[0].clone());
    for (arm, name) in names.iter().enumerate() {
        let m = median(own[arm].clone());
        println!(
            "{name:>9}: perfwatch's own CPU per run {:.3} ms (ratio to none {:.3}), {:.1} samples per run",
            m * 1e3,
            m / base,
            samples[arm] as f64 / runs as f64
        );
    }
    let per_sample = samples[2] as f64 / runs as f64;
    println!(
        "scripted GPU read: {:.1} µs per sample over none",
        (median(own[2].clone()) - base) / per_sample * 1e6
    );
    println!(
        "one gpu::detect(): {:.1} µs median (wall)",
        median(detect_s) * 1e6
    );
}
