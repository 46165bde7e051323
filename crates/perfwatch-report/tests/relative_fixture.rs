//! Sessions of several variants for the relative summary and the scan
//! table: each variant with ten counted runs around its median, the
//! variants after the first compared with the first as the analysis does
//! (wall time primary), figures chosen by hand.

use perfwatch_model::*;
use std::collections::BTreeMap;

/// One variant of a fixture session.
pub struct V {
    /// Its name.
    pub name: &'static str,
    /// Its own command, when it runs one.
    pub command: Option<&'static str>,
    /// Its parameter values, in a scan.
    pub parameters: &'static [(&'static str, &'static str)],
    /// Its median wall time.
    pub median: f64,
    /// Against the first: ratio, interval, p-value, verdict, severity.
    pub vs_first: Option<(f64, f64, f64, f64, Verdict, Severity)>,
}

impl V {
    /// A variant named `name` with this median.
    pub fn new(name: &'static str, median: f64) -> Self {
        V {
            name,
            command: None,
            parameters: &[],
            median,
            vs_first: None,
        }
    }

    /// The variant runs `name` as its own command.
    pub fn command(mut self) -> Self {
        self.command = Some(self.name);
        self
    }

    /// The variant's parameter values.
    pub fn params(mut self, parameters: &'static [(&'static str, &'static str)]) -> Self {
        self.parameters = parameters;
        self
    }

    /// The variant against the first.
    pub fn vs(
        mut self,
        ratio: (f64, f64, f64),
        p: f64,
        verdict: Verdict,
        severity: Severity,
    ) -> Self {
        self.vs_first = Some((ratio.0, ratio.1, ratio.2, p, verdict, severity));
        self
    }
}

fn summary(median: f64) -> Summary {
    let spread = median * 0.02;
    Summary {
        n: 10,
        mean: median * 1.01,
        sd: spread,
        median,
        min: median - spread,
        max: median + 2.0 * spread,
        p95: median + 1.5 * spread,
        mad: spread / 2.0,
        ci_low: median - spread / 2.0,
        ci_high: median + spread,
        confidence: 0.95,
    }
}

fn iterations(name: &str, median: f64) -> Vec<Iteration> {
    (0..10)
        .map(|k| Iteration {
            index: k,
            variant: name.to_string(),
            exit_code: Some(0),
            wall_s: median,
            ..Iteration::default()
        })
        .collect()
}

fn shell(command: &str) -> CommandSpec {
    CommandSpec {
        argv: vec![command.to_string()],
        shell: true,
    }
}

/// A session of `benchmark` running `command` with these variants.
pub fn export(benchmark: &str, command: &str, variants: &[V]) -> SessionExport {
    let first = variants[0].name;
    let comparisons = variants
        .iter()
        .skip(1)
        .filter_map(|v| {
            let (ratio, low, high, p, verdict, severity) = v.vs_first?;
            Some(Comparison {
                metric: "wall_s".into(),
                stage: None,
                baseline: first.into(),
                candidate: v.name.into(),
                baseline_median: variants[0].median,
                candidate_median: v.median,
                baseline_n: 10,
                candidate_n: 10,
                ratio,
                ci_low: low,
                ci_high: high,
                p_value: p,
                change_pct: (ratio - 1.0) * 100.0,
                severity,
                verdict,
                note: None,
                confidence: 0.95,
                primary: true,
                reference: Reference::Variant,
            })
        })
        .collect();
    SessionExport {
        schema: SCHEMA_V1.to_string(),
        session: Session {
            id: "5c87c9fe00112233".into(),
            started_at: "2026-01-01T00:00:00.000Z".into(),
            finished_at: Some("2026-01-01T00:00:09.000Z".into()),
            benchmark: benchmark.into(),
            command: shell(command),
            variants: variants
                .iter()
                .map(|v| VariantSpec {
                    name: v.name.into(),
                    command: v.command.map(shell),
                    parameters: v
                        .parameters
                        .iter()
                        .map(|(n, x)| (n.to_string(), x.to_string()))
                        .collect(),
                    ..VariantSpec::default()
                })
                .collect(),
            git: None,
            host: HostInfo {
                hostname: Some("host".into()),
                os: "linux".into(),
                ..HostInfo::default()
            },
            perfwatch_version: "0.1.0".into(),
            status: SessionStatus::Complete,
            baseline: None,
            shell_correction: None,
            imported: None,
            owner: None,
            adaptive: None,
            program_version: None,
        },
        variants: variants
            .iter()
            .map(|v| VariantExport {
                gpu: None,
                app_metrics: Default::default(),
                service: None,
                name: v.name.into(),
                description: None,
                iterations: iterations(v.name, v.median),
                summary: BTreeMap::from([("wall_s".to_string(), summary(v.median))]),
                stages: vec![],
                warnings: vec![],
            })
            .collect(),
        comparisons,
        findings: vec![],
        health: Some(Health {
            score: 100,
            breakdown: vec![],
        }),
        gate: None,
        notes: vec![],
        adaptive: None,
    }
}

/// `perfwatch run` of two commands, the second twice as slow.
pub fn two_commands() -> SessionExport {
    use Severity::*;
    export(
        "sleep 0.01",
        "sleep 0.01",
        &[
            V::new("sleep 0.01", 0.0101).command(),
            V::new("sleep 0.02", 0.0200).command().vs(
                (1.98, 1.96, 2.00),
                0.0001,
                Verdict::Regressed,
                High,
            ),
        ],
    )
}

/// `perfwatch ab` of three variants: one slower, one faster than the
/// first, the slower one's interval lopsided.
pub fn three_variants() -> SessionExport {
    export(
        "pipeline",
        "./pipeline --input data.csv",
        &[
            V::new("baseline", 1.20),
            V::new("no-cache", 1.50).vs(
                (1.25, 1.21, 1.40),
                0.002,
                Verdict::Regressed,
                Severity::Medium,
            ),
            V::new("parallel", 0.60).vs(
                (0.50, 0.48, 0.52),
                0.0001,
                Verdict::Improved,
                Severity::None,
            ),
        ],
    )
}

/// `perfwatch run --param t=0.005,0.01,0.02 --shell 'sleep {t}'`.
pub fn scan_of_one() -> SessionExport {
    export(
        "sleep {t}",
        "sleep {t}",
        &[
            V::new("t=0.005", 0.0076).params(&[("t", "0.005")]),
            V::new("t=0.01", 0.0124).params(&[("t", "0.01")]).vs(
                (1.635, 1.458, 1.715),
                0.008,
                Verdict::Regressed,
                Severity::High,
            ),
            V::new("t=0.02", 0.0226).params(&[("t", "0.02")]).vs(
                (2.977, 2.655, 3.296),
                0.008,
                Verdict::Regressed,
                Severity::Critical,
            ),
        ],
    )
}

/// A 2×2 scan of two parameters, one combination unchanged.
pub fn scan_of_two() -> SessionExport {
    export(
        "encode",
        "./encode --threads {threads} --preset {preset}",
        &[
            V::new("threads=1,preset=fast", 0.80).params(&[("threads", "1"), ("preset", "fast")]),
            V::new("threads=1,preset=slow", 1.60)
                .params(&[("threads", "1"), ("preset", "slow")])
                .vs((2.0, 1.9, 2.1), 0.0001, Verdict::Regressed, Severity::High),
            V::new("threads=4,preset=fast", 0.81)
                .params(&[("threads", "4"), ("preset", "fast")])
                .vs((1.01, 0.97, 1.04), 0.62, Verdict::Unchanged, Severity::None),
            V::new("threads=4,preset=slow", 0.45)
                .params(&[("threads", "4"), ("preset", "slow")])
                .vs(
                    (0.5625, 0.54, 0.59),
                    0.0001,
                    Verdict::Improved,
                    Severity::None,
                ),
        ],
    )
}
