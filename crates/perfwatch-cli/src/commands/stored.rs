//! Commands over stored sessions: `sessions`, `show`, `export`, `compare`,
//! `baseline …`.

use crate::args::{BaselineCommand, CompareArgs, ExportArgs, SessionsArgs, ShowArgs};
use crate::context::Context;
use crate::render::{write_analysis, FileFormat};
use perfwatch_app::load::{analyze_stored, load_any, load_reference};
use perfwatch_app::{analyze, analyze_against};
use perfwatch_model::short_id;
use perfwatch_report::printable::printable;
use perfwatch_report::terminal::{render_sessions, SessionListRow};
use perfwatch_store::SessionFilter;
use std::io::Write;

/// `perfwatch sessions`.
pub fn sessions(ctx: &Context, args: &SessionsArgs) -> anyhow::Result<()> {
    let store = ctx.open_reading_store()?;
    let filter = SessionFilter {
        benchmark: args.benchmark.clone(),
        limit: Some(args.limit),
        ..Default::default()
    };
    let list: Vec<SessionListRow> = perfwatch_app::listing::sessions(&*store, &filter)?
        .into_iter()
        .map(|s| SessionListRow {
            id: s.id,
            started_at: s.started_at,
            benchmark: s.benchmark,
            variants: s.variants,
            iterations: s.iterations,
            status: s.status,
            commit: s.commit,
            branch: s.branch,
            version: s.version,
            wall_median: s.wall_median,
            latency_p99_s: s.latency_p99_s,
        })
        .collect();
    let mut out = crate::stdout::stdout();
    render_sessions(&list, &ctx.terminal(), &mut out)?;
    Ok(out.flush()?)
}

/// `perfwatch show`: the stored session's analysis, as `run` showed it.
pub fn show(ctx: &Context, args: &ShowArgs) -> anyhow::Result<()> {
    let store = ctx.open_reading_store()?;
    let opts = crate::options::analysis_options(&ctx.config, None);
    let analysis = analyze_stored(&*store, &args.session, args.baseline.as_deref(), &opts)?;
    let mut out = crate::stdout::stdout();
    crate::render::terminal(ctx, &analysis, &mut out)?;
    Ok(out.flush()?)
}

/// `perfwatch export`.
pub fn export(ctx: &Context, args: &ExportArgs) -> anyhow::Result<()> {
    let store = ctx.open_reading_store()?;
    let opts = crate::options::analysis_options(&ctx.config, None);
    let analysis = analyze_stored(&*store, &args.session, args.baseline.as_deref(), &opts)?;
    let format = FileFormat::from(args.format);
    let path = args.output.clone().unwrap_or_else(|| "-".into());
    write_analysis(&analysis, format, &path)
}

/// `perfwatch compare BASE CANDIDATE`: the candidate's analysis against
/// the reference — the same answer as `report CANDIDATE --baseline BASE`.
pub fn compare(ctx: &Context, args: &CompareArgs) -> anyhow::Result<()> {
    let store = if ctx.db.may_have_history() {
        Some(ctx.open_reading_store()?)
    } else {
        None
    };
    let store_ref = store.as_deref();
    let opts = crate::options::analysis_options(&ctx.config, None);
    let base = load_reference(store_ref, &args.base, &opts)?;
    let ((session, iterations), _) = load_any(store_ref, &args.candidate)?;
    let analysis = analyze_against(session, iterations, &base, &opts)?;
    let mut out = crate::stdout::stdout();
    crate::render::terminal(ctx, &analysis, &mut out)?;
    out.flush()?;
    if let Some(path) = &args.export_json {
        write_analysis(&analysis, FileFormat::Json, path)?;
    }
    if let Some(path) = &args.export_markdown {
        write_analysis(&analysis, FileFormat::Markdown, path)?;
    }
    Ok(())
}

/// `perfwatch baseline …`.
pub fn baseline(ctx: &Context, cmd: &BaselineCommand) -> anyhow::Result<()> {
    let store = match cmd {
        BaselineCommand::List | BaselineCommand::Show { .. } => ctx.open_reading_store()?,
        BaselineCommand::Save { .. } | BaselineCommand::Delete { .. } => {
            ctx.open_existing_store()?
        }
    };
    let mut out = crate::stdout::stdout();
    match cmd {
        BaselineCommand::Save {
            name,
            session,
            force,
            description,
        } => {
            let id = store.resolve_session(session)?;
            let b = store.save_baseline(
                name,
                std::slice::from_ref(&id),
                description.as_deref(),
                *force,
            )?;
            writeln!(
                out,
                "saved baseline `{}` = session {}",
                printable(&b.name),
                short_id(&id)
            )?;
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
                let ids: Vec<&str> = b.session_ids.iter().map(|s| short_id(s)).collect();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    printable(&b.name),
                    printable(&b.created_at),
                    printable(&ids.join(",")),
                    printable(&b.description.unwrap_or_default())
                )?;
            }
        }
        BaselineCommand::Show { name } => {
            let b = store.get_baseline(name)?;
            writeln!(
                out,
                "baseline `{}` saved {}",
                printable(&b.name),
                printable(&b.created_at)
            )?;
            if let Some(d) = &b.description {
                writeln!(out, "{}", printable(d))?;
            }
            let opts = crate::options::analysis_options(&ctx.config, None);
            let (session, iterations) = perfwatch_app::load::load_baseline_raw(&*store, name)?;
            let analysis = analyze(session, iterations, None, &opts);
            crate::render::terminal(ctx, &analysis, &mut out)?;
        }
        BaselineCommand::Delete { name } => {
            store.delete_baseline(name)?;
            writeln!(
                out,
                "deleted baseline `{}` (its sessions are kept)",
                printable(name)
            )?;
        }
    }
    Ok(out.flush()?)
}
