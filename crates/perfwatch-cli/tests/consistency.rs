//! One session, one answer: for real sessions — the bundled example's
//! `ab`, a stage-instrumented command's `run`, a `run --baseline` and a
//! `compare` — every way of asking (the run's own exports, `export`,
//! `report --format`, `show`, the Markdown forms and the HTML) carries the
//! same comparisons, verdicts, findings and health.

use crate::demo_proof::demo_dir;
use crate::util::{pw, stdout, TestDir, PERFWATCH};
use serde_json::Value;

/// The parts of an analysis every renderer must agree on.
const ANSWER: [&str; 4] = ["comparisons", "findings", "health", "notes"];

fn json(dir: &TestDir, rel: &str) -> Value {
    serde_json::from_str(&dir.read(rel)).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

fn stdout_json(dir: &TestDir, args: &[&str]) -> Value {
    let out = stdout(&pw(dir).args(args).assert().success());
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} printed no JSON: {e}\n{out}"))
}

/// The JSON answers are equal, field by field, and so are the summaries.
fn assert_same_answer(what: &str, a: &Value, b: &Value) {
    for key in ANSWER {
        assert_eq!(a.get(key), b.get(key), "{what}: `{key}` differs");
    }
    let summaries = |v: &Value| -> Vec<Value> {
        v["variants"]
            .as_array()
            .expect("variants")
            .iter()
            .map(|v| v["summary"].clone())
            .collect()
    };
    assert_eq!(summaries(a), summaries(b), "{what}: summaries differ");
}

/// Health score, finding titles and primary verdicts appear in a text
/// rendering (terminal or Markdown) as the JSON says.
fn assert_text_agrees(what: &str, text: &str, answer: &Value) {
    // Markdown escapes `_` and `*`; the terminal does not.
    let text = &text.replace("\\_", "_").replace("\\*", "*");
    let score = answer["health"]["score"].as_u64().expect("a health score");
    assert!(
        text.contains(&format!("{score}/100")),
        "{what} does not show health {score}/100:\n{text}"
    );
    for f in answer["findings"].as_array().expect("findings") {
        let stage = f["stage"].as_str().unwrap_or_default();
        assert!(
            stage.is_empty() || text.contains(stage),
            "{what} does not name the finding's stage {stage}:\n{text}"
        );
    }
    let regressions = answer["comparisons"]
        .as_array()
        .expect("comparisons")
        .iter()
        .filter(|c| c["primary"] == true && c["verdict"] == "regressed")
        .count();
    if regressions == 0 {
        assert!(
            !text.to_lowercase().contains("regression(s)")
                || text.contains("no regression")
                || text.contains("0 regression"),
            "{what} headlines a regression the analysis does not have:\n{text}"
        );
    }
}

fn assert_every_form_agrees(dir: &TestDir, run_stdout: &str, run_json: &Value, extra: &[&str]) {
    let mut export_args = vec!["export", "latest", "--format", "json"];
    export_args.extend(extra);
    let exported = stdout_json(dir, &export_args);
    assert_same_answer(
        "export --format json vs the run's --export-json",
        run_json,
        &exported,
    );
    let mut report_args = vec!["report", "latest", "--format", "json"];
    report_args.extend(extra);
    let reported = stdout_json(dir, &report_args);
    assert_same_answer(
        "report --format json vs the run's --export-json",
        run_json,
        &reported,
    );

    let mut show_args = vec!["show", "latest"];
    show_args.extend(extra);
    let shown = stdout(&pw(dir).args(&show_args).assert().success());
    assert_eq!(
        shown, run_stdout,
        "`show` differs from what the run printed"
    );
    assert_text_agrees("show", &shown, run_json);

    let mut md_args = vec!["report", "latest", "--markdown"];
    md_args.extend(extra);
    let markdown = stdout(&pw(dir).args(&md_args).assert().success());
    assert_eq!(
        markdown,
        dir.read("run.md"),
        "report --markdown differs from the run's --export-markdown"
    );
    assert_text_agrees("report --markdown", &markdown, run_json);
    assert_text_agrees("--markdown-summary", &dir.read("summary.md"), run_json);

    // The HTML lays out the same analysis: its health and every finding.
    let html = dir.read("run.html");
    let score = run_json["health"]["score"].as_u64().unwrap();
    assert!(
        html.contains(&format!(">{score}<")),
        "the HTML does not show health {score}"
    );
    for f in run_json["findings"].as_array().expect("findings") {
        let title = f["title"].as_str().unwrap_or_default();
        let escaped = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        assert!(
            html.contains(&escaped),
            "the HTML does not show the finding `{title}`"
        );
    }
}

const RUN_OUTPUTS: [&str; 8] = [
    "--export-json",
    "run.json",
    "--export-markdown",
    "run.md",
    "--markdown-summary",
    "summary.md",
    "--html",
    "run.html",
];

#[test]
fn ab_of_the_bundled_example_gives_one_answer_in_every_form() {
    let dir = demo_dir();
    let run = pw(&dir)
        .args(["ab", "pipeline", "before", "after", "-r", "6"])
        .args(RUN_OUTPUTS)
        .assert()
        .success();
    let run_json = json(&dir, "run.json");
    assert!(!run_json["comparisons"].as_array().unwrap().is_empty());
    assert!(!run_json["findings"].as_array().unwrap().is_empty());
    let printed = stdout(&run);
    // The README's main job reads on one screen: at most 62 lines (60
    // before each variant's block said the program's own metrics in a
    // line; 60 on a quiet machine, a noisy one adds an outlier warning),
    // none wider than 100 columns.
    let lines: Vec<&str> = printed.lines().collect();
    assert!(lines.len() <= 62, "{} lines:\n{printed}", lines.len());
    let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 100, "a line of {widest} columns:\n{printed}");
    assert_every_form_agrees(&dir, &printed, &run_json, &[]);
}

#[test]
fn a_stage_instrumented_run_and_its_baseline_comparison_give_one_answer_in_every_form() {
    let dir = TestDir::new();
    let command = format!(
        "{pw} span load -- sleep 0.02 && {pw} span transform -- sh -c '{pw} span parse -- sleep 0.01'",
        pw = PERFWATCH
    );
    let run = pw(&dir)
        .args(["run", "-r", "6", &command])
        .args(RUN_OUTPUTS)
        .assert()
        .success();
    let run_json = json(&dir, "run.json");
    let stages = &run_json["variants"][0]["stages"];
    assert!(
        stages.as_array().is_some_and(|s| s.len() >= 3),
        "no stages: {stages:#}"
    );
    assert_every_form_agrees(&dir, &stdout(&run), &run_json, &[]);

    // Against a saved baseline: the session remembers it, so every later
    // command compares with it again.
    pw(&dir)
        .args(["baseline", "save", "base", "latest"])
        .assert()
        .success();
    let run = pw(&dir)
        .args(["run", "-r", "6", "--baseline", "base", &command])
        .args(RUN_OUTPUTS)
        .assert()
        .success();
    let run_json = json(&dir, "run.json");
    let against_base = run_json["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["reference"] == "baseline")
        .count();
    assert!(
        against_base > 0,
        "no comparison with the baseline: {run_json:#}"
    );
    assert_every_form_agrees(&dir, &stdout(&run), &run_json, &[]);

    // `compare BASE CANDIDATE` is `report CANDIDATE --baseline BASE`.
    pw(&dir)
        .args(["compare", "base", "latest", "--export-json", "compare.json"])
        .assert()
        .success();
    let compared = json(&dir, "compare.json");
    let reported = stdout_json(
        &dir,
        &["report", "latest", "--baseline", "base", "--format", "json"],
    );
    assert_same_answer("compare vs report --baseline", &compared, &reported);
}
