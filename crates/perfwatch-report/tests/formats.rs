//! The file formats: JSON, CSV and Markdown.

use crate::fixture;
use perfwatch_model::{SessionExport, SCHEMA_V1};
use perfwatch_report::markdown::render_comparisons_markdown;
use perfwatch_report::{CsvRenderer, JsonRenderer, MarkdownRenderer, Render, CSV_COLUMNS};

#[test]
fn json_shape() {
    let text = JsonRenderer.render_to_string(&fixture::export()).unwrap();
    assert!(text.ends_with("}\n"));
    // The text itself: field order, indentation and the final newline.
    insta::assert_snapshot!(text);
}

#[test]
fn json_round_trips() {
    let export = fixture::export();
    let text = JsonRenderer.render_to_string(&export).unwrap();
    let back: SessionExport = serde_json::from_str(&text).unwrap();
    assert_eq!(back, export);
    assert_eq!(back.schema, SCHEMA_V1);
}

#[test]
fn csv_rows() {
    let text = CsvRenderer.render_to_string(&fixture::export()).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn csv_reads_back_with_empty_cells_for_absent_figures() {
    let export = fixture::export();
    let text = CsvRenderer.render_to_string(&export).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let iterations: usize = export.variants.iter().map(|v| v.iterations.len()).sum();
    assert_eq!(rows.len(), iterations);
    let column = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    // The variant name holds a `|`, read back intact; user_s was not
    // measured on it: empty, not zero.
    let after = &rows[5];
    assert_eq!(&after[column("variant")], "after|fast");
    assert_eq!(&after[column("user_s")], "");
    assert_eq!(&after[column("peak_tree_rss_bytes")], "");
    let timed_out = &rows[8];
    assert_eq!(&timed_out[column("timed_out")], "true");
    assert_eq!(&timed_out[column("exit_code")], "");
    assert_eq!(&timed_out[column("signal")], "9");
}

#[test]
fn csv_of_a_session_without_iterations_is_the_header() {
    let mut export = fixture::export();
    export.variants.clear();
    let text = CsvRenderer.render_to_string(&export).unwrap();
    assert_eq!(text, format!("{}\n", CSV_COLUMNS.join(",")));
}

#[test]
fn markdown_report() {
    let text = MarkdownRenderer
        .render_to_string(&fixture::export())
        .unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn markdown_tables_keep_their_columns() {
    // Every row of a table has as many unescaped `|` as its header, so
    // user strings holding `|` did not add cells.
    let text = MarkdownRenderer
        .render_to_string(&fixture::export())
        .unwrap();
    let cells = |line: &str| line.replace("\\|", "").matches('|').count();
    let mut expected = None;
    for line in text.lines() {
        if line.starts_with('|') {
            let n = cells(line);
            assert_eq!(*expected.get_or_insert(n), n, "{line}");
        } else {
            expected = None;
        }
    }
}

#[test]
fn markdown_comparisons_alone() {
    let export = fixture::export();
    let mut out = Vec::new();
    render_comparisons_markdown(&export.comparisons[..3], &mut out).unwrap();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}
