//! hyperfine's JSON export (`hyperfine --export-json FILE`) as one session.
//!
//! The export is `{"results": [R, …]}`, one `R` per benchmarked command:
//! `command` (the command line, or its `--command-name`), `times` (wall
//! seconds of every timed run, in order), `exit_codes` (one per run, `null`
//! when the run ended by a signal; absent before hyperfine 1.12),
//! `memory_usage_byte` (peak RSS per run, 0 where hyperfine could not
//! measure it; absent before 1.20), `parameters` (values of `-P`/`-L`
//! parameters) and statistics over `times` (`mean`, `stddev`, `median`,
//! `min`, `max`) and the means `user` and `system`.
//!
//! Mapping: a file compares its commands, so it becomes **one session**
//! whose **variants are the commands** (variant name = `command`, made
//! unique with ` #2`, ` #3` when a command repeats; renamed by
//! [`ImportOptions`](crate::ImportOptions)) and whose benchmark is the file
//! stem. Iterations follow hyperfine's order (all runs of the first
//! command, then the second, …). Each run becomes an iteration with
//! `wall_s` from `times`, `exit_code` from `exit_codes`, `max_rss_bytes`
//! from `memory_usage_byte` (absent for 0). A file without any exit code
//! (hyperfine before 1.12, which kept only runs that exited 0 unless told
//! to ignore failures) has its runs taken as successful, and says so in
//! [`Imported::notes`]. Warm-up runs are not exported by hyperfine, so none
//! are imported. The statistics hyperfine wrote are not kept: perfwatch
//! computes its own from the runs.
//!
//! **CPU times.** hyperfine exports only the *means* of user and system CPU
//! time. They are kept as reported in
//! [`VariantSpec::cpu_means`](perfwatch_model::VariantSpec::cpu_means),
//! which `show` and every export carry, and per-run `user_s`/`sys_s` stay
//! absent. Repeating the mean as each run's figure would look measured but
//! is not: a constant column has a zero-width confidence interval, so any
//! difference from another session would be judged significant. Without
//! per-run values perfwatch does not summarise or compare CPU time for the
//! session; comparisons use wall time and memory, which are per run.
//!
//! **Parameters** of `-P`/`-L` scans go into
//! [`VariantSpec::parameters`](perfwatch_model::VariantSpec::parameters) in
//! the file's order, and into the description (`parameters: n=4`); not into
//! the environment: hyperfine substitutes them into the command text, and
//! the command did not see them as environment variables.
//!
//! The session records its origin ([`Session::imported`](perfwatch_model::Session::imported)):
//! tool `hyperfine`, the file as named, and the SHA-256 of its text.

use crate::detect::{require_shape, Shape};
use crate::json::{check_time, parse_typed, parse_value};
use crate::provenance::{imported_session, now_rfc3339, origin as import_origin};
use crate::{ImportError, Imported, Source};
use perfwatch_model::{CommandSpec, CpuMeans, Iteration, VariantSpec};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct Export {
    results: Vec<BenchResult>,
}

#[derive(Debug, Deserialize)]
struct BenchResult {
    command: String,
    #[serde(default)]
    times: Option<Vec<f64>>,
    #[serde(default)]
    exit_codes: Option<Vec<Option<i32>>>,
    #[serde(default)]
    memory_usage_byte: Option<Vec<u64>>,
    #[serde(default)]
    user: Option<f64>,
    #[serde(default)]
    system: Option<f64>,
    #[serde(default, deserialize_with = "ordered_pairs")]
    parameters: Vec<(String, String)>,
}

/// A JSON object of strings as `(key, value)` pairs in the file's order
/// (`serde_json`'s own map would sort them).
fn ordered_pairs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    struct Pairs;
    impl<'de> Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of parameter values")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(pair) = map.next_entry::<String, String>()? {
                out.push(pair);
            }
            Ok(out)
        }
    }
    d.deserialize_any(Pairs)
}

/// Turns the text of a hyperfine JSON export into one session whose variants
/// are the file's commands (see the [module docs](self) for the mapping).
///
/// `origin` names the text in error messages, and its file stem becomes the
/// benchmark name (`hyperfine` when it has none). The session starts now;
/// [`import_path`](crate::import_path) uses the file's modification time.
///
/// # Errors
///
/// [`ImportError::Json`] (with line and column) for invalid JSON or a field
/// of the wrong type, [`ImportError::Unrecognized`] for JSON that is not a
/// hyperfine export, [`ImportError::Empty`] when `results` or a result's
/// `times` is empty or missing, [`ImportError::BadTime`] for a negative time
/// and [`ImportError::Inconsistent`] when `exit_codes` or
/// `memory_usage_byte` do not have one entry per time.
pub fn import_hyperfine(text: &str, origin: &str) -> Result<Vec<Imported>, ImportError> {
    import_hyperfine_at(text, origin, now_rfc3339())
}

/// [`import_hyperfine`] with a given start time.
pub(crate) fn import_hyperfine_at(
    text: &str,
    origin: &str,
    started_at: String,
) -> Result<Vec<Imported>, ImportError> {
    let value = parse_value(text, origin)?;
    if require_shape(&value, origin)? != Shape::Hyperfine {
        return Err(ImportError::Unrecognized {
            origin: origin.to_string(),
        });
    }
    let export: Export = parse_typed(text, origin)?;
    if export.results.is_empty() {
        return Err(ImportError::Empty {
            origin: origin.to_string(),
            field: "results".into(),
        });
    }
    let names = variant_names(&export.results);
    let mut variants = Vec::with_capacity(export.results.len());
    let mut iterations = Vec::new();
    for (i, (result, name)) in export.results.iter().zip(&names).enumerate() {
        append_runs(result, i, name, origin, &mut iterations)?;
        variants.push(VariantSpec {
            name: name.clone(),
            description: describe_parameters(&result.parameters),
            parameters: result.parameters.clone(),
            cpu_means: cpu_means(result, i, origin)?,
            ..VariantSpec::default()
        });
    }
    let mut notes = Vec::new();
    if export.results.iter().all(|r| r.exit_codes.is_none()) {
        for it in &mut iterations {
            it.exit_code = Some(0);
        }
        notes.push(format!(
            "{origin} has no exit codes (hyperfine < 1.12): runs are taken as successful"
        ));
    }
    let command = session_command(&export.results);
    let mut session = imported_session(benchmark_name(origin), command, variants, started_at);
    session.imported = Some(import_origin(Source::Hyperfine, origin, text.as_bytes()));
    Ok(vec![Imported {
        session,
        iterations,
        notes,
    }])
}

/// The mean user and system CPU seconds of result `i`, when the file has
/// both.
fn cpu_means(
    result: &BenchResult,
    i: usize,
    origin: &str,
) -> Result<Option<CpuMeans>, ImportError> {
    let (Some(user), Some(system)) = (result.user, result.system) else {
        return Ok(None);
    };
    Ok(Some(CpuMeans {
        user_s: check_time(user, origin, || format!("results[{i}].user"))?,
        sys_s: check_time(system, origin, || format!("results[{i}].system"))?,
    }))
}

/// Checks one result and appends its runs as iterations.
fn append_runs(
    result: &BenchResult,
    i: usize,
    variant: &str,
    origin: &str,
    out: &mut Vec<Iteration>,
) -> Result<(), ImportError> {
    let times = result
        .times
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ImportError::Empty {
            origin: origin.to_string(),
            field: format!("results[{i}].times"),
        })?;
    let same_length = |field: &str, len: usize| {
        if len == times.len() {
            Ok(())
        } else {
            Err(ImportError::Inconsistent {
                origin: origin.to_string(),
                message: format!("results[{i}] has {} times but {len} {field}", times.len()),
            })
        }
    };
    if let Some(codes) = &result.exit_codes {
        same_length("exit_codes", codes.len())?;
    }
    if let Some(memory) = &result.memory_usage_byte {
        same_length("memory_usage_byte", memory.len())?;
        let largest = perfwatch_model::iteration::MAX_COUNT;
        if let Some((run, bytes)) = memory.iter().enumerate().find(|(_, &b)| b > largest) {
            return Err(ImportError::Inconsistent {
                origin: origin.to_string(),
                message: format!(
                    "results[{i}].memory_usage_byte[{run}] = {bytes} is over the largest count, {largest}"
                ),
            });
        }
    }
    for (run, &time) in times.iter().enumerate() {
        let wall_s = check_time(time, origin, || format!("results[{i}].times[{run}]"))?;
        out.push(Iteration {
            index: u32::try_from(out.len()).unwrap_or(u32::MAX),
            variant: variant.to_string(),
            exit_code: result.exit_codes.as_ref().and_then(|c| c[run]),
            wall_s,
            max_rss_bytes: result
                .memory_usage_byte
                .as_ref()
                .map(|m| m[run])
                .filter(|&bytes| bytes > 0),
            ..Iteration::default()
        });
    }
    Ok(())
}

/// One unique, non-empty variant name per result.
fn variant_names(results: &[BenchResult]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let base = if r.command.trim().is_empty() {
                format!("command {}", i + 1)
            } else {
                r.command.clone()
            };
            let mut name = base.clone();
            let mut n = 2;
            while !seen.insert(name.clone()) {
                name = format!("{base} #{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// `parameters: a=1, b=x`, or `None` without parameters.
fn describe_parameters(parameters: &[(String, String)]) -> Option<String> {
    if parameters.is_empty() {
        return None;
    }
    let pairs: Vec<String> = parameters.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Some(format!("parameters: {}", pairs.join(", ")))
}

/// A single command is the session's command (a shell line, as hyperfine
/// runs it by default); several are the `hyperfine` invocation comparing them.
fn session_command(results: &[BenchResult]) -> CommandSpec {
    match results {
        [only] => CommandSpec {
            argv: vec![only.command.clone()],
            shell: true,
        },
        _ => CommandSpec {
            argv: std::iter::once("hyperfine".to_string())
                .chain(results.iter().map(|r| r.command.clone()))
                .collect(),
            shell: false,
        },
    }
}

/// The file stem of `origin`, or `hyperfine` when it has none (stdin).
fn benchmark_name(origin: &str) -> String {
    Path::new(origin)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty() && s != "-")
        .unwrap_or_else(|| "hyperfine".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(command: &str) -> BenchResult {
        BenchResult {
            command: command.into(),
            times: Some(vec![1.0]),
            exit_codes: None,
            memory_usage_byte: None,
            user: None,
            system: None,
            parameters: Vec::new(),
        }
    }

    #[test]
    fn variant_names_are_unique_and_never_empty() {
        let results = [
            result("sleep 1"),
            result("sleep 1"),
            result(""),
            result("sleep 1"),
        ];
        assert_eq!(
            variant_names(&results),
            ["sleep 1", "sleep 1 #2", "command 3", "sleep 1 #3"]
        );
    }

    #[test]
    fn benchmark_is_the_file_stem() {
        let cases = [
            ("results/compare-grep.json", "compare-grep"),
            ("bench.json", "bench"),
            ("-", "hyperfine"),
            ("", "hyperfine"),
        ];
        for (origin, expected) in cases {
            assert_eq!(benchmark_name(origin), expected, "{origin}");
        }
    }

    #[test]
    fn one_command_is_a_shell_line_several_are_a_hyperfine_call() {
        assert_eq!(
            session_command(&[result("sleep 0.1")]).display(),
            "sleep 0.1"
        );
        assert_eq!(
            session_command(&[result("sleep 0.1"), result("sleep 0.2")]).display(),
            "hyperfine 'sleep 0.1' 'sleep 0.2'"
        );
    }

    #[test]
    fn parameters_are_described_in_file_order() {
        let params = vec![
            ("n".to_string(), "4".to_string()),
            ("mode".into(), "fast".into()),
        ];
        assert_eq!(
            describe_parameters(&params).as_deref(),
            Some("parameters: n=4, mode=fast")
        );
        assert_eq!(describe_parameters(&[]), None);
    }

    #[test]
    fn parameters_keep_the_file_order() {
        let text = r#"{"command": "x", "parameters": {"z": "1", "a": "2"}}"#;
        let r: BenchResult = serde_json::from_str(text).unwrap();
        assert_eq!(
            r.parameters,
            [("z".into(), "1".into()), ("a".into(), "2".into())]
        );
        let r: BenchResult =
            serde_json::from_str(r#"{"command": "x", "parameters": null}"#).unwrap();
        assert!(r.parameters.is_empty());
    }
}
