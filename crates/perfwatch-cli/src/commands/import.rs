//! `perfwatch import`: other tools' results as stored sessions.

use crate::args::ImportArgs;
use crate::context::Context;
use crate::exit::usage;
use perfwatch_import::{import_path_with, ImportOptions, Imported, Source, VariantNaming};
use perfwatch_model::short_id;
use perfwatch_report::printable::printable;
use perfwatch_store::Store;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// Import every file; nothing is stored unless all of them parse, and none
/// was imported before (unless `--force`).
pub fn run(ctx: &Context, args: &ImportArgs) -> anyhow::Result<()> {
    let options = import_options(args);
    let mut all = Vec::new();
    for path in &args.files {
        let (source, imported) =
            import_path_with(path, &options).map_err(|e| usage(e.to_string()))?;
        all.push((path, source, imported));
    }
    if !args.force {
        refuse_repeats_within(&all)?;
    }
    let store = ctx.open_store()?;
    if !args.force {
        refuse_imported_before(&*store, &all)?;
    }
    for (path, source, imported) in all {
        for im in imported {
            for note in &im.notes {
                eprintln!("note: {}", printable(note));
            }
            // All of a session or none of it: a failed write leaves no
            // empty `complete` session behind.
            store.insert_whole_session(&im.session, &im.iterations)?;
            writeln!(
                crate::stdout::stdout(),
                "imported {} {} as session {} ({}, {} iterations)",
                source.name(),
                printable(&path.display().to_string()),
                short_id(&im.session.id),
                printable(&im.session.benchmark),
                im.iterations.len()
            )?;
        }
    }
    Ok(())
}

/// The library's options from the command line.
fn import_options(args: &ImportArgs) -> ImportOptions {
    let variant_names = if !args.variant_names.is_empty() {
        VariantNaming::InOrder(args.variant_names.clone())
    } else if !args.variant_renames.is_empty() {
        VariantNaming::ByName(args.variant_renames.clone())
    } else {
        VariantNaming::Source
    };
    ImportOptions {
        benchmark: args.benchmark.clone(),
        variant_names,
    }
}

type Batch<'a> = [(&'a PathBuf, Source, Vec<Imported>)];

/// The import origin of every session of the batch.
fn origins<'a>(all: &'a Batch<'_>) -> impl Iterator<Item = &'a perfwatch_model::ImportOrigin> {
    all.iter()
        .flat_map(|(_, _, imported)| imported)
        .filter_map(|im| im.session.imported.as_ref())
}

/// The same file content twice in one command would be stored twice.
fn refuse_repeats_within(all: &Batch<'_>) -> anyhow::Result<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for origin in origins(all) {
        if let Some(first) = seen.insert(&origin.sha256, &origin.file) {
            return Err(usage(format!(
                "{} has the same content as {}, given before it; --force imports both",
                printable(&origin.file),
                printable(first)
            )));
        }
    }
    Ok(())
}

/// A file whose bytes were imported before is refused: it would be a
/// second session of the same runs, counted twice in history and trends.
fn refuse_imported_before(store: &dyn Store, all: &Batch<'_>) -> anyhow::Result<()> {
    for origin in origins(all) {
        if let Some(earlier) = store.find_imported(&origin.sha256)? {
            return Err(usage(format!(
                "{} was already imported as session {} (benchmark {}, dated {}); \
                 --force imports it again",
                printable(&origin.file),
                short_id(&earlier.id),
                printable(&earlier.benchmark),
                earlier.started_at
            )));
        }
    }
    Ok(())
}
