//! `perfwatch import`: other tools' results as stored sessions.

use crate::args::ImportArgs;
use crate::context::Context;
use crate::exit::usage;
use perfwatch_import::{import_path, Source};
use perfwatch_report::printable::printable;
use perfwatch_store::Store;
use std::io::Write;

/// Import every file; nothing is stored unless all of them parse.
pub fn run(ctx: &Context, args: &ImportArgs) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for path in &args.files {
        let (source, imported) = import_path(path).map_err(|e| usage(e.to_string()))?;
        all.push((path, source, imported));
    }
    let store = ctx.open_store()?;
    for (path, source, imported) in all {
        for mut im in imported {
            // hyperfine before 1.12 exported no exit codes; it only kept
            // runs that exited 0 unless told to ignore failures, so a file
            // without any exit code is read as all-successful, and said so.
            if source == Source::Hyperfine
                && im
                    .iterations
                    .iter()
                    .all(|i| i.exit_code.is_none() && i.signal.is_none())
            {
                for it in &mut im.iterations {
                    it.exit_code = Some(0);
                }
                eprintln!(
                    "note: {} has no exit codes (hyperfine < 1.12): runs are taken as successful",
                    printable(&path.display().to_string())
                );
            }
            store.create_session(&im.session)?;
            for it in &im.iterations {
                store.add_iteration(&im.session.id, it)?;
            }
            writeln!(
                crate::stdout::stdout(),
                "imported {} {} as session {} ({}, {} iterations)",
                source.name(),
                printable(&path.display().to_string()),
                perfwatch_model::short_id(&im.session.id),
                printable(&im.session.benchmark),
                im.iterations.len()
            )?;
        }
    }
    Ok(())
}
