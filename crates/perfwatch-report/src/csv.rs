//! CSV: one row per iteration, warm-ups and failures included, for
//! spreadsheets and data frames. A figure that was not measured is an empty
//! cell, never zero. Text cells (session ids, variant names) go through
//! [`text_cell`], so that a spreadsheet never reads a name as a formula;
//! figures are written as they are.

use crate::Render;
use perfwatch_model::SessionExport;
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

/// A text cell as a spreadsheet will take it as text: one that starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return (which Excel, LibreOffice
/// and Google Sheets may evaluate as a formula, e.g. `=cmd|' /C calc'!A0`)
/// gets a leading `'` (OWASP's rule against CSV injection). Only for text
/// fields (names, commands, stage paths, labels): a figure perfwatch writes
/// itself, such as `-0.5`, must stay a number and is written as it is.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// The columns, in order; also the header row.
pub const CSV_COLUMNS: [&str; 16] = [
    "session_id",
    "variant",
    "index",
    "warmup",
    "exit_code",
    "signal",
    "timed_out",
    "wall_s",
    "user_s",
    "sys_s",
    "max_rss_bytes",
    "peak_tree_rss_bytes",
    "read_bytes",
    "write_bytes",
    "voluntary_cs",
    "involuntary_cs",
];

/// Writes one CSV row per iteration, variant by variant.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvRenderer;

/// One row; field order is [`CSV_COLUMNS`].
#[derive(Serialize)]
struct Row<'a> {
    session_id: Cow<'a, str>,
    variant: Cow<'a, str>,
    index: u32,
    warmup: bool,
    exit_code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    wall_s: f64,
    user_s: Option<f64>,
    sys_s: Option<f64>,
    max_rss_bytes: Option<u64>,
    peak_tree_rss_bytes: Option<u64>,
    read_bytes: Option<u64>,
    write_bytes: Option<u64>,
    voluntary_cs: Option<u64>,
    involuntary_cs: Option<u64>,
}

impl Render for CsvRenderer {
    fn render(&self, export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
        let mut writer = ::csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(out);
        writer.write_record(CSV_COLUMNS)?;
        for variant in &export.variants {
            for it in &variant.iterations {
                writer.serialize(Row {
                    session_id: text_cell(&export.session.id),
                    variant: text_cell(&variant.name),
                    index: it.index,
                    warmup: it.warmup,
                    exit_code: it.exit_code,
                    signal: it.signal,
                    timed_out: it.timed_out,
                    wall_s: it.wall_s,
                    user_s: it.user_s,
                    sys_s: it.sys_s,
                    max_rss_bytes: it.max_rss_bytes,
                    peak_tree_rss_bytes: it.peak_tree_rss_bytes,
                    read_bytes: it.read_bytes,
                    write_bytes: it.write_bytes,
                    voluntary_cs: it.voluntary_cs,
                    involuntary_cs: it.involuntary_cs,
                })?;
            }
        }
        writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_start_a_formula_are_prefixed() {
        let cases = [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("@SUM(1)", "'@SUM(1)"),
            ("+1+1", "'+1+1"),
            ("-2", "'-2"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("fast", "fast"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(text_cell(input), want, "input {input:?}");
        }
        assert!(matches!(text_cell("plain"), Cow::Borrowed(_)));
    }
}
