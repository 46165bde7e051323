//! Telling the formats apart, and `import_path`.

use crate::support::{
    criterion_tree, write, CRITERION_CHANGE, CRITERION_ESTIMATES, HYPERFINE_TWO_COMMANDS,
};
use perfwatch_import::{detect_source, import_path, ImportError, Source};

#[test]
fn files_and_directories_are_detected_by_content() {
    let dir = criterion_tree();
    let cases = [
        (
            write(dir.path(), "a/whatever.json", HYPERFINE_TWO_COMMANDS),
            Source::Hyperfine,
        ),
        (
            write(dir.path(), "b/estimates.json", CRITERION_ESTIMATES),
            Source::Criterion,
        ),
        (
            write(dir.path(), "c/renamed.json", CRITERION_ESTIMATES),
            Source::Criterion,
        ),
        (dir.path().join("target/criterion"), Source::Criterion),
        (dir.path().join("target"), Source::Criterion),
    ];
    for (path, expected) in cases {
        assert_eq!(
            detect_source(&path).unwrap(),
            expected,
            "{}",
            path.display()
        );
    }
}

#[test]
fn other_inputs_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let other = write(dir.path(), "other.json", "{\"name\": \"x\"}");
    let change = write(dir.path(), "change/estimates.json", CRITERION_CHANGE);
    let broken = write(dir.path(), "broken.json", "{\n\"results\": [\n");
    let empty_dir = dir.path().join("empty");
    std::fs::create_dir(&empty_dir).unwrap();

    let err = detect_source(&other).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} is neither a hyperfine JSON export nor a criterion estimates.json",
            other.display()
        )
    );
    assert!(matches!(
        detect_source(&change).unwrap_err(),
        ImportError::CriterionChange { .. }
    ));
    let err = detect_source(&broken).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3:0: invalid JSON: EOF while parsing a list",
            broken.display()
        )
    );
    assert!(matches!(
        detect_source(&empty_dir).unwrap_err(),
        ImportError::NoCriterionResults { .. }
    ));
    assert!(matches!(
        detect_source(&dir.path().join("missing.json")).unwrap_err(),
        ImportError::Read { .. }
    ));
}

#[test]
fn import_path_dispatches_and_dates_hyperfine_by_modification_time() {
    let dir = criterion_tree();
    let file = write(dir.path(), "compare-threads.json", HYPERFINE_TWO_COMMANDS);
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let (source, imported) = import_path(&file).unwrap();
    assert_eq!(source, Source::Hyperfine);
    assert_eq!(imported[0].session.benchmark, "compare-threads");
    assert_eq!(imported[0].session.started_at, "2023-11-14T22:13:20.000Z");

    let (source, imported) = import_path(&dir.path().join("target/criterion")).unwrap();
    assert_eq!(source, Source::Criterion);
    assert_eq!(imported.len(), 2);
    assert_eq!(Source::Criterion.to_string(), "criterion");
}
