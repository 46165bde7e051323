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
//! unique with ` #2`, ` #3` when a command repeats) and whose benchmark is
//! the file stem. Iterations follow hyperfine's order (all runs of the first
//! command, then the second, …). Each run becomes an iteration with
//! `wall_s` from `times`, `exit_code` from `exit_codes` (absent when the
//! file has none), `max_rss_bytes` from `memory_usage_byte` (absent for 0).
//! hyperfine exports only the *means* of user and system CPU time, so
//! `user_s`/`sys_s` stay absent rather than repeating a mean as if measured
//! per run; those means and the other statistics are not kept (perfwatch
//! recomputes its statistics from the runs). Warm-up runs are not exported
//! by hyperfine, so none are imported.
//!
//! Parameters go into the variant's description (`parameters: n=4`), not its
//! environment: hyperfine substitutes them into the command text, and the
//! command did not see them as environment variables.

use crate::detect::{require_shape, Shape};
use crate::json::{check_time, parse_typed, parse_value};
use crate::provenance::{imported_session, now_rfc3339};
use crate::{ImportError, Imported};
use perfwatch_model::{CommandSpec, Iteration, VariantSpec};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
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
    parameters: BTreeMap<String, String>,
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
            ..VariantSpec::default()
        });
    }
    let command = session_command(&export.results);
    let session = imported_session(benchmark_name(origin), command, variants, started_at);
    Ok(vec![Imported {
        session,
        iterations,
    }])
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
fn describe_parameters(parameters: &BTreeMap<String, String>) -> Option<String> {
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
            parameters: BTreeMap::new(),
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
    fn parameters_are_described_in_name_order() {
        let params = BTreeMap::from([
            ("n".to_string(), "4".to_string()),
            ("mode".into(), "fast".into()),
        ]);
        assert_eq!(
            describe_parameters(&params).as_deref(),
            Some("parameters: mode=fast, n=4")
        );
        assert_eq!(describe_parameters(&BTreeMap::new()), None);
    }
}
