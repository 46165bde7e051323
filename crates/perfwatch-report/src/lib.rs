//! Renderers for perfwatch: the terminal summary, JSON, CSV, Markdown and
//! hyperfine's JSON schema.
//!
//! Renderers format data that the analysis already computed (a
//! [`SessionExport`] with its summaries, stage breakdowns, warnings,
//! comparisons and findings); they never compute statistics themselves.
//! Every format implements [`Render`]; tables that stand on their own (the
//! comparison table of `perfwatch compare`, the session list of
//! `perfwatch sessions`) are plain functions in [`terminal`] and
//! [`markdown`]; so are the reports of the investigations (adaptive
//! comparison, bisection, attribution) in [`investigation`].
//!
//! Every figure is formatted by [`units`], the one implementation the HTML
//! pages use too. A figure that was not measured prints as `–` (or an
//! empty CSV cell), never as zero; an unbounded interval bound as
//! `unbounded`, never as a number. Verdict counts ([`Headline`]) judge
//! primary comparisons only; secondary ones are shown as information.
//!
//! ```
//! use perfwatch_model::{CommandSpec, HostInfo, Session, SessionExport, SessionStatus, SCHEMA_V1};
//! use perfwatch_report::{Format, Render, TerminalOptions};
//!
//! let export = SessionExport {
//!     schema: SCHEMA_V1.to_string(),
//!     session: Session {
//!         id: "0123456789abcdef".into(),
//!         started_at: "2025-01-02T03:04:05Z".into(),
//!         finished_at: None,
//!         benchmark: "sleep".into(),
//!         command: CommandSpec { argv: vec!["sleep".into(), "0.1".into()], shell: false },
//!         variants: vec![],
//!         git: None,
//!         host: HostInfo { os: "linux".into(), ..HostInfo::default() },
//!         perfwatch_version: "0.1.0".into(),
//!         status: SessionStatus::Complete,
//!         baseline: None,
//!         shell_correction: None,
//!         imported: None,
//!         owner: None,
//!         adaptive: None,
//!         program_version: None,
//!     },
//!     variants: vec![],
//!     comparisons: vec![],
//!     findings: vec![],
//!     health: None,
//!     gate: None,
//!     notes: vec![],
//!     adaptive: None,
//! };
//! let renderer = "markdown".parse::<Format>()?.renderer(TerminalOptions::default());
//! let text = renderer.render_to_string(&export)?;
//! assert!(text.starts_with("## Benchmark: sleep\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod app_metrics;
pub mod csv;
pub mod format;
pub mod headline;
pub mod hyperfine;
pub mod investigation;
pub mod json;
pub mod markdown;
pub mod printable;
pub mod relative;
pub mod results_table;
pub mod service;
pub mod terminal;
pub mod units;

pub use self::csv::{text_cell, CsvRenderer, CSV_COLUMNS};
pub use headline::Headline;
pub use hyperfine::HyperfineRenderer;
pub use json::JsonRenderer;
pub use markdown::MarkdownRenderer;
pub use terminal::{SessionListRow, TerminalOptions, TerminalRenderer};

use perfwatch_model::SessionExport;
use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

/// A session renderer: one per output format.
pub trait Render {
    /// Writes `export` to `out` in this format.
    fn render(&self, export: &SessionExport, out: &mut dyn Write) -> io::Result<()>;

    /// Renders into a string (every format writes UTF-8).
    fn render_to_string(&self, export: &SessionExport) -> io::Result<String> {
        let mut buffer = Vec::new();
        self.render(export, &mut buffer)?;
        String::from_utf8(buffer).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

impl<R: Render + ?Sized> Render for &R {
    fn render(&self, export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
        (**self).render(export, out)
    }
}

impl<R: Render + ?Sized> Render for Box<R> {
    fn render(&self, export: &SessionExport, out: &mut dyn Write) -> io::Result<()> {
        (**self).render(export, out)
    }
}

/// The output formats of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The human summary ([`TerminalRenderer`]).
    Terminal,
    /// `perfwatch.session.v1` JSON ([`JsonRenderer`]).
    Json,
    /// One CSV row per iteration ([`CsvRenderer`]).
    Csv,
    /// GitHub-flavoured Markdown ([`MarkdownRenderer`]).
    Markdown,
    /// hyperfine's `--export-json` schema ([`HyperfineRenderer`]).
    Hyperfine,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 5] = [
        Format::Terminal,
        Format::Json,
        Format::Csv,
        Format::Markdown,
        Format::Hyperfine,
    ];

    /// The name used on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Hyperfine => "hyperfine",
        }
    }

    /// The renderer of this format; `options` matter to the terminal only.
    pub fn renderer(self, options: TerminalOptions) -> Box<dyn Render> {
        match self {
            Format::Terminal => Box::new(TerminalRenderer::new(options)),
            Format::Json => Box::new(JsonRenderer),
            Format::Csv => Box::new(CsvRenderer),
            Format::Markdown => Box::new(MarkdownRenderer),
            Format::Hyperfine => Box::new(HyperfineRenderer),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}` (known: terminal, json, csv, markdown, hyperfine)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Parses a format name; `md` is accepted for `markdown`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "md" => Ok(Format::Markdown),
            _ => Format::ALL
                .into_iter()
                .find(|f| f.key() == s)
                .ok_or_else(|| UnknownFormat(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_from_their_keys() {
        for format in Format::ALL {
            assert_eq!(format.key().parse::<Format>(), Ok(format));
        }
        assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
        let err = "html".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown format `html` (known: terminal, json, csv, markdown, hyperfine)"
        );
    }
}
