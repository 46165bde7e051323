//! Names from programs and pushers are data, not syntax: quotes,
//! backslashes, newlines, control characters, any Unicode and very long
//! names come out escaped or cut, and the exposition still parses.

use super::support::*;
use perfwatch_metrics::MAX_LABEL_VALUE_BYTES;
use perfwatch_store::SqliteStore;
use std::collections::BTreeSet;

const BENCHMARK: &str = "bench \"quoted\" \\ back\nslash 日本 🚀";
const VARIANT: &str = "v}{,=\"x\"";

fn hostile_stages() -> Vec<String> {
    let long = "L".repeat(10_000);
    vec![
        "a\"b".into(),
        "c\\d".into(),
        "e\nf".into(),
        "tab\tcr\rnul\0bell\u{7}".into(),
        "ünïcødé ✓ \u{202e}rtl".into(),
        "} 1\n# EOF\nfake 2".into(),
        format!("{long}-one"),
        format!("{long}-two"),
    ]
}

/// A history whose benchmark, variant and stage names are hostile.
pub fn hostile_store() -> (SqliteStore, perfwatch_model::Session) {
    let store = SqliteStore::open_in_memory().unwrap();
    let stages = hostile_stages();
    let stages: Vec<(&str, f64)> = stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), 0.01 * (i + 1) as f64))
        .collect();
    let (session, _) = store_run(
        &store,
        BENCHMARK,
        "2026-01-01T00:00:00.000Z",
        None,
        &[Variant::new(VARIANT, 1.0, &stages)],
    );
    (store, session)
}

/// What a label value should read after escaping and parsing back.
fn bounded(value: &str) -> Option<String> {
    let short = value.len() <= MAX_LABEL_VALUE_BYTES;
    let clean = !value.chars().any(|c| c.is_control() && c != '\n');
    (short && clean).then(|| value.to_owned())
}

#[test]
fn hostile_names_are_escaped_or_bounded_and_the_exposition_parses() {
    let (store, session) = hostile_store();
    let hub = refreshed_hub(&store, 1_000);
    let samples = samples(&hub); // parses strictly, or panics with the line

    // Short, printable values come back exactly (escaped, then unescaped).
    assert_eq!(
        value(
            &samples,
            "perfwatch_health_score",
            &[("benchmark", BENCHMARK)]
        ),
        100.0
    );
    let stages: Vec<&perfwatch_testkit::openmetrics::Sample> = find(
        &samples,
        "perfwatch_latest_stage_median_seconds",
        &[("benchmark", BENCHMARK), ("variant", VARIANT)],
    );
    let shown: BTreeSet<&str> = stages.iter().map(|s| s.labels["stage"].as_str()).collect();
    // Stage labels are the analysis's stage paths (in which a name's `\`
    // is written `\\`, as `perfwatch history --stage` takes them).
    let paths: Vec<String> = analysis(&store, &session).variants[0]
        .stages
        .iter()
        .map(|s| s.path.clone())
        .collect();
    assert_eq!(paths.len(), hostile_stages().len());
    assert!(paths.iter().any(|p| p == "c\\\\d"), "{paths:?}");
    assert_eq!(
        shown.len(),
        paths.len(),
        "every stage is its own series: {shown:?}"
    );
    for path in &paths {
        if let Some(exact) = bounded(path) {
            assert!(shown.contains(exact.as_str()), "{exact:?} in {shown:?}");
        }
    }
    // Control characters are replaced; long names are cut, and stay apart.
    assert!(
        shown.contains("tab\u{FFFD}cr\u{FFFD}nul\u{FFFD}bell\u{FFFD}"),
        "{shown:?}"
    );
    let long: Vec<&&str> = shown.iter().filter(|s| s.starts_with("LLL")).collect();
    assert_eq!(long.len(), 2);
    for l in long {
        assert!(l.len() <= MAX_LABEL_VALUE_BYTES, "{} bytes", l.len());
    }
    // No label value let a line through: the only samples are the hub's.
    assert!(find(&samples, "fake", &[]).is_empty());
    assert!(hub.render().matches("\n# EOF\n").count() == 1);
}

#[test]
fn a_ten_kilobyte_benchmark_name_is_cut_everywhere_it_appears() {
    let store = SqliteStore::open_in_memory().unwrap();
    let name = "B".repeat(10_240);
    store_run(
        &store,
        &name,
        "2026-01-01T00:00:00.000Z",
        None,
        &[Variant::new("default", 1.0, &[("s", 0.5)])],
    );
    let hub = refreshed_hub(&store, 1_000);
    let text = hub.render();
    assert!(
        text.len() < 20_000,
        "the name is not repeated whole in each series: {} bytes",
        text.len()
    );
    let samples = samples(&hub);
    let benchmarks: BTreeSet<&str> = samples
        .iter()
        .filter_map(|s| s.labels.get("benchmark"))
        .map(String::as_str)
        .collect();
    assert_eq!(benchmarks.len(), 1, "{benchmarks:?}");
    assert!(benchmarks
        .iter()
        .all(|b| b.len() <= MAX_LABEL_VALUE_BYTES && b.starts_with("BBB")));
}
