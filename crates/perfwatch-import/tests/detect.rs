//! Telling the formats apart, and `import_path`.

use crate::support::{
    criterion_tree, write, CRITERION_CHANGE, CRITERION_ESTIMATES, HYPERFINE_TWO_COMMANDS,
};
use perfwatch_import::{
    detect_source, import_path, import_path_with, ImportError, ImportOptions, Source, VariantNaming,
};

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

#[test]
fn import_path_with_names_benchmark_and_variants() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "compare-threads.json", HYPERFINE_TWO_COMMANDS);
    let options = ImportOptions {
        benchmark: Some("rg".into()),
        variant_names: VariantNaming::ByName(vec![("rg -j 4 TODO src".into(), "four".into())]),
    };
    let (_, imported) = import_path_with(&file, &options).unwrap();
    let session = &imported[0].session;
    assert_eq!(session.benchmark, "rg");
    let names: Vec<_> = session.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["rg -j 1 TODO src", "four"]);
    assert_eq!(imported[0].iterations[9].variant, "four");
    let origin = session.imported.as_ref().unwrap();
    assert_eq!(origin.file, file.display().to_string());

    let options = ImportOptions {
        benchmark: None,
        variant_names: VariantNaming::InOrder(vec!["one".into()]),
    };
    let err = import_path_with(&file, &options).unwrap_err();
    assert!(matches!(err, ImportError::Naming { .. }), "{err}");
}

#[test]
fn criterion_sessions_record_their_estimates_file_and_its_sha256() {
    let dir = criterion_tree();
    let (_, imported) = import_path(&dir.path().join("target/criterion")).unwrap();
    for im in &imported {
        let origin = im.session.imported.as_ref().unwrap();
        assert_eq!(origin.tool, "criterion");
        assert!(
            origin.file.ends_with("new/estimates.json"),
            "{}",
            origin.file
        );
        assert_eq!(origin.sha256.len(), 64);
    }
}
