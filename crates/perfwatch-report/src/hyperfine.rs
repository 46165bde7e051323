//! hyperfine's own JSON schema (`hyperfine --export-json`), so that tools
//! written for hyperfine's exports (its plotting scripts, dashboards) read
//! perfwatch's results.
//!
//! The document is `{"results": [R, …]}` with one `R` per variant that has
//! counted iterations, in the session's order: `command`, `mean`, `stddev`,
//! `median`, `user`, `system`, `min`, `max`, `times`, `memory_usage_byte`
//! (only when every counted run measured its peak RSS), `exit_codes` and
//! `parameters` (only for a variant of a parameter scan).
//!
//! Figures are the analysis's own: `times` are the wall times of the
//! **counted** iterations ([`Iteration::counts`]: not warm-ups, not timed
//! out; failed runs that were kept count, as hyperfine's `--ignore-failure`
//! runs do), and `mean`, `stddev`, `median`, `min` and `max` are the wall
//! time [`Summary`] over the same iterations — its standard deviation is the
//! sample one (n − 1), as hyperfine's; `null` below two runs, as hyperfine
//! writes it. `user` and `system` are the means of the per-run CPU times;
//! for an imported variant that only has a tool's reported means
//! ([`VariantSpec::cpu_means`]) those; `null` when neither exists.
//!
//! `command` is the variant's name, as hyperfine's `--command-name` would
//! set it; a session whose only variant is the unnamed `default` gets its
//! command line instead, as hyperfine writes for an unnamed command.

use crate::Render;
use perfwatch_model::{Iteration, Metric, SessionExport, Summary, VariantExport, VariantSpec};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::io::{self, Write};

/// Writes a session in hyperfine's `--export-json` schema.
#[derive(Debug, Clone, Copy, Default)]
pub struct HyperfineRenderer;

impl Render for HyperfineRenderer {
    fn render(&self, export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &document(export))?;
        writeln!(out)
    }
}

/// The whole document.
#[derive(Debug, Serialize)]
struct Document {
    results: Vec<BenchResult>,
}

/// One command's result, fields in hyperfine's order.
#[derive(Debug, Serialize)]
struct BenchResult {
    command: String,
    mean: f64,
    stddev: Option<f64>,
    median: f64,
    user: Option<f64>,
    system: Option<f64>,
    min: f64,
    max: f64,
    times: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory_usage_byte: Option<Vec<u64>>,
    exit_codes: Vec<Option<i32>>,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "ordered_object"
    )]
    parameters: Vec<(String, String)>,
}

/// `(name, value)` pairs as a JSON object in their order.
fn ordered_object<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

fn document(export: &SessionExport) -> Document {
    let specs = &export.session.variants;
    let lone_default = export.variants.len() == 1 && export.variants[0].name == "default";
    let results = export
        .variants
        .iter()
        .filter_map(|variant| {
            let spec = specs.iter().find(|s| s.name == variant.name);
            let command = if lone_default {
                command_line(export, spec)
            } else {
                variant.name.clone()
            };
            result(variant, spec, command)
        })
        .collect();
    Document { results }
}

/// The command line a variant ran: its own command or the session's, with
/// its extra arguments.
fn command_line(export: &SessionExport, spec: Option<&VariantSpec>) -> String {
    let mut command = spec
        .and_then(|s| s.command.clone())
        .unwrap_or_else(|| export.session.command.clone());
    if let Some(spec) = spec {
        command.argv.extend(spec.args.iter().cloned());
    }
    command.display()
}

/// One result, or `None` for a variant without counted iterations.
fn result(
    variant: &VariantExport,
    spec: Option<&VariantSpec>,
    command: String,
) -> Option<BenchResult> {
    let wall: &Summary = variant.summary.get(Metric::WallS.key())?;
    let counted: Vec<&Iteration> = variant.iterations.iter().filter(|it| it.counts()).collect();
    let mean_of = |m: Metric| variant.summary.get(m.key()).map(|s| s.mean);
    let reported = spec.and_then(|s| s.cpu_means);
    let memory = variant
        .summary
        .contains_key(Metric::MaxRssBytes.key())
        .then(|| counted.iter().filter_map(|it| it.max_rss_bytes).collect());
    Some(BenchResult {
        command,
        mean: wall.mean,
        stddev: (wall.n >= 2).then_some(wall.sd),
        median: wall.median,
        user: mean_of(Metric::UserS).or(reported.map(|r| r.user_s)),
        system: mean_of(Metric::SysS).or(reported.map(|r| r.sys_s)),
        min: wall.min,
        max: wall.max,
        times: counted.iter().map(|it| it.wall_s).collect(),
        memory_usage_byte: memory,
        exit_codes: counted.iter().map(|it| it.exit_code).collect(),
        parameters: spec.map(|s| s.parameters.clone()).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_analysis::summarize_session;
    use perfwatch_model::{CommandSpec, CpuMeans, HostInfo, Session, SessionStatus};
    use perfwatch_stats::CiOptions;
    use serde_json::Value;

    fn session(variants: Vec<VariantSpec>) -> Session {
        Session {
            id: "0123456789abcdef0123456789abcdef".into(),
            started_at: "2025-01-02T03:04:05.000Z".into(),
            finished_at: None,
            benchmark: "nap".into(),
            command: CommandSpec {
                argv: vec!["sleep".into(), "0.02".into()],
                shell: false,
            },
            variants,
            git: None,
            host: HostInfo::default(),
            perfwatch_version: "0.1.0".into(),
            status: SessionStatus::Complete,
            baseline: None,
            shell_correction: None,
            imported: None,
            owner: None,
            adaptive: None,
            program_version: None,
        }
    }

    fn variant(name: &str) -> VariantSpec {
        VariantSpec {
            name: name.into(),
            ..VariantSpec::default()
        }
    }

    fn run(index: u32, variant: &str, wall_s: f64) -> Iteration {
        Iteration {
            index,
            variant: variant.into(),
            exit_code: Some(0),
            wall_s,
            user_s: Some(wall_s / 4.0),
            sys_s: Some(wall_s / 8.0),
            max_rss_bytes: Some(1_000_000 + u64::from(index)),
            ..Iteration::default()
        }
    }

    fn render(session: Session, iterations: Vec<Iteration>) -> Value {
        let export = summarize_session(session, iterations, &CiOptions::default());
        let text = HyperfineRenderer.render_to_string(&export).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn results_have_hyperfine_fields_in_hyperfine_order() {
        let mut scan = variant("n=2");
        scan.parameters = vec![("n".into(), "2".into()), ("mode".into(), "fast".into())];
        let iterations = vec![
            Iteration {
                warmup: true,
                ..run(0, "n=2", 9.0)
            },
            run(1, "n=2", 0.2),
            Iteration {
                exit_code: Some(1),
                ..run(2, "n=2", 0.4)
            },
            Iteration {
                timed_out: true,
                ..run(3, "n=2", 9.0)
            },
            Iteration {
                exit_code: None,
                signal: Some(9),
                ..run(4, "n=2", 0.3)
            },
        ];
        let export = summarize_session(session(vec![scan]), iterations, &CiOptions::default());
        let text = HyperfineRenderer.render_to_string(&export).unwrap();
        // serde_json's `Value` sorts keys: the order is read from the text.
        let position = |key: &str| text.find(&format!("\"{key}\":")).unwrap_or(usize::MAX);
        let order = [
            "results",
            "command",
            "mean",
            "stddev",
            "median",
            "user",
            "system",
            "min",
            "max",
            "times",
            "memory_usage_byte",
            "exit_codes",
            "parameters",
            "n",
            "mode",
        ];
        let positions: Vec<usize> = order.iter().map(|k| position(k)).collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "fields out of order:\n{text}"
        );
        let doc: Value = serde_json::from_str(&text).unwrap();
        let result = &doc["results"][0];
        assert_eq!(result["command"], "n=2");
        // Counted runs only: warm-ups and timeouts out, failures in.
        assert_eq!(result["times"], serde_json::json!([0.2, 0.4, 0.3]));
        assert_eq!(result["exit_codes"], serde_json::json!([0, 1, null]));
        assert_eq!(
            result["memory_usage_byte"],
            serde_json::json!([1_000_001, 1_000_002, 1_000_004])
        );
        assert_eq!(
            result["parameters"],
            serde_json::json!({"n": "2", "mode": "fast"})
        );
        assert_eq!(result["min"], 0.2);
        assert_eq!(result["max"], 0.4);
        assert_eq!(result["median"], 0.3);
    }

    #[test]
    fn stddev_is_the_sample_one_and_null_below_two_runs() {
        let its = (0..4).map(|i| run(i, "a", f64::from(i + 1))).collect();
        let doc = render(session(vec![variant("a")]), its);
        let result = &doc["results"][0];
        assert_eq!(result["mean"], 2.5);
        let sd = result["stddev"].as_f64().unwrap();
        assert!((sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-12, "{sd}");
        assert_eq!(result["user"].as_f64().unwrap(), 2.5 / 4.0);

        let doc = render(session(vec![variant("a")]), vec![run(0, "a", 1.0)]);
        assert_eq!(doc["results"][0]["stddev"], Value::Null);
    }

    #[test]
    fn a_lone_default_variant_is_named_by_its_command_line() {
        let doc = render(
            session(vec![variant("default")]),
            vec![run(0, "default", 0.1)],
        );
        assert_eq!(doc["results"][0]["command"], "sleep 0.02");
        let both = vec![run(0, "default", 0.1), run(1, "fast", 0.1)];
        let doc = render(session(vec![variant("default"), variant("fast")]), both);
        assert_eq!(doc["results"][0]["command"], "default");
        assert_eq!(doc["results"][1]["command"], "fast");
    }

    #[test]
    fn reported_cpu_means_stand_in_for_missing_per_run_times_and_absences_are_null() {
        let mut imported = variant("a");
        imported.cpu_means = Some(CpuMeans {
            user_s: 0.01,
            sys_s: 0.02,
        });
        let bare = |i: u32, v: &str| Iteration {
            user_s: None,
            sys_s: None,
            max_rss_bytes: None,
            ..run(i, v, 0.1)
        };
        let doc = render(
            session(vec![imported, variant("b")]),
            vec![bare(0, "a"), bare(1, "b")],
        );
        let a = &doc["results"][0];
        assert_eq!(
            (a["user"].as_f64(), a["system"].as_f64()),
            (Some(0.01), Some(0.02))
        );
        assert!(a.get("memory_usage_byte").is_none() && a.get("parameters").is_none());
        let b = &doc["results"][1];
        assert_eq!((&b["user"], &b["system"]), (&Value::Null, &Value::Null));
    }

    #[test]
    fn the_importer_reads_back_the_same_runs() {
        let mut scan = variant("x");
        scan.parameters = vec![("n".into(), "4".into())];
        let its: Vec<Iteration> = (0..6)
            .map(|i| {
                run(
                    i,
                    if i % 2 == 0 { "x" } else { "y" },
                    0.01 * f64::from(i + 1) / 3.0,
                )
            })
            .collect();
        let export = summarize_session(
            session(vec![scan, variant("y")]),
            its.clone(),
            &CiOptions::default(),
        );
        let text = HyperfineRenderer.render_to_string(&export).unwrap();
        let back = perfwatch_import::import_hyperfine(&text, "nap.json").unwrap();
        let back = &back[0];
        for name in ["x", "y"] {
            let sent: Vec<f64> = its
                .iter()
                .filter(|i| i.variant == name)
                .map(|i| i.wall_s)
                .collect();
            let got: Vec<f64> = back
                .iterations
                .iter()
                .filter(|i| i.variant == name)
                .map(|i| i.wall_s)
                .collect();
            assert_eq!(got, sent, "{name}");
            let rss: Vec<_> = back
                .iterations
                .iter()
                .filter(|i| i.variant == name)
                .map(|i| i.max_rss_bytes)
                .collect();
            let sent_rss: Vec<_> = its
                .iter()
                .filter(|i| i.variant == name)
                .map(|i| i.max_rss_bytes)
                .collect();
            assert_eq!(rss, sent_rss, "{name}");
        }
        assert_eq!(
            back.session.variants[0].parameters,
            [("n".to_string(), "4".to_string())]
        );
        let means = back.session.variants[1].cpu_means.unwrap();
        let y = &export.variants[1].summary;
        assert_eq!(
            (means.user_s, means.sys_s),
            (y["user_s"].mean, y["sys_s"].mean)
        );
    }

    #[test]
    fn the_document_looks_like_hyperfines() {
        let its = (0..3)
            .map(|i| run(i, "default", 0.02 + f64::from(i) / 1000.0))
            .collect();
        let export = summarize_session(
            session(vec![variant("default")]),
            its,
            &CiOptions::default(),
        );
        insta::assert_snapshot!(HyperfineRenderer.render_to_string(&export).unwrap());
    }
}
