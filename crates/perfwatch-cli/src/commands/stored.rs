//! Commands over stored sessions: `sessions`, `show`, `export`, `compare`,
//! `baseline …`.

use crate::analysis::{compare_options, compare_sessions};
use crate::args::{BaselineCommand, CompareArgs, ExportArgs, ExportFormat, SessionsArgs, ShowArgs};
use crate::context::Context;
use crate::exit::usage;
use crate::output::write_file;
use crate::stored::{load_any, load_session, store_usage};
use perfwatch_model::SessionExport;
use perfwatch_report::terminal::{
    render_comparisons, render_session, render_sessions, SessionListRow,
};
use perfwatch_report::{CsvRenderer, JsonRenderer, MarkdownRenderer, Render};
use perfwatch_store::{SessionFilter, Store};
use std::io::Write;

/// `perfwatch sessions`.
pub fn sessions(ctx: &Context, args: &SessionsArgs) -> anyhow::Result<()> {
    let store = ctx.open_existing_store()?;
    let rows = store.list_sessions(&SessionFilter {
        benchmark: args.benchmark.clone(),
        limit: Some(args.limit),
        ..Default::default()
    })?;
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let s = &row.session;
        // The first variant's median wall time over its counted runs: a
        // listing needs the median only, not the bootstrapped summaries.
        let first = s.variants.first().map(|v| v.name.as_str());
        let wall_median = store.load_session(&s.id).ok().and_then(|(_, its)| {
            let walls: Vec<f64> = its
                .iter()
                .filter(|it| it.counts() && Some(it.variant.as_str()) == first)
                .map(|it| it.wall_s)
                .collect();
            perfwatch_stats::median(&walls)
        });
        list.push(SessionListRow {
            id: s.id.clone(),
            started_at: s.started_at.clone(),
            benchmark: s.benchmark.clone(),
            variants: s.variants.iter().map(|v| v.name.clone()).collect(),
            iterations: row.iterations,
            status: s.status,
            commit: s.git.as_ref().and_then(|g| g.commit.clone()),
            branch: s.git.as_ref().and_then(|g| g.branch.clone()),
            wall_median,
        });
    }
    let mut out = std::io::stdout().lock();
    render_sessions(&list, &ctx.terminal(), &mut out)?;
    Ok(out.flush()?)
}

/// `perfwatch show`.
pub fn show(ctx: &Context, args: &ShowArgs) -> anyhow::Result<()> {
    let store = ctx.open_existing_store()?;
    let export = load_session(&store, &args.session, &ctx.config.file.thresholds)?;
    let mut out = std::io::stdout().lock();
    render_session(&export, &ctx.terminal(), &mut out)?;
    Ok(out.flush()?)
}

/// `perfwatch export`.
pub fn export(ctx: &Context, args: &ExportArgs) -> anyhow::Result<()> {
    let store = ctx.open_existing_store()?;
    let export = load_session(&store, &args.session, &ctx.config.file.thresholds)?;
    let renderer: &dyn Render = match args.format {
        ExportFormat::Json => &JsonRenderer,
        ExportFormat::Csv => &CsvRenderer,
        ExportFormat::Markdown => &MarkdownRenderer,
    };
    let path = args.output.clone().unwrap_or_else(|| "-".into());
    write_file(&path, |w| renderer.render(&export, w))
}

/// `perfwatch compare`.
pub fn compare(ctx: &Context, args: &CompareArgs) -> anyhow::Result<()> {
    let t = &ctx.config.file.thresholds;
    let store = if ctx.db.exists() {
        Some(ctx.open_store()?)
    } else {
        None
    };
    let store_ref = store.as_ref().map(|s| s as &dyn Store);
    let (base, base_label) = load_any(store_ref, &args.base, t)?;
    let (cand, cand_label) = load_any(store_ref, &args.candidate, t)?;
    let comparisons = compare_sessions(&base, &base_label, &cand, &cand_label, &compare_options(t))
        .map_err(usage)?;
    let mut out = std::io::stdout().lock();
    render_comparisons(&comparisons, &ctx.terminal(), &mut out)?;
    out.flush()?;
    let combined = SessionExport {
        comparisons,
        findings: Vec::new(),
        ..cand
    };
    if let Some(path) = &args.export_json {
        write_file(path, |w| JsonRenderer.render(&combined, w))?;
    }
    if let Some(path) = &args.export_markdown {
        write_file(path, |w| {
            perfwatch_report::markdown::render_comparisons_markdown(&combined.comparisons, w)
        })?;
    }
    Ok(())
}

/// `perfwatch baseline …`.
pub fn baseline(ctx: &Context, cmd: &BaselineCommand) -> anyhow::Result<()> {
    let store = ctx.open_existing_store()?;
    let mut out = std::io::stdout().lock();
    match cmd {
        BaselineCommand::Save {
            name,
            session,
            force,
            description,
        } => {
            let id = store.resolve_session(session).map_err(store_usage)?;
            let b = store
                .save_baseline(
                    name,
                    std::slice::from_ref(&id),
                    description.as_deref(),
                    *force,
                )
                .map_err(store_usage)?;
            writeln!(out, "saved baseline `{}` = session {}", b.name, &id[..8])?;
        }
        BaselineCommand::List => {
            let list = store.list_baselines()?;
            if list.is_empty() {
                writeln!(
                    out,
                    "no baselines saved (perfwatch baseline save NAME [SESSION])"
                )?;
            }
            for b in list {
                let ids: Vec<&str> = b.session_ids.iter().map(|s| &s[..8.min(s.len())]).collect();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    b.name,
                    b.created_at,
                    ids.join(","),
                    b.description.unwrap_or_default()
                )?;
            }
        }
        BaselineCommand::Show { name } => {
            let b = store.get_baseline(name).map_err(store_usage)?;
            writeln!(out, "baseline `{}` saved {}", b.name, b.created_at)?;
            if let Some(d) = &b.description {
                writeln!(out, "{d}")?;
            }
            let export = crate::stored::load_baseline(&store, name, &ctx.config.file.thresholds)?;
            render_session(&export, &ctx.terminal(), &mut out)?;
        }
        BaselineCommand::Delete { name } => {
            store.delete_baseline(name).map_err(store_usage)?;
            writeln!(out, "deleted baseline `{name}` (its sessions are kept)")?;
        }
    }
    Ok(out.flush()?)
}
