//! What the caller decides about terminal output, and the colours used.

use console::Style;
use perfwatch_model::{Comparison, Severity, Verdict};
use std::fmt::Display;

/// Options of the terminal renderers. The caller decides; the renderers
/// never look at the terminal themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalOptions {
    /// Emit ANSI colours (the CLI sets this when stdout is a terminal and
    /// colours were not turned off).
    pub color: bool,
    /// Show at most this many stages (largest share first); `None` shows
    /// all, `Some(0)` hides the stage breakdown.
    pub max_stages: Option<usize>,
    /// Show everything: every finding with its place, figures, whole
    /// recommendation and evidence (`key=value`), whole warnings and notes,
    /// p95, run totals and the stage calls. Off, findings are a title and
    /// one line of advice each, only the first
    /// [`TerminalOptions::FINDINGS_SHOWN`] are listed, and warnings and
    /// notes are cut to one line.
    pub verbose: bool,
    /// The widest line, in columns, that text is wrapped (or, for single
    /// lines of advice, cut) to; tables shorten long stage paths to fit, and
    /// the comparison table leaves out the medians when it must. Values
    /// below [`TerminalOptions::MIN_WIDTH`] count as that.
    pub width: usize,
    /// Standard output is a terminal (the CLI says so): graphics that only
    /// a terminal shows well, such as the bars of a scan's medians, are
    /// drawn.
    pub tty: bool,
    /// The order of the relative summary's lines and of a scan's rows.
    pub sort: SortOrder,
}

/// The order of the relative summary and of a scan table (`--sort`, as
/// hyperfine spells it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Fastest first in the relative summary, the given order in tables.
    #[default]
    Auto,
    /// The given order everywhere.
    Command,
    /// Fastest (lowest median) first everywhere.
    MeanTime,
}

impl TerminalOptions {
    /// The default [`TerminalOptions::width`].
    pub const DEFAULT_WIDTH: usize = 100;
    /// The narrowest width honoured.
    pub const MIN_WIDTH: usize = 80;
    /// Findings listed when not [`TerminalOptions::verbose`].
    pub const FINDINGS_SHOWN: usize = 5;

    /// The width to fit, at least [`TerminalOptions::MIN_WIDTH`].
    pub(crate) fn columns(&self) -> usize {
        self.width.max(Self::MIN_WIDTH)
    }
}

impl Default for TerminalOptions {
    fn default() -> Self {
        TerminalOptions {
            color: false,
            max_stages: None,
            verbose: false,
            width: Self::DEFAULT_WIDTH,
            tty: false,
            sort: SortOrder::Auto,
        }
    }
}

/// The colours of the terminal output; plain text when colour is off.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Palette {
    color: bool,
}

impl Palette {
    pub(crate) fn new(options: &TerminalOptions) -> Self {
        Palette {
            color: options.color,
        }
    }

    /// A style that emits codes exactly when colour is on, whatever
    /// `console` would guess from the environment.
    fn base(&self) -> Style {
        Style::new().force_styling(self.color)
    }

    /// `text` in `style`, or as it is when colour is off.
    pub(crate) fn paint(&self, style: Style, text: impl Display) -> String {
        if self.color {
            style.force_styling(true).apply_to(text).to_string()
        } else {
            text.to_string()
        }
    }

    pub(crate) fn bold(&self) -> Style {
        self.base().bold()
    }

    pub(crate) fn dim(&self) -> Style {
        self.base().dim()
    }

    pub(crate) fn warning(&self) -> Style {
        self.base().yellow()
    }

    pub(crate) fn good(&self) -> Style {
        self.base().green()
    }

    pub(crate) fn bad(&self) -> Style {
        self.base().red()
    }

    /// Low yellow, medium and high red, critical bold red.
    pub(crate) fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::None => self.base(),
            Severity::Low => self.base().yellow(),
            Severity::Medium | Severity::High => self.base().red(),
            Severity::Critical => self.base().red().bold(),
        }
    }

    /// The style of a comparison's change and verdict cells.
    pub(crate) fn verdict(&self, c: &Comparison) -> Style {
        match c.verdict {
            Verdict::Regressed => self.severity(c.severity),
            Verdict::Improved => self.good(),
            Verdict::Unchanged | Verdict::Inconclusive => self.base(),
        }
    }
}
