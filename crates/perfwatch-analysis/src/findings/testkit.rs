//! Synthetic sessions for the tests: runs built step by step on a virtual
//! clock, with spans, CPU times and a 50 ms timeline derived from which
//! steps were busy; and the bundled demo pipeline's three variants.

use perfwatch_model::service::{ModelKind, Percentiles};
use perfwatch_model::{
    CommandSpec, GpuReading, HostInfo, Iteration, LoadSummary, Sample, ServiceRun, Session,
    SessionExport, SessionStatus, Span, Tier, VariantExport, VariantSpec, SCHEMA_V1,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Sampling interval of the synthetic timeline.
pub(crate) const SAMPLE_DT: f64 = 0.05;
/// Flat RSS of a run unless told otherwise.
pub(crate) const BASE_RSS: u64 = 30 << 20;

/// A run under construction.
pub(crate) struct RunBuilder {
    it: Iteration,
    t: f64,
    next: u64,
    busy: Vec<(f64, f64)>,
    rss: Box<dyn Fn(f64) -> u64>,
    gpu: Option<GpuTrace>,
    timeline: bool,
}

/// The GPU as a function of time: the reading of the sample at `t`.
type GpuTrace = Box<dyn Fn(f64) -> GpuReading>;

/// A new run: `index` 0-based, the clock at 2 ms (process start-up).
pub(crate) fn run(index: u32) -> RunBuilder {
    RunBuilder {
        it: Iteration {
            index,
            exit_code: Some(0),
            ..Iteration::default()
        },
        t: 0.002,
        next: 1,
        busy: Vec::new(),
        rss: Box::new(|t| BASE_RSS + ((t * 1000.0) as u64 * 7919 % 17) * 4096),
        gpu: None,
        timeline: true,
    }
}

impl RunBuilder {
    /// Opens a span at the current time; [`close`](Self::close) ends it.
    pub fn open(&mut self, name: &str, parent: Option<u64>) -> u64 {
        let id = self.next;
        self.next += 1;
        self.it.stages.push(Span {
            id,
            parent,
            name: name.into(),
            tier: Tier::Method,
            component: None,
            start_s: self.t,
            end_s: self.t,
            ok: true,
            calls: 1,
            failed_calls: 0,
            total_s: None,
            attributes: Default::default(),
        });
        id
    }

    /// Ends an open span now.
    pub fn close(&mut self, id: u64) {
        let t = self.t;
        if let Some(s) = self.span(id) {
            s.end_s = t;
        }
    }

    /// A leaf span of `d` seconds, busy on the CPU or idle.
    pub fn step(&mut self, name: &str, parent: Option<u64>, d: f64, busy: bool) -> u64 {
        let id = self.open(name, parent);
        self.advance(d, busy);
        self.close(id);
        id
    }

    /// Time passing outside any new span.
    pub fn advance(&mut self, d: f64, busy: bool) {
        if busy {
            self.busy.push((self.t, self.t + d));
        }
        self.t += d;
    }

    /// The span `id`, to adjust.
    pub fn span(&mut self, id: u64) -> Option<&mut Span> {
        self.it.stages.iter_mut().find(|s| s.id == id)
    }

    /// RSS as a function of time.
    pub fn rss(mut self, f: impl Fn(f64) -> u64 + 'static) -> Self {
        self.rss = Box::new(f);
        self
    }

    /// GPU readings in every sample, as a function of the sample's time.
    pub fn gpu(mut self, f: impl Fn(f64) -> GpuReading + 'static) -> Self {
        self.gpu = Some(Box::new(f));
        self
    }

    /// No timeline (sampling off).
    pub fn without_timeline(mut self) -> Self {
        self.timeline = false;
        self
    }

    /// Makes the run a service's: ready after `startup_s`, stopped in
    /// `shutdown_s`, with `load` (see [`load`]) if any.
    pub fn service(mut self, startup_s: f64, shutdown_s: f64, load: Option<LoadSummary>) -> Self {
        self.it.service = Some(ServiceRun {
            port: 8080,
            startup_s,
            shutdown_s,
            stop_killed: false,
            exited_early: false,
            load,
            scraped: None,
        });
        self
    }

    /// Marks the run as a warm-up.
    pub fn warmup(mut self) -> Self {
        self.it.warmup = true;
        self
    }

    /// The finished iteration: wall = clock + 3 ms; CPU = busy time (plus
    /// 2 ms of start-up); timeline every 50 ms.
    pub fn finish(mut self) -> Iteration {
        let wall = self.t + 0.003;
        let busy_in = |lo: f64, hi: f64| -> f64 {
            self.busy
                .iter()
                .map(|&(a, b)| (b.min(hi) - a.max(lo)).max(0.0))
                .sum()
        };
        let cpu = busy_in(0.0, wall) + 0.002;
        self.it.wall_s = wall;
        self.it.user_s = Some(cpu * 0.95);
        self.it.sys_s = Some(cpu * 0.05);
        let n = (wall / SAMPLE_DT).ceil() as usize;
        let samples: Vec<Sample> = (1..=n)
            .map(|i| {
                let t = (i as f64 * SAMPLE_DT).min(wall);
                let lo = (i - 1) as f64 * SAMPLE_DT;
                Sample {
                    t_s: t,
                    cpu_pct: 0.5 + 100.0 * busy_in(lo, t) / (t - lo).max(1e-9),
                    rss_bytes: (self.rss)(t),
                    threads: 1,
                    processes: 1,
                    read_bps: 0.0,
                    write_bps: 0.0,
                    gpus: self.gpu.as_ref().map(|g| vec![g(t)]).unwrap_or_default(),
                }
            })
            .collect();
        let peak = samples
            .iter()
            .map(|s| s.rss_bytes)
            .max()
            .unwrap_or(BASE_RSS);
        self.it.max_rss_bytes = Some(peak);
        self.it.peak_tree_rss_bytes = Some(peak);
        if self.timeline {
            self.it.timeline = samples;
        }
        self.it
    }
}

/// A variant of the given iterations (summaries left empty).
pub(crate) fn variant(name: &str, mut its: Vec<Iteration>) -> VariantExport {
    for it in &mut its {
        it.variant = name.into();
    }
    VariantExport {
        gpu: None,
        app_metrics: Default::default(),
        service: None,
        name: name.into(),
        description: None,
        iterations: its,
        summary: BTreeMap::new(),
        stages: vec![],
        warnings: vec![],
    }
}

/// A session of the given variants.
pub(crate) fn session(variants: Vec<VariantExport>) -> SessionExport {
    SessionExport {
        schema: SCHEMA_V1.into(),
        session: Session {
            id: "test".into(),
            started_at: "2025-01-01T00:00:00Z".into(),
            finished_at: None,
            benchmark: "synthetic".into(),
            command: CommandSpec {
                argv: vec!["job".into()],
                shell: false,
            },
            variants: vec![],
            git: None,
            host: HostInfo::default(),
            perfwatch_version: "0".into(),
            status: SessionStatus::Complete,
            baseline: None,
            shell_correction: None,
            imported: None,
            owner: None,
            adaptive: None,
            program_version: None,
        },
        variants,
        comparisons: vec![],
        findings: vec![],
        health: None,
        gate: None,
        notes: Vec::new(),
        adaptive: None,
    }
}

/// A session whose variants are a scan of `parameter` (one value per
/// variant, in order).
pub(crate) fn scan(parameter: &str, variants: Vec<(&str, VariantExport)>) -> SessionExport {
    let specs = variants
        .iter()
        .map(|(value, v)| VariantSpec {
            name: v.name.clone(),
            parameters: vec![(parameter.to_string(), value.to_string())],
            ..Default::default()
        })
        .collect();
    let mut s = session(variants.into_iter().map(|(_, v)| v).collect());
    s.session.variants = specs;
    s
}

/// A 10-second open-model load: every request answered 2xx at
/// `throughput_rps`, with the given median and p99 latency.
pub(crate) fn load(throughput_rps: f64, p50_s: f64, p99_s: f64) -> LoadSummary {
    let n = (throughput_rps * 10.0).round() as u64;
    LoadSummary {
        model: ModelKind::Open,
        coordinated_omission_caveat: false,
        duration_s: 10.0,
        sent: n,
        completed: n,
        throughput_rps,
        status: perfwatch_model::service::StatusCounts {
            success: n,
            ..Default::default()
        },
        timeouts: 0,
        errors: Default::default(),
        late: 0,
        dropped: 0,
        latency_s: Some(Percentiles {
            p50: p50_s,
            p90: (p50_s + p99_s) / 2.0,
            p99: p99_s,
            p999: p99_s * 1.5,
            max: p99_s * 2.0,
        }),
        latency_histogram: String::new(),
    }
}

/// A seeded random source.
pub(crate) fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A uniform draw in `[lo, hi)`.
pub(crate) fn uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    rng.random_range(lo..hi)
}

/// Settings of the demo pipeline (see `examples/demo-pipeline`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Demo {
    /// Wait a fixed 200 ms after activation (else poll the condition,
    /// ready after 40 ms, every 2 ms).
    pub fixed_wait: bool,
    /// Download polling interval (the download is done after 50 ms).
    pub poll_s: f64,
    /// No 150 ms cold start on the first fetch.
    pub warm: bool,
}

impl Demo {
    /// `before`: fixed wait, 100 ms polling, cold start.
    pub const BEFORE: Demo = Demo {
        fixed_wait: true,
        poll_s: 0.1,
        warm: false,
    };
    /// `after`: condition wait, 10 ms polling, cold start.
    pub const AFTER: Demo = Demo {
        fixed_wait: false,
        poll_s: 0.01,
        warm: false,
    };
    /// `warm`: like `after` without the cold start.
    pub const WARM: Demo = Demo {
        fixed_wait: false,
        poll_s: 0.01,
        warm: true,
    };

    /// One run of three tracks: `job/track/{fetch, activate,
    /// monitor_download, encode}` as the instrumented demo reports them,
    /// with sleep-like overshoots.
    pub fn run(self, index: u32, rng: &mut ChaCha8Rng) -> Iteration {
        let mut r = run(index);
        r.advance(0.004, true);
        let root = r.open("job", None);
        for track in 0..3 {
            let t = r.open("track", Some(root));
            let cold = if track == 0 && !self.warm { 0.150 } else { 0.0 };
            let d = 0.020 + cold + uniform(rng, 0.0001, 0.0006);
            r.step("fetch", Some(t), d, false);
            let d = if self.fixed_wait {
                0.200 + uniform(rng, 0.0001, 0.0006)
            } else {
                0.040 + uniform(rng, 0.0001, 0.002)
            };
            r.step("activate", Some(t), d, false);
            let polls = (0.050 / self.poll_s).ceil().max(1.0);
            let d = polls * self.poll_s + polls * uniform(rng, 0.00005, 0.0002);
            r.step("monitor_download", Some(t), d, false);
            r.step("encode", Some(t), 0.015 + uniform(rng, -0.001, 0.001), true);
            r.close(t);
        }
        r.close(root);
        r.finish()
    }

    /// A variant of one warm-up and `runs` counted runs.
    pub fn variant(self, name: &str, runs: u32, seed: u64) -> VariantExport {
        let mut rng = rng(seed);
        let mut its = vec![];
        for i in 0..=runs {
            let mut it = self.run(i, &mut rng);
            it.warmup = i == 0;
            its.push(it);
        }
        variant(name, its)
    }
}

/// What one rule's `find` says about the first variant of `s`, with the
/// default options; every finding is checked to state its saving.
pub(crate) fn apply_rule(find: super::Rule, s: &SessionExport) -> Vec<perfwatch_model::Finding> {
    let data = super::variant_data(s);
    let found = find(&data, 0, &super::FindingOptions::default());
    found.iter().for_each(assert_states_its_saving);
    found
}

/// What one rule's `find` says about every variant of `s`, in variant
/// order, with `opts`; every finding is checked to state its saving.
pub(crate) fn apply_rule_to_all(
    find: super::Rule,
    s: &SessionExport,
    opts: &super::FindingOptions,
) -> Vec<perfwatch_model::Finding> {
    let data = super::variant_data(s);
    let found: Vec<_> = (0..data.len()).flat_map(|i| find(&data, i, opts)).collect();
    found.iter().for_each(assert_states_its_saving);
    found
}

/// Asserts that a finding's text states the saving it is ranked and scored
/// by: `save about <impact_s> per run` when it claims one, no such phrase
/// when it claims none.
pub(crate) fn assert_states_its_saving(f: &perfwatch_model::Finding) {
    let text = format!("{} {}", f.title, f.recommendation);
    if f.impact_s > 0.0 {
        let stated = super::format::saves(f.impact_s);
        assert!(
            text.contains(&stated),
            "{} claims {} s but its text does not say `{stated}`: {text}",
            f.kind,
            f.impact_s
        );
    } else {
        assert!(
            !text.contains("save about"),
            "{} claims no saving but its text states one: {text}",
            f.kind
        );
    }
}
