//! `perfwatch report` and `perfwatch dashboard`.

use crate::args::{DashboardArgs, ExportFormat, ReportArgs};
use crate::context::Context;
use crate::exit::usage;
use crate::render::{write_analysis, write_html, write_markdown_summary, FileFormat};
use perfwatch_app::history::dashboard_data;
use perfwatch_app::load::analyze_stored;
use perfwatch_app::Analysis;
use perfwatch_html::{render_dashboard_with, DashboardOptions};
use std::io::Write;

/// `perfwatch report`: the analysis of stored sessions, in the terminal
/// or in any file format.
pub fn report(ctx: &Context, args: &ReportArgs) -> anyhow::Result<()> {
    let store = ctx.open_reading_store()?;
    let opts = crate::options::analysis_options(&ctx.config, None);
    let specs = if args.sessions.is_empty() {
        vec!["latest".to_string()]
    } else {
        args.sessions.clone()
    };
    let format = match (args.format, args.markdown) {
        (_, true) => Some(ExportFormat::Markdown),
        (f, false) => f,
    };
    if args.output.is_some() && format.is_none() {
        return Err(usage("--output needs --format (or --markdown)"));
    }
    if format.is_some() && specs.len() > 1 {
        return Err(usage(
            "--format writes one session; name one (or use --html for several)",
        ));
    }
    let mut analyses: Vec<Analysis> = Vec::new();
    for spec in &specs {
        analyses.push(analyze_stored(
            &*store,
            spec,
            args.baseline.as_deref(),
            &opts,
        )?);
    }
    match format {
        Some(f) => {
            let format = FileFormat::from(f);
            let path = args.output.clone().unwrap_or_else(|| "-".into());
            write_analysis(&analyses[0], format, &path)?;
        }
        None => {
            let mut out = crate::stdout::stdout();
            for analysis in &analyses {
                crate::render::terminal(ctx, analysis, &mut out)?;
            }
            out.flush()?;
        }
    }
    if let Some(path) = &args.html {
        write_html(&analyses, path)?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.markdown_summary {
        write_markdown_summary(&analyses, path)?;
    }
    Ok(())
}

/// `perfwatch dashboard`.
pub fn dashboard(ctx: &Context, args: &DashboardArgs) -> anyhow::Result<()> {
    let store = ctx.open_reading_store()?;
    let opts = crate::options::analysis_options(&ctx.config, None);
    let (sessions, history) =
        dashboard_data(&*store, args.benchmark.as_deref(), args.limit, &opts)?;

    let dash = DashboardOptions {
        title: None,
        session_pages: (args.pages > 0).then_some(args.pages),
    };
    let index = render_dashboard_with(&sessions, &history, &dash, &args.output)?;
    eprintln!(
        "wrote {} ({} sessions, {} series)",
        index.display(),
        sessions.len(),
        history.len()
    );
    Ok(())
}
