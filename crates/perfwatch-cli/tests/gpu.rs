//! GPU figures end to end, on the scripted GPU (`PERFWATCH_GPU_SCRIPT`)
//! replaying `examples/gpu/fake-gpu.json` under the two-stage program
//! beside it: summaries, per-stage GPU share, the input-bound finding,
//! gates, every format; and a run without a GPU, whose GPU figures are
//! absent, never zero.

use crate::util::{only_variant, pw, python, stderr, stdout, TestDir};
use serde_json::Value;
use std::path::PathBuf;

const GIB: f64 = (1u64 << 30) as f64;

fn example(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/gpu")
        .join(file)
}

/// `perfwatch run -r 3` of the fake pipeline, with the scripted GPU or
/// (`gpu == false`) with GPU sampling off, and `extra` arguments.
fn run(dir: &TestDir, gpu: bool, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = pw(dir);
    if gpu {
        cmd.env("PERFWATCH_GPU_SCRIPT", example("fake-gpu.json"));
    } else {
        cmd.env("PERFWATCH_GPU", "off");
    }
    cmd.args(["run", "-r", "3", "--name", "gpu"]).args(extra);
    cmd.args(["--", python()]).arg(example("fake_pipeline.py"));
    cmd.assert()
}

fn stage<'a>(variant: &'a Value, path: &str) -> &'a Value {
    variant["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == path)
        .unwrap_or_else(|| panic!("no stage {path}: {variant:#}"))
}

#[test]
fn scripted_gpu_figures_reach_the_summary_the_stages_the_findings_and_every_format() {
    let dir = TestDir::new();
    let out = stdout(&run(&dir, true, &[]).success());
    let export = dir.export("latest");
    let v = only_variant(&export);
    let gpu = &v["gpu"];
    assert_eq!(
        gpu["peak_memory_bytes"].as_f64(),
        Some(5.0 * GIB),
        "{gpu:#}"
    );
    assert_eq!(gpu["memory_total_bytes"].as_f64(), Some(16.0 * GIB));
    assert_eq!(gpu["busy_p95_pct"].as_f64(), Some(95.0));
    assert_eq!(
        v["summary"]["peak_gpu_memory_bytes"]["median"].as_f64(),
        Some(5.0 * GIB)
    );
    // The GPU's time share per stage: idle while `prepare` feeds it, busy
    // through `infer`.
    let prepare = stage(v, "job/prepare")["gpu_busy_pct"].as_f64().unwrap();
    let infer = stage(v, "job/infer")["gpu_busy_pct"].as_f64().unwrap();
    assert!(
        prepare < 30.0 && infer > 80.0,
        "prepare {prepare}, infer {infer}"
    );
    assert_eq!(
        stage(v, "job/infer")["peak_gpu_memory_bytes"].as_f64(),
        Some(5.0 * GIB)
    );
    let findings = export["findings"].as_array().unwrap();
    let input = findings
        .iter()
        .find(|f| f["kind"] == "gpu_input_bound")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(input["stage"], "job/prepare");
    // No finding takes the GPU-bound `infer` for a wait.
    assert!(
        !findings.iter().any(|f| f["stage"] == "job/infer"
            && ["idle", "fixed_wait"].contains(&f["kind"].as_str().unwrap())),
        "{findings:#?}"
    );
    // The terminal, Markdown and HTML say the same.
    assert!(out.contains("gpu      peak 5.00 GiB of 16.0 GiB"), "{out}");
    assert!(out.contains("The GPU waits for input"), "{out}");
    let md = stdout(&pw(&dir).args(["report", "--markdown"]).assert().success());
    assert!(
        md.contains("Peak GPU memory") && md.contains("5.00 GiB of 16.0 GiB"),
        "{md}"
    );
    let html = dir.join("r.html");
    pw(&dir)
        .args(["report", "--html"])
        .arg(&html)
        .assert()
        .success();
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("\"gpu\":{\"busy\":["),
        "the timeline payload carries GPU lanes"
    );
    assert!(page.contains("GPU busy"));
}

#[test]
fn gpu_memory_gates_fail_pass_and_say_when_nothing_was_measured() {
    let dir = TestDir::new();
    let over = run(&dir, true, &["--max-gpu-memory-bytes", "4294967296"]).code(4);
    assert!(
        stdout(&over).contains("max_gpu_memory_bytes"),
        "{}",
        stdout(&over)
    );
    run(&dir, true, &["--max-gpu-memory-bytes", "8589934592"]).success();
    // A per-stage budget from perfwatch.toml.
    dir.write(
        "perfwatch.toml",
        "[gates.stage.\"job/infer\"]\nmax_gpu_memory_bytes = 1073741824\n",
    );
    let stage = run(&dir, true, &["--gate"]).code(4);
    assert!(
        stdout(&stage).contains("stage.\"job/infer\".max_gpu_memory_bytes"),
        "{}",
        stdout(&stage)
    );
    std::fs::remove_file(dir.join("perfwatch.toml")).unwrap();
    // Without a GPU: not judged, and said so; never a zero that passes.
    let none = run(&dir, false, &["--max-gpu-memory-bytes", "1"]).success();
    assert!(
        stdout(&none).contains("GPU memory was not measured"),
        "{}",
        stdout(&none)
    );
}

#[test]
fn without_a_gpu_the_fields_are_absent_and_the_terminal_says_not_measured() {
    let dir = TestDir::new();
    let out = stdout(&run(&dir, false, &[]).success());
    assert!(
        !out.lines().any(|l| l.starts_with("  gpu ")),
        "no GPU line unless asked: {out}"
    );
    let export = dir.export("latest");
    let v = only_variant(&export);
    assert!(v.get("gpu").is_none(), "{v:#}");
    assert!(v["summary"].get("peak_gpu_memory_bytes").is_none());
    assert!(stage(v, "job/infer").get("gpu_busy_pct").is_none());
    assert!(v["iterations"][0]["timeline"][0].get("gpus").is_none());
    assert!(!export["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"].as_str().unwrap().starts_with("gpu_")));
    let verbose = stdout(&pw(&dir).args(["show", "-v"]).assert().success());
    assert!(verbose.contains("gpu      not measured"), "{verbose}");
}

#[test]
fn a_broken_gpu_script_is_a_usage_error_naming_the_file() {
    let dir = TestDir::new();
    let script = dir.write("gpu.json", "{\"devices\": []}");
    let out = pw(&dir)
        .env("PERFWATCH_GPU_SCRIPT", &script)
        .args(["run", "-r", "1", "--", "true"])
        .assert()
        .code(2);
    let err = stderr(&out);
    assert!(
        err.contains("gpu.json") && err.contains("no devices"),
        "{err}"
    );
    assert!(!dir.db().exists() || dir.history().sessions().is_empty());
}
