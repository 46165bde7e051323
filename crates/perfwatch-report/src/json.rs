//! The JSON export `perfwatch.session.v1`: the [`SessionExport`] as it is,
//! pretty-printed, with a trailing newline.

use crate::Render;
use perfwatch_model::SessionExport;
use std::io::{self, Write};

/// Writes the session export as pretty JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonRenderer;

impl Render for JsonRenderer {
    fn render(&self, export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, export)?;
        writeln!(out)
    }
}
