//! `perfwatch db copy FROM TO`: a whole history from one store to another,
//! counted and checked (the copying itself is the app layer's
//! [`copy_history`]).

use crate::args::{DbCommand, DbCopyArgs};
use crate::context::Context;
use crate::exit::usage;
use crate::store_location::{Access, Location};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use perfwatch_app::copy::{copy_history, BaselineDiff, CopyOptions, CopyProgress, CopyReport};
use perfwatch_model::short_id;
use perfwatch_report::printable::printable;
use std::io::Write;

/// `perfwatch db …`.
pub fn db(ctx: &Context, cmd: &DbCommand) -> anyhow::Result<()> {
    match cmd {
        DbCommand::Copy(args) => copy(ctx, args),
    }
}

fn copy(ctx: &Context, args: &DbCopyArgs) -> anyhow::Result<()> {
    let from = Location::parse(&args.from);
    let to = Location::parse(&args.to);
    if same_store(&from, &to) {
        return Err(usage(format!(
            "FROM and TO are the same store ({}): nothing to copy",
            shown(&from)
        )));
    }
    let source = from.open(Access::ReadOnly)?;
    let target = to.open(Access::Create)?;
    let options = CopyOptions {
        overwrite_baselines: args.overwrite_baselines,
    };
    let mut progress = Progress::new(ctx.interactive);
    let result = copy_history(&*source, &*target, options, &mut progress);
    progress.finish();
    let report = result?;
    let (from, to) = (shown(&from), shown(&to));
    let mut out = crate::stdout::stdout();
    write_report(&report, &from, &to, &mut out)?;
    out.flush()?;
    for line in notes(&report, &from, &to) {
        eprintln!("{line}");
    }
    Ok(())
}

/// Whether two locations are one store: the same file (however named) or
/// the same URL.
fn same_store(a: &Location, b: &Location) -> bool {
    match (a, b) {
        (Location::Sqlite(a), Location::Sqlite(b)) => {
            match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
                (Ok(a), Ok(b)) => a == b,
                _ => a == b,
            }
        }
        (Location::Postgres(a), Location::Postgres(b)) => {
            a.trim_end_matches('/') == b.trim_end_matches('/')
        }
        _ => false,
    }
}

/// A location for messages: a URL without its password.
fn shown(location: &Location) -> String {
    match location {
        Location::Sqlite(_) => location.display(),
        Location::Postgres(url) => perfwatch_store::redact_url(url),
    }
}

/// The counts, one row per kind, copied and already there; then what was
/// checked.
fn write_report(
    report: &CopyReport,
    from: &str,
    to: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "from {} to {}:", printable(from), printable(to))?;
    let rows = [
        ("sessions", report.copied.sessions, report.present.sessions),
        (
            "iterations",
            report.copied.iterations,
            report.present.iterations,
        ),
        ("spans", report.copied.spans, report.present.spans),
        (
            "baselines",
            (report.baselines_copied.len() + report.baselines_overwritten.len()) as u64,
            (report.baselines_present.len() + report.baselines_differing.len()) as u64,
        ),
    ];
    writeln!(out, "  {:<12}{:>10}  {:>13}", "", "copied", "already there")?;
    for (what, copied, present) in rows {
        writeln!(out, "  {what:<12}{copied:>10}  {present:>13}")?;
    }
    if report.copied.sessions > 0 {
        writeln!(
            out,
            "checked: TO holds the {} copied sessions with the same counts",
            report.copied.sessions
        )?;
    } else {
        writeln!(out, "nothing new to copy")?;
    }
    Ok(())
}

/// Sessions copied while running, and what differs between the stores.
fn notes(report: &CopyReport, from: &str, to: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for id in &report.running {
        lines.push(format!(
            "note: session {} was still running in {}: copied as it is now (what it adds later is not copied)",
            short_id(id),
            printable(from)
        ));
    }
    for d in &report.differing {
        lines.push(format!(
            "warning: session {} differs: {} iterations and {} spans in {}, {} and {} in {}; left as it is",
            short_id(&d.id),
            d.source.iterations,
            d.source.spans,
            printable(from),
            d.target.iterations,
            d.target.spans,
            printable(to)
        ));
    }
    for b in &report.baselines_differing {
        lines.push(format!(
            "warning: baseline `{}` differs: {}; left as it is (--overwrite-baselines replaces it)",
            printable(&b.name),
            sessions_of(b)
        ));
    }
    for b in &report.baselines_overwritten {
        lines.push(format!(
            "note: baseline `{}` replaced: {}",
            printable(&b.name),
            sessions_of(b)
        ));
    }
    lines
}

/// `sessions 1a2b3c4d in FROM, 5e6f7a8b in TO`.
fn sessions_of(b: &BaselineDiff) -> String {
    let ids = |ids: &[String]| {
        ids.iter()
            .map(|id| short_id(id))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "sessions {} in FROM, {} in TO",
        ids(&b.source),
        ids(&b.target)
    )
}

/// The progress bar of a copy: on standard error, on a terminal only.
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new(interactive: bool) -> Progress {
        Progress(interactive.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("copying {bar:30.cyan/blue} {pos}/{len} sessions")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        }))
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl CopyProgress for Progress {
    fn start(&mut self, sessions: u64) {
        if let Some(bar) = &self.0 {
            bar.set_length(sessions);
        }
    }

    fn session_done(&mut self, _id: &str, _copied: bool) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_under_two_names_is_one_store() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        std::fs::write(&db, b"").unwrap();
        let a = Location::Sqlite(db.clone());
        let b = Location::Sqlite(dir.path().join("sub/../a.db"));
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(same_store(&a, &b));
        assert!(!same_store(&a, &Location::Sqlite(dir.path().join("b.db"))));
        assert!(same_store(
            &Location::parse("postgres://u@h/db/"),
            &Location::parse("postgres://u@h/db")
        ));
        assert!(!same_store(&a, &Location::parse("postgres://u@h/db")));
    }
}
