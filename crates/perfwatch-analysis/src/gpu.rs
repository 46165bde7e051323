//! A variant's GPU figures over its counted runs, from the timeline's GPU
//! readings: how much device memory the measured tree held at its peak,
//! how busy the GPU was while the tree ran (mean and 95th percentile of
//! the samples, pooled over runs), what the device had left and the power
//! it drew. Absent — never zero — when no sample carries a reading.

use perfwatch_model::{GpuSummary, Iteration};
use perfwatch_stats::percentile;

/// The GPU summary of a variant's counted iterations; `None` when none of
/// their samples carries a GPU reading.
pub fn gpu_summary(iterations: &[Iteration]) -> Option<GpuSummary> {
    let samples: Vec<_> = iterations
        .iter()
        .filter(|it| it.counts())
        .flat_map(|it| &it.timeline)
        .filter(|s| !s.gpus.is_empty())
        .collect();
    if samples.is_empty() {
        return None;
    }
    let busy: Vec<f64> = samples
        .iter()
        .filter_map(|s| s.gpu_busy_pct())
        .filter(|b| b.is_finite())
        .collect();
    let readings = || samples.iter().flat_map(|s| &s.gpus);
    let mut devices: Vec<u32> = readings().map(|g| g.device).collect();
    devices.sort_unstable();
    devices.dedup();
    let powers: Vec<f64> = samples
        .iter()
        .filter(|s| s.gpus.iter().all(|g| g.power_w.is_some()))
        .map(|s| s.gpus.iter().filter_map(|g| g.power_w).sum::<f64>())
        .collect();
    Some(GpuSummary {
        devices: devices.len() as u32,
        memory_total_bytes: readings().map(|g| g.memory_total_bytes).max().unwrap_or(0),
        peak_memory_bytes: samples
            .iter()
            .filter_map(|s| s.tree_gpu_memory_bytes())
            .max(),
        peak_device_memory_bytes: readings().map(|g| g.memory_used_bytes).max().unwrap_or(0),
        busy_mean_pct: mean(&busy).unwrap_or(0.0),
        busy_p95_pct: percentile(&busy, 95.0).unwrap_or(0.0),
        power_mean_w: mean(&powers),
        samples: samples.len() as u64,
    })
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::{GpuReading, Sample};

    fn sample(t_s: f64, busy: f64, tree_mem: Option<u64>) -> Sample {
        Sample {
            t_s,
            rss_bytes: 1,
            processes: 1,
            gpus: vec![GpuReading {
                device: 0,
                sm_pct: busy,
                memory_used_bytes: tree_mem.unwrap_or(0) + 100,
                memory_total_bytes: 1000,
                power_w: Some(50.0),
                tree_memory_bytes: tree_mem,
                ..GpuReading::default()
            }],
            ..Sample::default()
        }
    }

    fn run(index: u32, warmup: bool, timeline: Vec<Sample>) -> Iteration {
        Iteration {
            index,
            warmup,
            exit_code: Some(0),
            wall_s: 1.0,
            timeline,
            ..Iteration::default()
        }
    }

    #[test]
    fn figures_pool_the_counted_runs_only() {
        let its = [
            run(0, true, vec![sample(0.1, 100.0, Some(900))]),
            run(
                1,
                false,
                vec![sample(0.1, 0.0, Some(0)), sample(0.2, 50.0, Some(300))],
            ),
            run(
                2,
                false,
                vec![sample(0.1, 100.0, Some(500)), sample(0.2, 50.0, None)],
            ),
        ];
        let g = gpu_summary(&its).unwrap();
        assert_eq!(g.samples, 4);
        assert_eq!(g.devices, 1);
        assert_eq!(
            g.peak_memory_bytes,
            Some(500),
            "the warm-up's 900 is left out"
        );
        assert_eq!(g.peak_device_memory_bytes, 600);
        assert_eq!(g.memory_total_bytes, 1000);
        assert!((g.busy_mean_pct - 50.0).abs() < 1e-9);
        assert_eq!(g.power_mean_w, Some(50.0));
    }

    #[test]
    fn no_gpu_reading_is_no_summary_not_zeros() {
        let plain = Sample {
            t_s: 0.1,
            rss_bytes: 1,
            processes: 1,
            ..Sample::default()
        };
        assert_eq!(gpu_summary(&[run(0, false, vec![plain])]), None);
        assert_eq!(gpu_summary(&[]), None);
    }
}
