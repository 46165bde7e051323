//! Snapshots of rendered output (insta), with what changes between runs —
//! ids, times, the host, every figure — redacted, so they pin the shape.
//! Review changes with `cargo insta review`.

use crate::util::{json_shape, pw, redact, stdout, TestDir};
use serde_json::Value;

fn help(args: &[&str]) -> String {
    let dir = TestDir::new();
    // No PERFWATCH_DB: clap would print its (temporary) value.
    stdout(
        &pw(&dir)
            .args(args)
            .env_remove("PERFWATCH_DB")
            .env("COLUMNS", "100")
            .assert()
            .success(),
    )
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(help(&["--help"]));
}

#[test]
fn run_help() {
    insta::assert_snapshot!(help(&["run", "--help"]));
}

#[test]
fn import_help() {
    insta::assert_snapshot!(help(&["import", "--help"]));
}

#[test]
fn serve_help() {
    insta::assert_snapshot!(help(&["serve", "--help"]));
}

#[test]
fn token_create_help() {
    insta::assert_snapshot!(help(&["token", "create", "--help"]));
}

/// Redact a rendering of the latest session of `dir`.
fn redact_session(dir: &TestDir, text: &str) -> String {
    let json = dir.export("latest");
    let id = json["session"]["id"].as_str().unwrap().to_string();
    let started = json["session"]["started_at"].as_str().unwrap().to_string();
    let mut in_health = false;
    let text: String = text
        .lines()
        // Sample warnings (outliers, a cold first run) and the findings
        // under "Health" depend on timing: keep only the heading.
        .filter(|l| {
            if l.starts_with("Health") {
                in_health = true;
                return true;
            }
            if in_health && l.starts_with(' ') {
                return false;
            }
            in_health = false;
            !l.trim_start().starts_with("warning:")
        })
        .map(|l| {
            // The host line describes this machine: keep only its label.
            let indent = l.len() - l.trim_start().len();
            if l.trim_start().starts_with("host ") {
                format!("{}host [host]", &l[..indent])
            } else if l.starts_with("- Host:") {
                "- Host: [host]".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    redact(
        &text,
        &[(&id, "[id]"), (&id[..8], "[id]"), (&started, "[started]")],
    )
}

#[test]
fn terminal_summary_of_a_run() {
    let dir = TestDir::new();
    // See `markdown_export`: the idle rule depends on the machine's load.
    dir.write("perfwatch.toml", "[findings]\ndisable = [\"idle\"]\n");
    let out = stdout(
        &pw(&dir)
            .args(["run", "-r", "3", "--sample-interval", "0", "--", "true"])
            .assert()
            .success(),
    );
    // The renderer packs figures onto lines by their width, which depends
    // on the measured numbers: the snapshot pins the parts, not where a
    // line breaks between them.
    let joined = out.replace("\n           ", " · ");
    insta::assert_snapshot!(redact_session(&dir, &joined));
}

#[test]
fn markdown_export() {
    let dir = TestDir::new();
    // Whether `true` looks idle depends on the machine's load: the idle
    // rule is off so that the snapshot pins the format, not the load.
    dir.write("perfwatch.toml", "[findings]\ndisable = [\"idle\"]\n");
    pw(&dir)
        .args(["run", "-q", "-r", "3", "--", "true"])
        .assert()
        .success();
    let md = stdout(
        &pw(&dir)
            .args(["export", "latest", "--format", "markdown"])
            .assert()
            .success(),
    );
    insta::assert_snapshot!(redact_session(&dir, &md));
}

#[test]
fn json_export_key_structure() {
    let dir = TestDir::new();
    // Long enough for the sampler to take samples, so the timeline's
    // shape is part of the snapshot.
    pw(&dir)
        .args(["run", "-q", "-r", "2", "--", "sleep", "0.15"])
        .assert()
        .success();
    let mut json = dir.export("latest");
    // Present or absent depending on timing or the machine.
    json["session"]["git"] = Value::Null;
    json["findings"] = Value::Array(vec![]);
    for v in json["variants"].as_array_mut().unwrap() {
        v.as_object_mut().unwrap().remove("warnings");
    }
    let shape = serde_json::to_string_pretty(&json_shape(&json)).unwrap();
    insta::assert_snapshot!(shape);
}
