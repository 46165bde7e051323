//! How much does the 50 ms sampler slow a command down?
//!
//! Runs a command alternately with sampling every 50 ms and with sampling
//! off, one iteration at a time so drift hits both alike, and prints the
//! medians of the command's wall and CPU time and their ratio, and the CPU
//! time perfwatch itself spent per run and per sample (which on a busy
//! machine is the figure that matters: it is what the sampler takes away
//! from the command).
//!
//! ```text
//! cargo run --release -p perfwatch-runner --example sampler_overhead -- [RUNS] [COMMAND...]
//! ```
//! The default command is a CPU-bound Python loop of about half a second.

use perfwatch_model::CommandSpec;
use perfwatch_runner::{run, Cancel, Plan, RunCount};
use std::time::Duration;

mod support;

use support::{median, own_cpu_s};

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let mut argv: Vec<String> = args.collect();
    if argv.is_empty() {
        argv = ["python3", "-c", "s=0\nfor i in range(6_000_000): s+=i"]
            .map(String::from)
            .to_vec();
    }
    let mut plan = Plan::new(CommandSpec { argv, shell: false });
    plan.runs = RunCount::exact(1);
    let cancel = Cancel::new();
    let (mut on, mut off) = (Vec::new(), Vec::new());
    let (mut on_cpu, mut off_cpu) = (Vec::new(), Vec::new());
    let (mut on_self, mut off_self) = (Vec::new(), Vec::new());
    let mut samples = 0;
    for i in 0..runs * 2 {
        let sampling = i % 2 == 0;
        plan.sample_interval = sampling.then(|| Duration::from_millis(50));
        let before = own_cpu_s();
        let outcome = run(&plan, &mut [], &mut (), &cancel).expect("valid plan");
        let ours = own_cpu_s() - before;
        let it = &outcome.iterations[0];
        let cpu = it.user_s.unwrap_or(0.0) + it.sys_s.unwrap_or(0.0);
        if sampling {
            samples += it.timeline.len();
            on.push(it.wall_s);
            on_cpu.push(cpu);
            on_self.push(ours);
        } else {
            off.push(it.wall_s);
            off_cpu.push(cpu);
            off_self.push(ours);
        }
    }
    let (w_on, w_off) = (median(on), median(off));
    let (c_on, c_off) = (median(on_cpu), median(off_cpu));
    println!(
        "runs per mode: {runs}, samples per sampled run: {:.1}",
        samples as f64 / runs as f64
    );
    println!(
        "wall median: sampled {w_on:.4} s, unsampled {w_off:.4} s, ratio {:.4}",
        w_on / w_off
    );
    println!(
        "cpu  median: sampled {c_on:.4} s, unsampled {c_off:.4} s, ratio {:.4}",
        c_on / c_off
    );
    let per_sample = samples as f64 / runs as f64;
    let (s_on, s_off) = (median(on_self), median(off_self));
    println!(
        "perfwatch's own cpu per run: sampled {:.2} ms, unsampled {:.2} ms; \
         {:.1} µs per sample, {:.3} % of one core at 50 ms",
        s_on * 1e3,
        s_off * 1e3,
        (s_on - s_off) / per_sample * 1e6,
        (s_on - s_off) / per_sample / 0.05 * 100.0
    );
}
