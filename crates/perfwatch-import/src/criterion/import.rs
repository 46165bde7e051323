//! From criterion's files to sessions: one per benchmark.

use super::files::{parse_estimates, read_optional, BenchmarkId, Estimates, Sample};
use crate::detect::criterion_estimates_below;
use crate::json::{check_time, parse_typed, read_text};
use crate::provenance::{imported_session, modified_rfc3339, origin};
use crate::{ImportError, Imported};
use perfwatch_model::{CommandSpec, Iteration, VariantSpec};
use std::path::{Component, Path};

/// Imports criterion results: `path` is an `estimates.json` (read with the
/// `sample.json` and `benchmark.json` beside it, when the file is named
/// `estimates.json`), or a directory walked for every `new/estimates.json`
/// below it, giving one session per benchmark in path order (see the
/// [module docs](crate::criterion) for the mapping).
///
/// # Errors
///
/// [`ImportError::Read`] for unreadable paths, [`ImportError::Json`] (with
/// line and column) for invalid JSON or wrong field types in any of the
/// three files, [`ImportError::Unrecognized`] or
/// [`ImportError::CriterionChange`] for a file that is not absolute
/// estimates, [`ImportError::NoCriterionResults`] for a directory without
/// results, [`ImportError::Empty`] for an empty sample,
/// [`ImportError::BadTime`] for a negative time and
/// [`ImportError::Inconsistent`] for `iters` and `times` of different
/// lengths or a sample of zero runs.
pub fn import_criterion(path: &Path) -> Result<Vec<Imported>, ImportError> {
    let meta = std::fs::metadata(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return import_one(path, None).map(|one| vec![one]);
    }
    let found = criterion_estimates_below(path)?;
    if found.is_empty() {
        return Err(ImportError::NoCriterionResults {
            path: path.to_path_buf(),
        });
    }
    found
        .iter()
        .map(|estimates| import_one(estimates, Some(path)))
        .collect()
}

/// One benchmark from its `estimates.json` and the files beside it.
fn import_one(estimates_path: &Path, root: Option<&Path>) -> Result<Imported, ImportError> {
    let estimates_origin = estimates_path.display().to_string();
    let text = read_text(estimates_path)?;
    let estimates = parse_estimates(&text, &estimates_origin)?;
    let run_dir = estimates_path.parent().unwrap_or(Path::new(""));
    let beside = estimates_path
        .file_name()
        .is_some_and(|n| n == "estimates.json");
    let (sample_path, id_path) = (run_dir.join("sample.json"), run_dir.join("benchmark.json"));
    let (sample, id) = if beside {
        (read_optional(&sample_path)?, read_optional(&id_path)?)
    } else {
        (None, None)
    };
    let run = run_from(
        &estimates,
        &estimates_origin,
        sample
            .as_deref()
            .map(|t| (t, sample_path.display().to_string())),
        id.as_deref().map(|t| (t, id_path.display().to_string())),
    )?;
    let benchmark = run
        .id
        .unwrap_or_else(|| name_from_directories(run_dir, root));
    let command = CommandSpec {
        argv: ["cargo", "bench", "--", "--exact", &benchmark]
            .map(String::from)
            .to_vec(),
        shell: false,
    };
    let variant = VariantSpec {
        name: "default".into(),
        description: Some(run.description),
        ..VariantSpec::default()
    };
    let started_at = modified_rfc3339(estimates_path);
    let mut session = imported_session(benchmark, command, vec![variant], started_at);
    session.imported = Some(origin(
        crate::Source::Criterion,
        &estimates_origin,
        text.as_bytes(),
    ));
    Ok(Imported {
        session,
        iterations: run.iterations,
        notes: Vec::new(),
    })
}

/// One criterion run as its files' contents describe it: what
/// [`import_criterion`] makes of a run directory, before the file system
/// adds the benchmark's name when `benchmark.json` is missing, the start
/// time and the import origin.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRun {
    /// The id from `benchmark.json` (`group/function/value`), when given.
    pub id: Option<String>,
    /// One iteration per sample of `sample.json`, or one holding the
    /// median estimate without it.
    pub iterations: Vec<Iteration>,
    /// The variant's description: what an iteration is, and the
    /// throughput per run when `benchmark.json` declares one.
    pub description: String,
}

/// Parses one run from the text of its `estimates.json` and, when present,
/// of its `sample.json` and `benchmark.json` — no file is read. Errors
/// name the files by those names.
///
/// # Errors
///
/// As [`import_criterion`], less the errors of reading files.
///
/// # Example
///
/// ```
/// let estimates = r#"{"mean": {"point_estimate": 1500.0}, "median": {"point_estimate": 1400.0},
///                     "std_dev": {"point_estimate": 10.0}}"#;
/// let run = perfwatch_import::criterion::parse_run(estimates, None, None).unwrap();
/// assert_eq!(run.iterations.len(), 1);
/// assert_eq!(run.iterations[0].wall_s, 1.4e-6);
/// ```
pub fn parse_run(
    estimates: &str,
    sample: Option<&str>,
    benchmark: Option<&str>,
) -> Result<ParsedRun, ImportError> {
    let parsed = parse_estimates(estimates, "estimates.json")?;
    run_from(
        &parsed,
        "estimates.json",
        sample.map(|t| (t, "sample.json".to_string())),
        benchmark.map(|t| (t, "benchmark.json".to_string())),
    )
}

/// A run from its parsed estimates and the texts (with the origin each is
/// named by in errors) of `sample.json` and `benchmark.json`.
fn run_from(
    estimates: &Estimates,
    estimates_origin: &str,
    sample: Option<(&str, String)>,
    benchmark: Option<(&str, String)>,
) -> Result<ParsedRun, ImportError> {
    let sample = match &sample {
        Some((text, origin)) => Some((parse_typed::<Sample>(text, origin)?, origin)),
        None => None,
    };
    let id = match &benchmark {
        Some((text, origin)) => Some(parse_typed::<BenchmarkId>(text, origin)?),
        None => None,
    };
    let (iterations, mut description) = match sample {
        Some((sample, origin)) => {
            let iterations = sample_iterations(&sample, origin)?;
            let description = format!(
                "criterion: {} samples; each iteration is one sample's time per run",
                iterations.len()
            );
            (iterations, description)
        }
        None => {
            let ns = check_time(estimates.median.point_estimate, estimates_origin, || {
                "median.point_estimate".into()
            })?;
            let iteration = measured(0, ns / 1e9);
            let description = "criterion estimates only (no sample.json): one iteration \
                               holding the median; statistics on one point are inconclusive"
                .to_string();
            (vec![iteration], description)
        }
    };
    if let Some(throughput) = id.as_ref().and_then(BenchmarkId::throughput) {
        description.push_str(&format!("; throughput per run: {throughput}"));
    }
    Ok(ParsedRun {
        id: id.as_ref().map(BenchmarkId::full_id),
        iterations,
        description,
    })
}

/// One iteration per sample: the sample's nanoseconds per run, in seconds.
fn sample_iterations(sample: &Sample, origin: &str) -> Result<Vec<Iteration>, ImportError> {
    if sample.times.is_empty() {
        return Err(ImportError::Empty {
            origin: origin.to_string(),
            field: "times".into(),
        });
    }
    if sample.iters.len() != sample.times.len() {
        return Err(ImportError::Inconsistent {
            origin: origin.to_string(),
            message: format!(
                "{} iters but {} times",
                sample.iters.len(),
                sample.times.len()
            ),
        });
    }
    let mut out = Vec::with_capacity(sample.times.len());
    for (i, (&iters, &total_ns)) in sample.iters.iter().zip(&sample.times).enumerate() {
        if !(iters.is_finite() && iters >= 1.0) {
            return Err(ImportError::Inconsistent {
                origin: origin.to_string(),
                message: format!("iters[{i}] is {iters}, not a count of one run or more"),
            });
        }
        let total_ns = check_time(total_ns, origin, || format!("times[{i}]"))?;
        out.push(measured(out.len(), total_ns / iters / 1e9));
    }
    Ok(out)
}

/// A completed iteration of the `default` variant.
fn measured(index: usize, wall_s: f64) -> Iteration {
    Iteration {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        variant: "default".into(),
        exit_code: Some(0),
        wall_s,
        ..Iteration::default()
    }
}

/// The benchmark's name when `benchmark.json` is missing: the directories
/// leading to the run directory (`new`), below the walked `root` or, failing
/// that, after the last directory named `criterion`; else the benchmark
/// directory's own name.
fn name_from_directories(run_dir: &Path, root: Option<&Path>) -> String {
    let bench_dir = run_dir.parent().unwrap_or(Path::new(""));
    let join = |p: &Path| {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    if let Some(relative) = root.and_then(|r| bench_dir.strip_prefix(r).ok()) {
        let name = join(relative);
        if !name.is_empty() {
            return name;
        }
    }
    let parts: Vec<_> = bench_dir.components().collect();
    if let Some(at) = parts.iter().rposition(|c| c.as_os_str() == "criterion") {
        let name = join(&parts[at + 1..].iter().collect::<std::path::PathBuf>());
        if !name.is_empty() {
            return name;
        }
    }
    let absolute = std::path::absolute(bench_dir).unwrap_or_else(|_| bench_dir.to_path_buf());
    absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "criterion".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_directories_leading_to_new() {
        let cases: [(&str, Option<&str>, &str); 5] = [
            (
                "target/criterion/parse/json/new",
                Some("target/criterion"),
                "parse/json",
            ),
            ("target/criterion/parse/json/new", None, "parse/json"),
            ("out/parse/json/new", Some("out"), "parse/json"),
            ("/data/results/parse/new", None, "parse"),
            ("out/parse/new", Some("out/parse"), "parse"),
        ];
        for (run_dir, root, expected) in cases {
            assert_eq!(
                name_from_directories(Path::new(run_dir), root.map(Path::new)),
                expected,
                "{run_dir} under {root:?}"
            );
        }
    }

    #[test]
    fn samples_become_time_per_run_in_seconds() {
        let sample = Sample {
            iters: vec![1.0, 2.0, 4.0],
            times: vec![1_000.0, 3_000.0, 4_000.0],
        };
        let walls: Vec<f64> = sample_iterations(&sample, "s.json")
            .unwrap()
            .iter()
            .map(|it| it.wall_s)
            .collect();
        assert_eq!(walls, [1e-6, 1.5e-6, 1e-6]);
    }

    #[test]
    fn bad_samples_are_refused() {
        let cases = [
            (vec![], vec![], "s.json: times is empty or missing"),
            (vec![1.0], vec![1.0, 2.0], "s.json: 1 iters but 2 times"),
            (
                vec![0.0],
                vec![1.0],
                "s.json: iters[0] is 0, not a count of one run or more",
            ),
            (
                vec![1.0, 1.0],
                vec![1.0, -2.0],
                "s.json: times[1] is -2e0, not a time between 0 and 1e9 s",
            ),
        ];
        for (iters, times, expected) in cases {
            let err = sample_iterations(&Sample { iters, times }, "s.json").unwrap_err();
            assert_eq!(err.to_string(), expected);
        }
    }
}
