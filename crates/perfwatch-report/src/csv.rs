//! CSV: one row per iteration, warm-ups and failures included, for
//! spreadsheets and data frames. A figure that was not measured is an empty
//! cell, never zero.

use crate::Render;
use perfwatch_model::SessionExport;
use serde::Serialize;
use std::io::{self, Write};

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
    session_id: &'a str,
    variant: &'a str,
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
                    session_id: &export.session.id,
                    variant: &variant.name,
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
