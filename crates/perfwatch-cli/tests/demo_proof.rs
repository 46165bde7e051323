//! The promise on the bundled example (`examples/demo-pipeline`):
//! `perfwatch ab` and `perfwatch report` name its planted fixed wait, its
//! coarse polling and its cold start, each with a saving within 25 % of
//! the planted one, and the fixed variant's stage shows as improved.
//!
//! Planted, per run of `--tracks 3` (see the example's module docs):
//! - `activate` sleeps 200 ms where the condition holds after 40 ms:
//!   3 × 160 ms = 480 ms;
//! - `monitor_download` polls every 100 ms a download done after 50 ms:
//!   3 × 50 ms = 150 ms;
//! - the first `fetch` pays a 150 ms cold start.

use crate::nested_cargo::cargo;
use crate::util::{pw, stdout, TestDir};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The example's binary, built once per test binary (debug profile).
fn demo_pipeline() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let sub = "demo-for-tests";
        cargo(&["build", "-q", "-p", "perfwatch-demo-pipeline"], sub, &[]);
        let bin = crate::nested_cargo::target_dir()
            .join(sub)
            .join("debug")
            .join("demo-pipeline");
        assert!(bin.is_file(), "no demo binary at {}", bin.display());
        bin
    })
}

/// A directory whose `perfwatch.toml` configures the example with the
/// `before` and `after` variants of the repository's own configuration.
pub(crate) fn demo_dir() -> TestDir {
    let dir = TestDir::new();
    let config = format!(
        r#"
[benchmark.pipeline]
command = [{bin:?}, "--tracks", "3"]

[benchmark.pipeline.variant.before]
env = {{ DEMO_WAIT = "fixed", DEMO_POLL_MS = "100" }}

[benchmark.pipeline.variant.after]
env = {{ DEMO_WAIT = "condition", DEMO_POLL_MS = "10" }}
"#,
        bin = demo_pipeline().display().to_string()
    );
    dir.write("perfwatch.toml", config);
    dir
}

/// The evidence of the finding of `kind` on `stage` for variant `before`:
/// the finding itself when it names `before` alone, else its entry for
/// `before` among the variants it was seen in.
fn finding<'a>(export: &'a Value, kind: &str, stage: &str) -> &'a Value {
    let for_before = |f: &'a Value| -> Option<&'a Value> {
        if f["kind"] != kind || f["stage"] != stage {
            return None;
        }
        match f["variants"].as_array() {
            Some(each) if !each.is_empty() => each.iter().find(|v| v["name"] == "before"),
            _ => (f["variant"] == "before").then_some(f),
        }
    };
    export["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find_map(for_before)
        .unwrap_or_else(|| {
            let all: Vec<String> = export["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    format!(
                        "{} {} {} {}",
                        f["kind"], f["stage"], f["variant"], f["impact_s"]
                    )
                })
                .collect();
            panic!("no {kind} finding on {stage} for `before`; findings:\n{all:#?}")
        })
}

fn assert_saving(export: &Value, kind: &str, stage: &str, planted_s: f64) {
    let f = finding(export, kind, stage);
    let saving = f["impact_s"].as_f64().expect("impact_s");
    assert!(
        (saving - planted_s).abs() <= 0.25 * planted_s,
        "{kind} on {stage}: saving {saving:.3} s, planted {planted_s:.3} s (±25 %): {f:#}"
    );
}

#[test]
fn ab_and_report_name_the_demo_pipelines_planted_problems_with_their_savings() {
    let dir = demo_dir();
    pw(&dir)
        .args(["ab", "pipeline", "before", "after", "-r", "5", "-q"])
        .args(["--export-json", "out.json"])
        .assert()
        .success();
    let export: Value = serde_json::from_str(&dir.read("out.json")).expect("out.json is JSON");

    assert_saving(&export, "fixed_wait", "job/track/activate", 3.0 * 0.160);
    assert_saving(
        &export,
        "polling_granularity",
        "job/track/monitor_download",
        3.0 * 0.050,
    );
    assert_saving(&export, "cold_start", "job/track/fetch", 0.150);

    let activate = export["comparisons"]
        .as_array()
        .expect("comparisons")
        .iter()
        .find(|c| c["stage"] == "job/track/activate")
        .unwrap_or_else(|| panic!("no comparison of job/track/activate"));
    assert_eq!(activate["verdict"], "improved", "{activate:#}");
    assert_eq!(activate["baseline"], "before", "{activate:#}");
    assert_eq!(activate["candidate"], "after", "{activate:#}");

    // The default view is short; --verbose names each finding's rule.
    let report = stdout(
        &pw(&dir)
            .args(["report", "latest", "--verbose"])
            .assert()
            .success(),
    );
    for kind in ["fixed_wait", "polling_granularity", "cold_start"] {
        assert!(
            report.contains(kind),
            "report does not name {kind}:\n{report}"
        );
    }
    assert!(report.contains("job/track/activate"), "{report}");
    assert!(report.contains("Health "), "{report}");
}
