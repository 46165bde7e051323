//! A service benchmark's variant over its counted iterations: counts
//! summed, latency histograms added, so the percentiles are those of all
//! its requests together — never averaged percentiles.

use perfwatch_model::service::ModelKind;
use perfwatch_model::{Iteration, ServiceRun, ServiceSummary};
use perfwatch_stats::latency;

/// The [`ServiceSummary`] of the counted `iterations` that ran a service;
/// `None` when none did. Iterations of another load model than the first
/// one's are left out (the two measure different latencies). When a
/// stored histogram cannot be read, the percentiles are absent rather
/// than those of the other iterations alone.
pub fn service_summary(iterations: &[Iteration]) -> Option<ServiceSummary> {
    let runs: Vec<_> = iterations
        .iter()
        .filter(|it| it.counts())
        .filter_map(|it| it.service.as_ref())
        .collect();
    summary_of_runs(&runs)
}

/// The [`ServiceSummary`] of the service figures of a variant's counted
/// iterations (what [`service_summary`] reads of them); `None` when there
/// are none.
pub fn summary_of_runs(runs: &[&ServiceRun]) -> Option<ServiceSummary> {
    if runs.is_empty() {
        return None;
    }
    let model: Option<ModelKind> = runs.iter().find_map(|r| r.load.as_ref().map(|l| l.model));
    let loads: Vec<_> = runs
        .iter()
        .filter_map(|r| r.load.as_ref())
        .filter(|l| Some(l.model) == model)
        .collect();
    let mut s = ServiceSummary {
        iterations: runs.len(),
        model,
        coordinated_omission_caveat: loads.iter().any(|l| l.coordinated_omission_caveat),
        duration_s: 0.0,
        sent: 0,
        completed: 0,
        throughput_rps: 0.0,
        status: Default::default(),
        timeouts: 0,
        errors: Default::default(),
        late: 0,
        dropped: 0,
        error_rate: None,
        latency_s: None,
        latency_histogram: String::new(),
        stop_killed: runs.iter().filter(|r| r.stop_killed).count(),
    };
    for l in &loads {
        s.duration_s += l.duration_s;
        s.sent += l.sent;
        s.completed += l.completed;
        s.status.add(&l.status);
        s.timeouts += l.timeouts;
        s.errors.add(&l.errors);
        s.late += l.late;
        s.dropped += l.dropped;
    }
    if s.duration_s > 0.0 {
        s.throughput_rps = s.completed as f64 / s.duration_s;
    }
    s.error_rate = s.unserved_share();
    let texts: Vec<String> = loads.iter().map(|l| l.latency_histogram.clone()).collect();
    if let Ok(merged) = latency::merge(&texts) {
        s.latency_s = latency::percentiles(&merged);
        s.latency_histogram = latency::encode(&merged).unwrap_or_default();
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::service::{Percentiles, StatusCounts};
    use perfwatch_model::{LoadSummary, ServiceRun};

    fn run(index: u32, latencies_us: &[u64], model: ModelKind) -> Iteration {
        let mut h = latency::new_histogram();
        for &us in latencies_us {
            h.record(us).unwrap();
        }
        let n = latencies_us.len() as u64;
        Iteration {
            index,
            exit_code: Some(0),
            service: Some(ServiceRun {
                port: 1,
                startup_s: 0.1,
                shutdown_s: 0.01,
                stop_killed: false,
                exited_early: false,
                load: Some(LoadSummary {
                    model,
                    coordinated_omission_caveat: model == ModelKind::Closed,
                    duration_s: 1.0,
                    sent: n,
                    completed: n,
                    throughput_rps: n as f64,
                    status: StatusCounts {
                        success: n,
                        ..StatusCounts::default()
                    },
                    timeouts: 0,
                    errors: Default::default(),
                    late: 0,
                    dropped: 0,
                    latency_s: latency::percentiles(&h),
                    latency_histogram: latency::encode(&h).unwrap(),
                }),
                scraped: None,
            }),
            ..Iteration::default()
        }
    }

    #[test]
    fn percentiles_come_from_the_merged_histogram_not_averaged() {
        // 99 fast requests in one run, a stall's 50 slow ones in the other:
        // averaging the runs' p50s would say 0.5 s; the merged one is fast.
        let fast = vec![1_000; 99];
        let slow = vec![1_000_000; 50];
        let its = [
            run(0, &fast, ModelKind::Open),
            run(1, &slow, ModelKind::Open),
        ];
        let s = service_summary(&its).unwrap();
        let p: Percentiles = s.latency_s.unwrap();
        assert!((p.p50 - 0.001).abs() < 1e-5, "{p:?}");
        assert!((p.p90 - 1.0).abs() < 0.001, "{p:?}");
        assert_eq!((s.sent, s.completed, s.iterations), (149, 149, 2));
        assert_eq!(s.throughput_rps, 74.5);
        assert_eq!(s.error_rate, Some(0.0));
    }

    #[test]
    fn another_model_and_uncounted_iterations_are_left_out() {
        let mut warm = run(0, &[5_000_000], ModelKind::Open);
        warm.warmup = true;
        let its = [
            warm,
            run(1, &[1_000], ModelKind::Open),
            run(2, &[9_000_000], ModelKind::Closed),
        ];
        let s = service_summary(&its).unwrap();
        assert_eq!(s.model, Some(ModelKind::Open));
        assert_eq!(s.iterations, 2, "the closed run counts as a run");
        assert_eq!(s.sent, 1, "but not its requests");
        assert!(s.latency_s.unwrap().max < 0.01);
        assert!(service_summary(&[Iteration::default()]).is_none());
    }
}
