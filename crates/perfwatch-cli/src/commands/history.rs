//! `perfwatch history` and `perfwatch detect`.
//!
//! Names, labels and ids come from the store or from a CSV file given to
//! `detect`: tables show them [`printable`], CSV output writes them as
//! [`text_cell`]s; figures are written as they are.

use crate::args::{DetectArgs, HistoryArgs, SeriesArgs, TableFormat};
use crate::context::Context;
use crate::exit::usage;
use comfy_table::{presets::NOTHING, Cell, CellAlignment, Table};
use perfwatch_analysis::SeverityThresholds;
use perfwatch_app::history::{
    change_points, chosen_metric, detect_options, load_series, locate, Filters, Label, Located,
    Series, SeriesChanges, SeriesMetric,
};
use perfwatch_report::printable::printable;
use perfwatch_report::text_cell;
use perfwatch_report::units::{format_value, unit_for_key};
use perfwatch_stats::changepoint::DetectOptions;
use std::io::Write;
use std::path::Path;

/// The stored series `a` asks for.
fn stored_series(ctx: &Context, a: &SeriesArgs) -> anyhow::Result<Vec<Series>> {
    let store = ctx.open_reading_store()?;
    let metric = series_metric(&*store, a)?;
    Ok(load_series(
        &*store,
        &filters(a),
        &metric,
        &crate::options::analysis_options(&ctx.config, None).ci(),
    )?)
}

/// The metric `a` names, or the history's default for its benchmark.
fn series_metric(
    store: &dyn perfwatch_store::Store,
    a: &SeriesArgs,
) -> anyhow::Result<SeriesMetric> {
    let named = a.metric.as_deref().map(SeriesMetric::parse).transpose()?;
    Ok(chosen_metric(store, &filters(a), named)?)
}

fn filters(a: &SeriesArgs) -> Filters {
    Filters {
        benchmark: a.benchmark.clone(),
        variant: a.variant.clone(),
        branch: a.branch.clone(),
        since: a.since.clone(),
        last: a.last,
    }
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(NOTHING);
    t.set_header(header.iter().map(Cell::new));
    t
}

fn right(t: &mut Table, from: usize) {
    for i in from..t.column_count() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// `perfwatch history`.
pub fn history(ctx: &Context, args: &HistoryArgs) -> anyhow::Result<()> {
    let series = stored_series(ctx, &args.series)?;
    let mut out = crate::stdout::stdout();
    match args.format {
        TableFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&series)?)?,
        TableFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record([
                "benchmark",
                "variant",
                "metric",
                "session_id",
                "started_at",
                "commit",
                "branch",
                "n",
                "median",
                "ci_low",
                "ci_high",
                "version",
            ])?;
            for s in &series {
                for p in &s.points {
                    w.write_record([
                        &*text_cell(&s.benchmark),
                        &text_cell(&s.variant),
                        &text_cell(&s.metric),
                        &text_cell(&p.session_id),
                        &text_cell(&p.started_at),
                        &text_cell(p.commit.as_deref().unwrap_or("")),
                        &text_cell(p.branch.as_deref().unwrap_or("")),
                        &p.n.to_string(),
                        &p.median.to_string(),
                        &p.ci_low.to_string(),
                        &p.ci_high.to_string(),
                        &text_cell(p.version.as_deref().unwrap_or("")),
                    ])?;
                }
            }
            w.flush()?;
        }
        TableFormat::Table => {
            for s in &series {
                print_series(&mut out, s)?;
            }
        }
    }
    Ok(out.flush()?)
}

fn print_series(out: &mut dyn Write, s: &Series) -> std::io::Result<()> {
    let unit = unit_for_key(
        s.metric
            .strip_prefix("stage:")
            .map_or(&s.metric, |_| "total_s"),
    );
    writeln!(
        out,
        "{} · {} · {} ({} sessions)",
        printable(&s.benchmark),
        printable(&s.variant),
        printable(&s.metric),
        s.points.len()
    )?;
    let by_version = s.points.iter().any(|p| p.version.is_some());
    let mut t = table(&[
        "session",
        "started",
        provenance_header(by_version),
        "n",
        "median",
        "95% CI",
    ]);
    for p in &s.points {
        t.add_row(vec![
            printable(perfwatch_model::short_id(&p.session_id)).into_owned(),
            printable(
                &p.started_at
                    .chars()
                    .take(19)
                    .collect::<String>()
                    .replace('T', " "),
            )
            .into_owned(),
            provenance(by_version, p.commit.as_deref(), p.version.as_deref()),
            p.n.to_string(),
            format_value(unit, p.median),
            format!(
                "{} … {}",
                format_value(unit, p.ci_low),
                format_value(unit, p.ci_high)
            ),
        ]);
    }
    right(&mut t, 3);
    writeln!(out, "{t}\n")
}

/// `perfwatch detect`.
pub fn detect(ctx: &Context, args: &DetectArgs) -> anyhow::Result<()> {
    let opts = detect_options(args.window, args.p_value, args.magnitude)?;
    let thresholds = crate::options::analysis_options(&ctx.config, None)
        .compare
        .severity;
    let mut results: Vec<(String, String, Vec<Located>)> = Vec::new();
    if let Some(path) = &args.csv {
        let (labels, values, column) = read_csv(path, args.column.as_deref())?;
        let located = locate_csv(path, labels, &values, &opts, &thresholds)?;
        results.push((path.display().to_string(), column, located));
    } else {
        let store = ctx.open_reading_store()?;
        let metric = series_metric(&*store, &args.series)?;
        let ci = crate::options::analysis_options(&ctx.config, None).ci();
        let found = change_points(
            &*store,
            &filters(&args.series),
            &metric,
            &ci,
            &opts,
            &thresholds,
        )?;
        results.extend(
            found
                .into_iter()
                .map(|c| (c.series, c.metric, c.change_points)),
        );
    }
    let mut out = crate::stdout::stdout();
    match args.format {
        TableFormat::Json => {
            let v: Vec<_> = results
                .into_iter()
                .map(|(series, metric, change_points)| SeriesChanges {
                    series,
                    metric,
                    change_points,
                })
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        TableFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record([
                "series",
                "metric",
                "index",
                "at",
                "session_id",
                "commit",
                "median_before",
                "median_after",
                "change_pct",
                "p_value",
                "direction",
                "severity",
                "version",
            ])?;
            for (series, metric, cps) in &results {
                for c in cps {
                    w.write_record([
                        &*text_cell(series),
                        &text_cell(metric),
                        &c.index.to_string(),
                        &text_cell(&c.at),
                        &text_cell(c.session_id.as_deref().unwrap_or("")),
                        &text_cell(c.commit.as_deref().unwrap_or("")),
                        &c.median_before.to_string(),
                        &c.median_after.to_string(),
                        &format!("{:.3}", c.change_pct),
                        &format!("{:.3e}", c.p_value),
                        &text_cell(c.direction),
                        &text_cell(c.severity.key()),
                        &text_cell(c.version.as_deref().unwrap_or("")),
                    ])?;
                }
            }
            w.flush()?;
        }
        TableFormat::Table => {
            for (series, metric, cps) in &results {
                let unit = unit_for_key(if metric.starts_with("stage:") {
                    "total_s"
                } else {
                    metric
                });
                let (series, metric) = (printable(series), printable(metric));
                if cps.is_empty() {
                    writeln!(out, "{series} · {metric}: no change point")?;
                    continue;
                }
                writeln!(out, "{series} · {metric}: {} change point(s)", cps.len())?;
                let by_version = cps.iter().any(|c| c.version.is_some());
                let mut t = table(&[
                    "at",
                    "session",
                    provenance_header(by_version),
                    "before",
                    "after",
                    "change",
                    "p",
                    "direction",
                    "severity",
                ]);
                for c in cps {
                    t.add_row(vec![
                        printable(&c.at.chars().take(19).collect::<String>().replace('T', " "))
                            .into_owned(),
                        c.session_id
                            .as_deref()
                            .map(|s| printable(perfwatch_model::short_id(s)).into_owned())
                            .unwrap_or_else(|| "-".into()),
                        provenance(by_version, c.commit.as_deref(), c.version.as_deref()),
                        format_value(unit, c.median_before),
                        format_value(unit, c.median_after),
                        format!("{:+.1}%", c.change_pct),
                        format!("{:.1e}", c.p_value),
                        c.direction.to_string(),
                        c.severity.key().to_string(),
                    ]);
                }
                right(&mut t, 3);
                writeln!(out, "{t}\n")?;
            }
        }
    }
    Ok(out.flush()?)
}

/// The change points of a series read from the CSV file at `path`.
pub(crate) fn locate_csv(
    path: &Path,
    labels: Vec<String>,
    values: &[f64],
    opts: &DetectOptions,
    thresholds: &SeverityThresholds,
) -> anyhow::Result<Vec<Located>> {
    let labels: Vec<_> = labels.into_iter().map(Label::row).collect();
    locate(values, &labels, opts, thresholds).map_err(|e| usage(format!("{}: {e}", path.display())))
}

/// The most of a CSV file `detect --csv` reads: a series of millions of
/// points fits; `/dev/zero` or a runaway file is refused, not loaded.
const MAX_CSV_BYTES: u64 = 128 << 20;

/// At most `n` characters of `text`, with `…` when cut: a value quoted in
/// an error message.
fn excerpt(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(n).collect::<String>())
    }
}

/// Read (label, value) rows of a CSV with a header; the value column is
/// `column` or the second one. A bad row is an error naming its line.
fn read_csv(path: &Path, column: Option<&str>) -> anyhow::Result<(Vec<String>, Vec<f64>, String)> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| usage(format!("failed to read {}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(MAX_CSV_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| usage(format!("failed to read {}: {e}", path.display())))?;
    if bytes.len() as u64 > MAX_CSV_BYTES {
        return Err(usage(format!(
            "{} is larger than {} MiB, more than a series needs",
            path.display(),
            MAX_CSV_BYTES >> 20
        )));
    }
    parse_csv(&bytes, path, column)
}

/// [`read_csv`] of the file's bytes; `path` names the file in errors.
pub(crate) fn parse_csv(
    bytes: &[u8],
    path: &Path,
    column: Option<&str>,
) -> anyhow::Result<(Vec<String>, Vec<f64>, String)> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = r
        .headers()
        .map_err(|e| usage(format!("{}: {e}", path.display())))?
        .clone();
    let idx = match column {
        Some(name) => headers.iter().position(|h| h == name).ok_or_else(|| {
            usage(format!(
                "{}: no column `{name}` (columns: {})",
                path.display(),
                headers.iter().collect::<Vec<_>>().join(", ")
            ))
        })?,
        None if headers.len() >= 2 => 1,
        None => 0,
    };
    let name = headers.get(idx).unwrap_or("value").to_string();
    let (mut labels, mut values) = (Vec::new(), Vec::new());
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| usage(format!("{}:{line}: {e}", path.display())))?;
        let raw = rec.get(idx).unwrap_or("");
        let v: f64 = raw
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                usage(format!(
                    "{}:{line}: `{}` in column `{}` is not a number",
                    path.display(),
                    excerpt(raw, 40),
                    excerpt(&name, 40)
                ))
            })?;
        labels.push(if idx == 0 {
            format!("row {}", i + 1)
        } else {
            rec.get(0).unwrap_or("").to_string()
        });
        values.push(v);
    }
    Ok((labels, values, name))
}

/// The provenance column: the program's version for monitored pipelines
/// (whose sessions have no commit), the commit otherwise.
fn provenance_header(by_version: bool) -> &'static str {
    if by_version {
        "version"
    } else {
        "commit"
    }
}

/// A point's provenance cell (see [`provenance_header`]): a commit
/// shortened to 7 characters, a version whole.
fn provenance(by_version: bool, commit: Option<&str>, version: Option<&str>) -> String {
    let cell = if by_version {
        version.map(str::to_string)
    } else {
        commit.map(|c| c.chars().take(7).collect())
    };
    cell.map_or_else(|| "-".into(), |c| printable(&c).into_owned())
}
