//! criterion's estimates.json, sample.json and benchmark.json.

use crate::support::{
    arbitrary_text, criterion_tree, write, CRITERION_BENCHMARK, CRITERION_CHANGE,
    CRITERION_ESTIMATES, CRITERION_SAMPLE,
};
use perfwatch_import::criterion::parse_run;
use perfwatch_import::{import_criterion, ImportError};
use perfwatch_model::SessionStatus;
use proptest::prelude::*;

#[test]
fn a_tree_gives_one_session_per_benchmark_from_new_only() {
    let dir = criterion_tree();
    let imported = import_criterion(&dir.path().join("target/criterion")).unwrap();
    let names: Vec<_> = imported
        .iter()
        .map(|i| i.session.benchmark.as_str())
        .collect();
    assert_eq!(names, ["fib/20", "parse/json"]);
    let ids: std::collections::BTreeSet<_> = imported.iter().map(|i| &i.session.id).collect();
    assert_eq!(ids.len(), 2);
}

#[test]
fn samples_become_iterations_of_time_per_run() {
    let dir = criterion_tree();
    let imported = import_criterion(&dir.path().join("target/criterion")).unwrap();
    let parse = &imported[1];
    let walls: Vec<f64> = parse.iterations.iter().map(|it| it.wall_s).collect();
    let expected = [1052.0e-9, 1042.0e-9, 1055.0e-9, 1045.0e-9, 1045.0e-9];
    assert_eq!(walls.len(), expected.len());
    for (got, want) in walls.iter().zip(expected) {
        assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    }
    for (i, it) in parse.iterations.iter().enumerate() {
        assert_eq!(it.index as usize, i);
        assert_eq!(it.variant, "default");
        assert_eq!(it.exit_code, Some(0));
        assert!(!it.warmup && it.user_s.is_none() && it.max_rss_bytes.is_none());
    }
    let session = &parse.session;
    assert_eq!(
        session.command.display(),
        "cargo bench -- --exact parse/json"
    );
    assert_eq!(session.status, SessionStatus::Complete);
    assert_eq!(session.git, None);
    assert_eq!(
        session.variants[0].description.as_deref(),
        Some("criterion: 5 samples; each iteration is one sample's time per run; throughput per run: 4096 bytes")
    );
}

#[test]
fn estimates_alone_give_one_iteration_holding_the_median() {
    let dir = criterion_tree();
    let imported = import_criterion(&dir.path().join("target/criterion")).unwrap();
    let fib = &imported[0];
    assert_eq!(fib.iterations.len(), 1);
    assert!((fib.iterations[0].wall_s - 1045.0e-9).abs() < 1e-15);
    let description = fib.session.variants[0].description.as_deref().unwrap();
    assert!(description.contains("inconclusive"), "{description}");
}

#[test]
fn one_estimates_file_reads_the_files_beside_it() {
    let dir = criterion_tree();
    let file = dir
        .path()
        .join("target/criterion/parse/json/new/estimates.json");
    let imported = import_criterion(&file).unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].session.benchmark, "parse/json");
    assert_eq!(imported[0].iterations.len(), 5);
}

#[test]
fn a_benchmark_directory_or_its_new_directory_can_be_given() {
    let dir = criterion_tree();
    for sub in ["parse/json", "parse/json/new", "parse"] {
        let imported = import_criterion(&dir.path().join("target/criterion").join(sub)).unwrap();
        assert_eq!(imported.len(), 1, "{sub}");
        assert_eq!(imported[0].session.benchmark, "parse/json", "{sub}");
    }
}

#[test]
fn without_benchmark_json_the_name_comes_from_directories() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "results/decode/png/new/estimates.json",
        CRITERION_ESTIMATES,
    );
    let imported = import_criterion(&dir.path().join("results")).unwrap();
    assert_eq!(imported[0].session.benchmark, "decode/png");
}

#[test]
fn started_at_is_when_estimates_were_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "new/estimates.json", CRITERION_ESTIMATES);
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_250);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let imported = import_criterion(&file).unwrap();
    assert_eq!(imported[0].session.started_at, "2023-11-14T22:13:20.250Z");
}

#[test]
fn bad_criterion_files_get_messages_naming_the_file() {
    let cases: Vec<(&str, &str, &str, String)> = vec![
        (
            "estimates.json",
            "{\"mean\": {\"point_estimate\": 1.0},\n \"median\": {\"point_estimate\": 1.0},\n \"std_dev\": }",
            "",
            "new/estimates.json:3:13: invalid JSON: expected value".into(),
        ),
        (
            "estimates.json",
            "{\"mean\": {\"point_estimate\": 1.0},\n \"median\": {\"point_estimate\": -5.0},\n \"std_dev\": {\"point_estimate\": 0.0}}",
            "",
            "new/estimates.json: median.point_estimate is -5e0, not a time between 0 and 1e9 s".into(),
        ),
        (
            "estimates.json",
            CRITERION_ESTIMATES,
            "{\"iters\": [1.0, 2.0],\n \"times\": [5.0, \"x\"]}",
            "new/sample.json:2:19: times[1]: invalid type: string \"x\", expected f64".into(),
        ),
        (
            "estimates.json",
            CRITERION_ESTIMATES,
            "{\"iters\": [1.0, 2.0], \"times\": [5.0]}",
            "new/sample.json: 2 iters but 1 times".into(),
        ),
        (
            "estimates.json",
            CRITERION_CHANGE,
            "",
            "new/estimates.json holds criterion's relative change estimates, not times; \
             import the benchmark's new/estimates.json instead"
                .into(),
        ),
        (
            "estimates.json",
            "{\"mean\": 1}",
            "",
            "new/estimates.json is neither a hyperfine JSON export nor a criterion estimates.json".into(),
        ),
    ];
    for (name, estimates, sample, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), &format!("new/{name}"), estimates);
        if !sample.is_empty() {
            write(dir.path(), "new/sample.json", sample);
        }
        let err = import_criterion(&file).unwrap_err();
        let message = err
            .to_string()
            .replace(&format!("{}/", dir.path().display()), "");
        assert_eq!(message, expected);
    }
}

#[test]
fn a_directory_without_results_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "target/criterion/report/index.html",
        "<html></html>",
    );
    write(
        dir.path(),
        "target/criterion/parse/json/base/estimates.json",
        CRITERION_ESTIMATES,
    );
    let err = import_criterion(&dir.path().join("target")).unwrap_err();
    assert!(
        matches!(err, ImportError::NoCriterionResults { .. }),
        "{err}"
    );
    assert!(err
        .to_string()
        .ends_with("holds no criterion results (no new/estimates.json below it)"));
}

#[test]
fn a_missing_path_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = import_criterion(&dir.path().join("nope")).unwrap_err();
    assert!(matches!(err, ImportError::Read { .. }), "{err}");
    assert!(err.to_string().starts_with("cannot read "), "{err}");
}

#[test]
fn fixtures_are_what_criterion_writes() {
    // Guard against the fixtures drifting from criterion's shapes.
    for text in [CRITERION_ESTIMATES, CRITERION_SAMPLE, CRITERION_BENCHMARK] {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert!(value.is_object());
    }
}

/// `parse_run`, the file-free reading of one run, gives what
/// `import_criterion` makes of the same files.
#[test]
fn parse_run_reads_what_import_criterion_reads_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let estimates = write(dir.path(), "new/estimates.json", CRITERION_ESTIMATES);
    write(dir.path(), "new/sample.json", CRITERION_SAMPLE);
    write(dir.path(), "new/benchmark.json", CRITERION_BENCHMARK);
    let imported = import_criterion(&estimates).unwrap().remove(0);
    let run = parse_run(
        CRITERION_ESTIMATES,
        Some(CRITERION_SAMPLE),
        Some(CRITERION_BENCHMARK),
    )
    .unwrap();
    assert_eq!(run.id.as_deref(), Some(imported.session.benchmark.as_str()));
    assert_eq!(run.iterations, imported.iterations);
    assert_eq!(
        Some(run.description.as_str()),
        imported.session.variants[0].description.as_deref()
    );
    let alone = parse_run(CRITERION_ESTIMATES, None, None).unwrap();
    assert_eq!(alone.id, None);
    assert_eq!(alone.iterations.len(), 1);
}

proptest! {
    /// Any text in any of a run's three files is imported or refused
    /// without a panic.
    #[test]
    fn criterion_import_never_panics_on_arbitrary_bytes(
        estimates in arbitrary_text(CRITERION_ESTIMATES),
        sample in proptest::option::of(arbitrary_text(CRITERION_SAMPLE)),
        benchmark in proptest::option::of(arbitrary_text(CRITERION_BENCHMARK)),
    ) {
        let _ = parse_run(&estimates, sample.as_deref(), benchmark.as_deref());
    }
}
