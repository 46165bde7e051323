//! Untrusted text through the CLI: names from perfwatch.toml, imported
//! commands and the cells of a CSV given to `detect` never reach the
//! terminal with their control or bidirectional characters (no raw ESC
//! under `--color never`), and CSV output never starts a text cell with a
//! formula character while figures stay numbers.

use crate::import_hyperfine::hyperfine_json;
use crate::util::{pw, stderr, stdout, TestDir};

/// Commands a hostile hyperfine export may hold; each becomes a variant.
const HOSTILE: [&str; 7] = [
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1+1",
    "-2",
    "\x1b[2J",
    "a\u{202e}b",
    "\u{7}",
];

/// What must never be written raw to a terminal or a Markdown file.
fn assert_no_raw_controls(text: &str, what: &str) {
    for raw in ['\x1b', '\u{202e}', '\u{7}'] {
        assert!(!text.contains(raw), "{what} holds {raw:?}:\n{text:?}");
    }
}

/// A directory holding one imported session of [`HOSTILE`] commands, its
/// benchmark named `=evil` after the file; returns it with the session id.
fn imported() -> (TestDir, String) {
    let dir = TestDir::new();
    let times: &[f64] = &[0.1, 0.11, 0.105];
    let results: Vec<(&str, &[f64])> = HOSTILE.iter().map(|c| (*c, times)).collect();
    dir.write("=evil.json", hyperfine_json(&results));
    pw(&dir).args(["import", "=evil.json"]).assert().success();
    let id = dir.history().sessions().remove(0).0;
    (dir, id)
}

#[test]
fn csv_cells_that_start_a_formula_are_prefixed_in_exports_of_imported_commands() {
    let (dir, id) = imported();
    let text = stdout(
        &pw(&dir)
            .args(["export", &id, "--format", "csv"])
            .assert()
            .success(),
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut variants: Vec<String> = Vec::new();
    for row in reader.records().map(Result::unwrap) {
        let variant = row[col("variant")].to_string();
        if !variants.contains(&variant) {
            variants.push(variant);
        }
        // Figures are numbers, not text.
        row[col("wall_s")].parse::<f64>().unwrap();
    }
    for cell in &variants {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "formula cell {cell:?} in:\n{text}"
        );
    }
    for want in ["'=cmd|' /C calc'!A0", "'@SUM(1)", "'+1+1", "'-2"] {
        assert!(
            variants.iter().any(|v| v == want),
            "{want:?} not in {variants:?}"
        );
    }
}

#[test]
fn history_csv_prefixes_text_cells_and_keeps_figures() {
    let (dir, _) = imported();
    let text = stdout(
        &pw(&dir)
            .args(["history", "--format", "csv"])
            .assert()
            .success(),
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty(), "{text}");
    for row in &rows {
        assert_eq!(&row[0], "'=evil", "{text}");
        assert!(!row[1].starts_with(['=', '+', '-', '@']), "{text}");
        row[8].parse::<f64>().unwrap();
    }
}

#[test]
fn terminal_output_of_imported_commands_has_no_raw_escape() {
    let (dir, id) = imported();
    for args in [
        vec!["show", id.as_str()],
        vec!["sessions"],
        vec!["history"],
        vec!["export", id.as_str(), "--format", "markdown"],
    ] {
        let assert = pw(&dir).args(&args).assert().success();
        assert_no_raw_controls(&stdout(&assert), &args.join(" "));
        assert_no_raw_controls(&stderr(&assert), &args.join(" "));
    }
}

#[test]
fn variants_shows_escape_sequences_of_quoted_toml_keys_escaped() {
    let dir = TestDir::new();
    dir.write(
        "perfwatch.toml",
        r#"
[benchmark."a\u001b[2Jb"]
description = "d\u0007"
shell = "printf '\u001b[2J'"

[benchmark."a\u001b[2Jb".variant."v\u202eX"]
description = "x\u009b31m"
env = { "K\u001b" = "v\u001b]0;title\u0007" }
args = ["--\u001b[31m"]
"#,
    );
    let assert = pw(&dir).arg("variants").assert().success();
    let out = stdout(&assert);
    assert_no_raw_controls(&out, "variants");
    assert!(!out.contains('\u{9b}'), "{out:?}");
    assert!(out.contains("a\\u{1b}[2Jb: "), "{out}");
    assert!(out.contains("v\\u{202e}X"), "{out}");
    // An error that names the benchmark quotes it escaped too.
    let assert = pw(&dir)
        .args(["variants", "no\u{1b}[2Jpe"])
        .assert()
        .failure();
    let err = stderr(&assert);
    assert_no_raw_controls(&err, "variants error");
    assert!(err.contains("no\\u{1b}[2Jpe"), "{err}");
}

/// A CSV series `t,v` of 40 rows stepping down from 12 to 10 at row 25,
/// each label holding an escape sequence and the last ones a formula.
fn hostile_series() -> String {
    let mut text = String::from("t\x1b[2J,v\u{202e}\n");
    for i in 0..40 {
        let level = if i < 25 { 12.0 } else { 10.0 };
        let wobble = ((i * 37 % 11) as f64 - 5.0) / 100.0;
        text.push_str(&format!("=r{i}\x1b[2J\u{7},{:.3}\n", level + wobble));
    }
    text
}

#[test]
fn detect_csv_shows_escape_sequences_in_cells_escaped() {
    let dir = TestDir::new();
    dir.write("series.csv", hostile_series());
    let table = pw(&dir)
        .args(["detect", "--csv", "series.csv", "--column", "v\u{202e}"])
        .assert()
        .success();
    let out = stdout(&table);
    assert_no_raw_controls(&out, "detect table");
    assert!(out.contains("v\\u{202e}: 1 change point(s)"), "{out}");
    assert!(out.contains("=r25\\u{1b}[2J\\u{7}"), "{out}");
    // As CSV: the label is a text cell, the negative change a number.
    let csv_out = stdout(
        &pw(&dir)
            .args(["detect", "--csv", "series.csv", "--column", "v\u{202e}"])
            .args(["--format", "csv"])
            .assert()
            .success(),
    );
    let mut reader = csv::Reader::from_reader(csv_out.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{csv_out}");
    assert_eq!(&rows[0][3], "'=r25\x1b[2J\u{7}", "{csv_out}");
    let change: f64 = rows[0][8].parse().unwrap();
    assert!(change < 0.0, "{csv_out}");
    assert!(rows[0][8].starts_with('-'), "{csv_out}");
}

#[test]
fn detect_csv_errors_quote_cells_escaped() {
    let dir = TestDir::new();
    dir.write("series.csv", hostile_series());
    // An unknown column: the message lists the columns.
    let assert = pw(&dir)
        .args(["detect", "--csv", "series.csv", "--column", "x\u{1b}[2J"])
        .assert()
        .code(2);
    let err = stderr(&assert);
    assert_no_raw_controls(&err, "unknown column error");
    assert!(err.contains("t\\u{1b}[2J"), "{err}");
    // A cell that is not a number: the message quotes it.
    let mut text = hostile_series();
    text = text.replacen(",12.", ",\x1b[2J\u{202e}12.", 1);
    dir.write("bad.csv", text);
    let assert = pw(&dir)
        .args(["detect", "--csv", "bad.csv", "--column", "v\u{202e}"])
        .assert()
        .code(2);
    let err = stderr(&assert);
    assert_no_raw_controls(&err, "bad cell error");
    assert!(err.contains("\\u{1b}[2J\\u{202e}12."), "{err}");
}
