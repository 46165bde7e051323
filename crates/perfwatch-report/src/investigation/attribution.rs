//! An attribution in the terminal and in Markdown: the design, the
//! settings, one line per effect on wall time with where the time went,
//! the effects per stage, and the confirming design.

use super::{effect_pct, effect_seconds, factor_value, plural, signed_duration, term_name};
use crate::markdown::{code_span, escape_markdown, write_table as write_md_table, Align};
use crate::printable::printable;
use crate::terminal::Palette;
use crate::terminal::{cut, fit_columns, pack, shorten_path, wrap, write_table, Column, Give};
use crate::units::{format_duration, format_p, format_share, NA};
use crate::TerminalOptions;
use console::measure_text_width;
use perfwatch_model::investigation::{AttributionReport, Term};
use perfwatch_model::short_id;
use std::io::{self, Write};

/// Indent of everything under the header.
const INDENT: &str = "  ";

/// The widest a setting's name is padded to in the list of settings.
const NAME_PAD: usize = 24;

/// The widest a stage path is shown before its effects.
const STAGE_PATH: usize = 36;

/// The design in words: `full 2^3 design`, `Plackett–Burman screening
/// (8 rows)`, or the key as it is.
pub fn design_text(r: &AttributionReport) -> String {
    match r.design.as_str() {
        "full" => format!("full 2^{} design", r.factors.len()),
        "plackett_burman" => format!(
            "Plackett–Burman screening ({})",
            plural(r.rows.len(), "row", "rows")
        ),
        other => format!("{} design", printable(other)),
    }
}

/// Where a wall term's time went: `94.0% in job/track/activate`, `in
/// job/track` without a share, empty without a stage (raw path).
pub fn term_where(term: &Term) -> String {
    match (&term.stage, term.stage_share) {
        (Some(stage), Some(share)) => format!("{} in {stage}", format_share(share)),
        (Some(stage), None) => format!("in {stage}"),
        (None, _) => String::new(),
    }
}

/// `2 settings, full 2^2 design, 5 runs per row, session 0123abcd`.
fn design_line(r: &AttributionReport, session: &str) -> String {
    format!(
        "{}, {}, {} per row, session {session}",
        plural(r.factors.len(), "setting", "settings"),
        design_text(r),
        plural(r.runs_per_row as usize, "run", "runs"),
    )
}

/// Renders an attribution for the terminal: a header (benchmark, the two
/// variants, the design, runs per row, session), each setting's value in
/// the baseline and the candidate, the fitted wall times, a table of the
/// wall-time effects in the report's order (the change with its 95 %
/// interval, `no effect` for a term that is not significant, seconds, the
/// stage where the time went, and when verbose the p-value), the
/// significant effects of each stage
/// in seconds, and the confirming design under `Confirmed on the top
/// settings`. Lines fit `opts.width` (at least 80); effects are coloured
/// only when `opts.color` says so.
pub fn attribution_terminal(
    r: &AttributionReport,
    opts: &TerminalOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let palette = Palette::new(opts);
    let width = opts.columns();
    let (base, cand) = (printable(&r.baseline), printable(&r.candidate));
    let header = format!(
        "Attribute {}: {base} → {cand}, {}",
        printable(&r.benchmark),
        design_line(r, short_id(&r.session_id))
    );
    for line in wrap(&header, "", INDENT, width) {
        writeln!(out, "{}", palette.paint(palette.bold(), line))?;
    }
    write_factors(r, width, out)?;
    let times = format!(
        "wall time {} with {base}'s settings → {} with {cand}'s",
        format_duration(r.baseline_s),
        format_duration(r.candidate_s)
    );
    for line in wrap(&times, INDENT, INDENT, width) {
        writeln!(out, "{line}")?;
    }
    if !r.wall.is_empty() {
        writeln!(out)?;
        write_wall(&r.wall, opts.verbose, &palette, width, out)?;
    }
    write_stages(r, &palette, width, out)?;
    if let Some(confirmation) = &r.confirmation {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            palette.paint(palette.bold(), "Confirmed on the top settings")
        )?;
        attribution_terminal(confirmation, opts, out)?;
    }
    Ok(())
}

/// `  DEMO_WAIT   fixed → condition`, one line per setting, cut to fit.
fn write_factors(r: &AttributionReport, width: usize, out: &mut dyn Write) -> io::Result<()> {
    let names: Vec<String> = r
        .factors
        .iter()
        .map(|f| printable(&f.name).into_owned())
        .collect();
    let pad = names
        .iter()
        .map(|n| measure_text_width(n))
        .max()
        .unwrap_or(0)
        .min(NAME_PAD);
    for (f, name) in r.factors.iter().zip(&names) {
        let fill = " ".repeat(pad.saturating_sub(measure_text_width(name)));
        let line = format!(
            "{INDENT}{name}{fill}  {} → {}",
            printable(factor_value(f.base.as_deref())),
            printable(factor_value(f.candidate.as_deref()))
        );
        writeln!(out, "{}", cut(&line, width))?;
    }
    Ok(())
}

/// The wall-time effects: setting, change with its interval, seconds and
/// where the time went (a column only when some term names a stage); the
/// p-value too when verbose. What gives way to fit: the names and paths
/// (to 24 columns), then the p-value, then the seconds.
fn write_wall(
    terms: &[Term],
    verbose: bool,
    palette: &Palette,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let with_where = terms.iter().any(|t| t.stage.is_some());
    let mut columns = vec![
        Column::new("setting", false).give(Give::Middle),
        Column::new("effect [95% CI]", false),
        Column::new("seconds", true).drop(1),
    ];
    if verbose {
        columns.push(Column::new("p", true).drop(2));
    }
    if with_where {
        // The share and the stage apart, so that a long path is shortened
        // by its middle segments and never cuts the share.
        columns.push(Column::new("share", true));
        columns.push(Column::new("in stage", false).give(Give::Path));
    }
    let rows: Vec<Vec<String>> = terms
        .iter()
        .map(|t| {
            let style = if !t.significant {
                palette.dim()
            } else if t.estimate > 1.0 {
                palette.bad()
            } else {
                palette.good()
            };
            let mut row = vec![
                printable(&term_name(t)).into_owned(),
                palette.paint(style, effect_pct(t)),
                t.seconds.map_or_else(|| NA.to_string(), signed_duration),
            ];
            if verbose {
                row.push(format_p(t.p_value));
            }
            if with_where {
                row.push(t.stage_share.map(format_share).unwrap_or_default());
                row.push(
                    t.stage
                        .as_deref()
                        .map(printable)
                        .unwrap_or_default()
                        .into_owned(),
                );
            }
            row
        })
        .collect();
    let fitted = fit_columns(palette, &columns, &rows, INDENT.len(), width);
    write_table(&fitted.table, INDENT, out)
}

/// For each stage with a significant effect: `job/track/activate (300
/// ms): DEMO_WAIT +420 ms [+400 ms, +440 ms] · …`.
fn write_stages(
    r: &AttributionReport,
    palette: &Palette,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let stages: Vec<_> = r
        .stages
        .iter()
        .filter(|s| s.terms.iter().any(|t| t.significant))
        .collect();
    if stages.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{INDENT}{}",
        palette.paint(
            palette.bold(),
            "By stage (significant effects on its total)"
        )
    )?;
    let first_indent = format!("{INDENT}  ");
    for stage in stages {
        let parts: Vec<String> = stage
            .terms
            .iter()
            .filter(|t| t.significant)
            .map(|t| format!("{} {}", printable(&term_name(t)), effect_seconds(t)))
            .collect();
        let first = format!(
            "{first_indent}{} ({}): ",
            shorten_path(&printable(&stage.path), STAGE_PATH),
            format_duration(stage.baseline_s)
        );
        for line in pack(&parts, &first, &format!("{first_indent}    "), width) {
            // A part wider than a line is cut rather than overflowing.
            writeln!(out, "{}", cut(&line, width))?;
        }
    }
    Ok(())
}

/// An attribution as Markdown: a heading, the fitted wall times, the
/// design, a table of the settings' values, a table of the wall-time
/// effects, one of the significant effects per stage, and the confirming
/// design under its own heading. Names and values are escaped.
pub fn attribution_markdown(r: &AttributionReport) -> String {
    let mut out = Vec::new();
    write_markdown(r, 2, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the Markdown is UTF-8")
}

fn md_value(value: Option<&str>) -> String {
    match value {
        Some(v) => code_span(v),
        None => "*unset*".to_string(),
    }
}

fn write_markdown(r: &AttributionReport, level: usize, out: &mut dyn Write) -> io::Result<()> {
    let hashes = "#".repeat(level);
    let (base, cand) = (code_span(&r.baseline), code_span(&r.candidate));
    writeln!(
        out,
        "{hashes} Attribution: {}, {base} → {cand}\n",
        escape_markdown(&r.benchmark)
    )?;
    writeln!(
        out,
        "Wall time **{}** with {base}'s settings → **{}** with {cand}'s.\n",
        format_duration(r.baseline_s),
        format_duration(r.candidate_s)
    )?;
    writeln!(
        out,
        "- Design: {}\n",
        escape_markdown(&design_line(r, short_id(&r.session_id)))
    )?;
    let factors: Vec<Vec<String>> = r
        .factors
        .iter()
        .map(|f| {
            vec![
                code_span(&f.name),
                md_value(f.base.as_deref()),
                md_value(f.candidate.as_deref()),
            ]
        })
        .collect();
    let (base_h, cand_h) = (escape_markdown(&r.baseline), escape_markdown(&r.candidate));
    write_md_table(
        &[
            ("setting", Align::Left),
            (&base_h, Align::Left),
            (&cand_h, Align::Left),
        ],
        &factors,
        out,
    )?;
    if !r.wall.is_empty() {
        writeln!(out)?;
        let with_where = r.wall.iter().any(|t| t.stage.is_some());
        let rows: Vec<Vec<String>> = r
            .wall
            .iter()
            .map(|t| {
                let mut row = vec![
                    escape_markdown(&term_name(t)),
                    effect_pct(t),
                    t.seconds.map_or_else(|| NA.to_string(), signed_duration),
                    format_p(t.p_value),
                ];
                if with_where {
                    row.push(escape_markdown(&term_where(t)));
                }
                row
            })
            .collect();
        let mut header = vec![
            ("effect on wall time", Align::Left),
            ("change [95% CI]", Align::Right),
            ("seconds", Align::Right),
            ("p", Align::Right),
        ];
        if with_where {
            header.push(("where", Align::Left));
        }
        write_md_table(&header, &rows, out)?;
    }
    let stage_rows: Vec<Vec<String>> = r
        .stages
        .iter()
        .flat_map(|s| {
            s.terms.iter().filter(|t| t.significant).map(move |t| {
                vec![
                    code_span(&s.path),
                    format_duration(s.baseline_s),
                    escape_markdown(&term_name(t)),
                    effect_seconds(t),
                ]
            })
        })
        .collect();
    if !stage_rows.is_empty() {
        writeln!(out, "\n{hashes}# By stage\n")?;
        write_md_table(
            &[
                ("stage", Align::Left),
                ("baseline", Align::Right),
                ("setting", Align::Left),
                ("effect [95% CI]", Align::Right),
            ],
            &stage_rows,
            out,
        )?;
    }
    if let Some(confirmation) = &r.confirmation {
        writeln!(out, "\n{hashes}# Confirmed on the top settings\n")?;
        write_markdown(confirmation, level + 2, out)?;
    }
    Ok(())
}
