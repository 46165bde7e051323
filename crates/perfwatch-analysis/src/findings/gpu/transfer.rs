//! `gpu_transfer_wait`: the GPU waits for host-to-device copies. During a
//! stage (at least `min_stage_share` of the run) the GPU is busy less
//! than `transfer_max_busy_pct` while the mean host-to-device PCIe
//! traffic is at least `transfer_min_rx_bps`. Needs NVML's PCIe counters;
//! silent without them. Saving: `overlap_fraction` of the stage time in
//! which the GPU idled (copies overlapped with compute hide part of it);
//! confidence 0.3.

use super::super::context::VariantData;
use super::super::format::{saves, secs};
use super::super::{finding, FindingOptions, RuleKind};
use super::{busy_during, deepest, measured};
use perfwatch_model::Finding;
use perfwatch_stats::median;

pub(crate) fn find(all: &[VariantData], me: usize, opts: &FindingOptions) -> Vec<Finding> {
    let v = &all[me];
    if !measured(v) {
        return Vec::new();
    }
    deepest(v.paths.iter().filter_map(|p| stage(v, p, opts)).collect())
}

/// Mean host-to-device traffic during a stage's calls, bytes per second:
/// the readings of the samples taken inside the calls.
fn rx_during(v: &VariantData, path: &str) -> Option<f64> {
    let readings: Vec<f64> = v
        .runs
        .iter()
        .flat_map(|r| {
            r.calls_of(path).flat_map(move |c| {
                r.it.timeline
                    .iter()
                    .filter(move |s| c.span.start_s < s.t_s && s.t_s <= c.span.end_s)
                    .filter_map(|s| {
                        let rx: Vec<f64> = s.gpus.iter().filter_map(|g| g.pcie_rx_bps).collect();
                        (!rx.is_empty()).then(|| rx.iter().sum::<f64>())
                    })
            })
        })
        .collect();
    (!readings.is_empty()).then(|| readings.iter().sum::<f64>() / readings.len() as f64)
}

fn stage(v: &VariantData, path: &str, opts: &FindingOptions) -> Option<Finding> {
    let o = &opts.gpu;
    let share = v.share(path);
    if share < o.min_stage_share {
        return None;
    }
    let rx = rx_during(v, path)?;
    let busy = busy_during(v, path)?;
    if rx < o.transfer_min_rx_bps || busy >= o.transfer_max_busy_pct {
        return None;
    }
    let total = median(&v.totals(path))?;
    let idle = total * (1.0 - busy / 100.0);
    let impact = o.overlap_fraction * idle;
    let mut f = finding(RuleKind::GpuTransferWait, v, Some(path));
    f.title = format!(
        "`{path}` waits on host-to-device copies: {:.1} GB/s over PCIe while the GPU is busy \
         {busy:.0} % ({} per run)",
        rx / 1e9,
        secs(total)
    );
    let e = &mut f.evidence;
    e.insert("pcie_rx_bps".into(), rx);
    e.insert("gpu_busy_pct".into(), busy);
    e.insert("total_s".into(), total);
    e.insert("share".into(), share);
    f.impact_s = if opts.worth(impact, v.wall_median) {
        impact
    } else {
        0.0
    };
    f.confidence = 0.3;
    let saving = if f.impact_s > 0.0 {
        format!(
            " Hiding {:.0} % of the GPU's idle time would {}.",
            o.overlap_fraction * 100.0,
            saves(f.impact_s)
        )
    } else {
        String::new()
    };
    f.recommendation = format!(
        "Copies from host memory keep the GPU waiting: keep data on the device across calls, \
         copy from pinned memory asynchronously on a separate stream so copies overlap \
         compute, and copy fewer, larger blocks.{saving}"
    );
    f.effort = Some("medium".into());
    Some(f)
}
