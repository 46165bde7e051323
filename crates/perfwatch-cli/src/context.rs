//! What every command shares: the store, the configuration, colours.

use crate::args::{Cli, ColorChoice, OutputArgs, SortOrder, Style, TimeUnitArg};
use crate::config::Config;
use crate::exit::usage;
use crate::store_location::{Access, Location};
use perfwatch_store::Store;
use std::io::IsTerminal;
use std::sync::Arc;

/// Global settings of one invocation.
pub struct Context {
    /// `--db`: where the history lives.
    pub db: Location,
    /// The loaded configuration (empty when there is no file).
    pub config: Config,
    /// Colour standard output.
    pub color: bool,
    /// Standard error is a terminal (progress bars go there).
    pub interactive: bool,
    /// `--verbose`: evidence and every footnote in the terminal view.
    pub verbose: bool,
    /// Columns of the terminal view: the terminal's width on a terminal
    /// (never less than the renderer's minimum), the default otherwise.
    pub width: usize,
    /// `-u/--time-unit`: every time of the views in this unit.
    pub time_unit: Option<perfwatch_report::units::TimeUnit>,
    /// `--sort`: the order of the relative summary and scan tables.
    pub sort: perfwatch_report::terminal::SortOrder,
}

impl Context {
    /// Build from the parsed command line; loads the configuration.
    pub fn new(cli: &Cli) -> anyhow::Result<Context> {
        let config = Config::load(cli.config.as_deref()).map_err(|e| usage(e.to_string()))?;
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Ok(Context {
            db: Location::parse(&cli.db),
            config,
            color,
            interactive: std::io::stderr().is_terminal(),
            verbose: cli.verbose,
            width: terminal_width(),
            time_unit: None,
            sort: perfwatch_report::terminal::SortOrder::Auto,
        })
    }

    /// `--style`, `-u/--time-unit` and `--sort` of `run`/`ab` applied to
    /// every view this invocation prints or writes (the time unit: not to
    /// JSON and CSV, which keep seconds).
    pub fn with_view(mut self, args: &OutputArgs) -> Context {
        self = self.with_style(args.style);
        self.time_unit = args.time_unit.map(TimeUnitArg::unit);
        self.sort = match args.sort {
            SortOrder::Auto => perfwatch_report::terminal::SortOrder::Auto,
            SortOrder::Command => perfwatch_report::terminal::SortOrder::Command,
            SortOrder::MeanTime => perfwatch_report::terminal::SortOrder::MeanTime,
        };
        self
    }

    /// The context of `bisect` and `attribute`, with their `--style`.
    pub fn with_investigation_style(self, style: Style) -> Context {
        self.with_style(style)
    }

    /// The context with `--style` applied: progress (`interactive`) and
    /// colours on or off as hyperfine's styles set them; `auto` keeps
    /// what the terminal and `--color` decided.
    fn with_style(mut self, style: Style) -> Context {
        match style {
            Style::Auto => {}
            Style::Basic => self.color = false,
            Style::Full => (self.color, self.interactive) = (true, true),
            Style::Nocolor => self.color = false,
            Style::Color => self.color = true,
            Style::None => (self.color, self.interactive) = (false, false),
        }
        self
    }

    /// Open (creating if needed) the store. An unusable `--db` — not
    /// SQLite, another program's database, a newer schema, no permission —
    /// is a usage error, and nothing is written.
    pub fn open_store(&self) -> anyhow::Result<Arc<dyn Store>> {
        self.db.open(Access::Create)
    }

    /// Open an existing store for reading only: nothing is created or
    /// written, and a read-only file or mount works. A missing file says
    /// how to make one.
    pub fn open_reading_store(&self) -> anyhow::Result<Arc<dyn Store>> {
        self.db.open(Access::ReadOnly)
    }

    /// Open an existing store for writing; a missing file says how to make one.
    pub fn open_existing_store(&self) -> anyhow::Result<Arc<dyn Store>> {
        self.db.open(Access::Existing)
    }

    /// Terminal rendering options.
    pub fn terminal(&self) -> perfwatch_report::TerminalOptions {
        perfwatch_report::TerminalOptions {
            color: self.color,
            verbose: self.verbose,
            width: self.width,
            sort: self.sort,
            ..Default::default()
        }
    }
}

/// The width of standard output when it is a terminal; the renderer's
/// default (100 columns) when it is not, so that files and pipes get the
/// same text on every machine.
fn terminal_width() -> usize {
    let term = console::Term::stdout();
    let columns = std::env::var("COLUMNS").ok();
    width_of(
        term.is_term()
            .then(|| term.size_checked())
            .flatten()
            .map(|(_, cols)| cols),
        columns.as_deref(),
    )
}

/// The width to fit: the terminal's; without one (a pipe, a file) the
/// `COLUMNS` environment variable's, as `ls` and `man` read it; otherwise
/// [`DEFAULT_WIDTH`](perfwatch_report::TerminalOptions::DEFAULT_WIDTH).
/// Never below [`MIN_WIDTH`](perfwatch_report::TerminalOptions::MIN_WIDTH).
fn width_of(terminal: Option<u16>, columns: Option<&str>) -> usize {
    use perfwatch_report::TerminalOptions;
    let from_env = || columns?.trim().parse::<usize>().ok().filter(|&n| n > 0);
    terminal
        .map(usize::from)
        .or_else(from_env)
        .unwrap_or(TerminalOptions::DEFAULT_WIDTH)
        .max(TerminalOptions::MIN_WIDTH)
}

#[cfg(test)]
mod width_tests {
    use super::width_of;

    #[test]
    fn a_pipe_takes_its_width_from_columns_and_a_terminal_from_itself() {
        assert_eq!(width_of(None, Some("80")), 80);
        assert_eq!(width_of(None, Some(" 132 ")), 132);
        assert_eq!(width_of(None, None), 100);
        assert_eq!(width_of(None, Some("wide")), 100);
        assert_eq!(width_of(None, Some("0")), 100);
        assert_eq!(width_of(None, Some("40")), 80);
        assert_eq!(width_of(Some(120), Some("80")), 120);
    }
}
