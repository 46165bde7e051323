//! `perfwatch bisect` and `perfwatch attribute`: investigations that run
//! several sessions to answer one question, and their outputs.

pub mod attribute;
pub mod bisect;
mod git;
mod record;

use crate::args::InvestigationOutput;
use serde::Serialize;
use std::path::Path;

/// A commit id as every view shortens it (`1a2b3c4`).
fn commit_id(id: &str) -> &str {
    perfwatch_report::format::short_id(id, perfwatch_report::format::SHORT_COMMIT)
}

/// Write `text` to `path`, naming the file in any error.
fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// Write the JSON, Markdown and HTML outputs an investigation was asked for.
fn write_outputs<T: Serialize>(
    out: &InvestigationOutput,
    report: &T,
    markdown: impl FnOnce() -> String,
    html: impl FnOnce() -> std::io::Result<String>,
) -> anyhow::Result<()> {
    if let Some(path) = &out.export_json {
        let mut text = serde_json::to_string_pretty(report)?;
        text.push('\n');
        write_file(path, &text)?;
    }
    if let Some(path) = &out.export_markdown {
        write_file(path, &markdown())?;
    }
    if let Some(path) = &out.html {
        write_file(path, &html()?)?;
    }
    Ok(())
}
