//! Drawing a [`LiveSnapshot`] on the terminal (ratatui), laid out to stay
//! readable in 80×24: the progress, each variant's median with its
//! interval, the wall time per run, the current iteration's stages beside
//! its CPU, memory, I/O (and GPU) sparklines, the warnings and findings,
//! and the keys. Every text from the run (names, stage paths, findings)
//! is shown through `printable`: no control character reaches the
//! terminal.

use perfwatch_model::live::{LiveSample, LiveSnapshot, LiveState};
use perfwatch_report::printable::printable;
use perfwatch_report::units::{format_bytes, format_duration};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, LineGauge, Paragraph, Row, Sparkline, Table};
use ratatui::Frame;

/// Rows of warnings and findings shown at most.
const NOTE_ROWS: u16 = 4;

/// Variants shown at most in the estimate table.
const VARIANT_ROWS: usize = 4;

/// Width of a resource's label (`CPU  100 %`).
const LABEL: u16 = 18;

/// Draws `snap` over the whole frame; `notices` are perfwatch's own
/// messages (a server that cannot be reached), shown with the warnings.
pub fn draw(frame: &mut Frame, snap: &LiveSnapshot, notices: &[String]) {
    let variants = snap.variants.len().min(VARIANT_ROWS) as u16;
    let notes = notes(snap, notices);
    let note_rows = (notes.len() as u16).min(NOTE_ROWS);
    let [title, progress, table, walls, middle, notes_area, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1 + variants),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(note_rows),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_title(frame, title, snap);
    draw_progress(frame, progress, snap);
    draw_estimates(frame, table, snap);
    draw_walls(frame, walls, snap);
    let [stages, resources] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(middle);
    draw_stages(frame, stages, snap);
    draw_resources(frame, resources, &snap.samples);
    let lines: Vec<Line> = notes.into_iter().take(note_rows as usize).collect();
    frame.render_widget(Paragraph::new(lines), notes_area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            " q ".reversed(),
            " leave the view (the run goes on)  ".into(),
            " Ctrl-C ".reversed(),
            " stop the run".into(),
        ])),
        keys,
    );
}

fn draw_title(frame: &mut Frame, area: Rect, snap: &LiveSnapshot) {
    let state = match snap.state {
        LiveState::Running => "running".green(),
        LiveState::Finished => "finished".bold(),
        LiveState::Cancelled => "cancelled".yellow(),
    };
    let line = Line::from(vec![
        " perfwatch live ".reversed().bold(),
        format!(" {} · ", printable(&snap.benchmark)).into(),
        state,
        format!(" · {}", format_duration(snap.progress.elapsed_s)).into(),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_progress(frame: &mut Frame, area: Rect, snap: &LiveSnapshot) {
    let p = &snap.progress;
    let now = match &p.current {
        Some(c) => format!(
            " · {} {}{} for {}",
            printable(&c.variant),
            if c.warmup { "warm-up #" } else { "run #" },
            c.index + 1,
            format_duration(c.elapsed_s)
        ),
        None => String::new(),
    };
    let ratio = if p.planned == 0 {
        0.0
    } else {
        (p.done as f64 / p.planned as f64).clamp(0.0, 1.0)
    };
    let label = format!("{} of {} done{now}", p.done, p.planned);
    let width = (label.chars().count() as u16 + 2).min(area.width);
    let [text, gauge] =
        Layout::horizontal([Constraint::Length(width), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(format!(" {label}")), text);
    frame.render_widget(
        LineGauge::default()
            .ratio(ratio)
            .label("")
            .filled_style(Style::new().cyan()),
        gauge,
    );
}

fn draw_estimates(frame: &mut Frame, area: Rect, snap: &LiveSnapshot) {
    let level = snap
        .variants
        .iter()
        .find_map(|v| v.estimate.as_ref())
        .map_or(95.0, |e| e.level * 100.0);
    let header = Row::new(vec![
        " variant".to_string(),
        "runs".to_string(),
        "median".to_string(),
        format!("{level:.0} % interval"),
        "failed".to_string(),
    ])
    .style(Style::new().add_modifier(Modifier::BOLD));
    let rows = snap.variants.iter().take(VARIANT_ROWS).map(|v| {
        let (median, ci) = match &v.estimate {
            Some(e) => (
                format_duration(e.median_s),
                format!(
                    "{} – {}",
                    format_duration(e.ci_low_s),
                    format_duration(e.ci_high_s)
                ),
            ),
            None => ("–".to_string(), String::new()),
        };
        Row::new(vec![
            format!(" {}", printable(&v.name)),
            v.runs.to_string(),
            median,
            ci,
            if v.failed > 0 {
                v.failed.to_string()
            } else {
                String::new()
            },
        ])
    });
    let widths = [
        Constraint::Min(12),
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Length(22),
        Constraint::Length(6),
    ];
    frame.render_widget(Table::new(rows, widths).header(header), area);
}

fn draw_walls(frame: &mut Frame, area: Rect, snap: &LiveSnapshot) {
    let last = snap
        .walls
        .last()
        .map_or_else(|| "–".to_string(), |w| format_duration(w.wall_s));
    let [label, spark] =
        Layout::horizontal([Constraint::Length(LABEL), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(format!(" wall/run {last}")), label);
    let values: Vec<u64> = newest(&snap.walls, spark.width)
        .iter()
        .map(|w| scaled(w.wall_s, 1e6))
        .collect();
    frame.render_widget(
        Sparkline::default().data(values).style(Style::new().cyan()),
        spark,
    );
}

fn draw_stages(frame: &mut Frame, area: Rect, snap: &LiveSnapshot) {
    let title = match &snap.progress.current {
        Some(c) => format!(" stages of run #{} ", c.index + 1),
        None => " stages of the last run ".to_string(),
    };
    let block = Block::new().borders(Borders::TOP).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if snap.stages.is_empty() {
        frame.render_widget(
            Paragraph::new(" (none closed yet)").style(Style::new().dim()),
            inner,
        );
        return;
    }
    let width = inner.width.saturating_sub(1) as usize;
    let lines: Vec<Line> = snap
        .stages
        .iter()
        .take(inner.height as usize)
        .map(|s| {
            let name = s.path.rsplit('/').next().unwrap_or(&s.path);
            let calls = if s.calls > 1 {
                format!(" ×{}", s.calls)
            } else {
                String::new()
            };
            let left = format!(
                "{}{}{calls}",
                "  ".repeat(s.depth.min(6) as usize),
                printable(name)
            );
            let right = format_duration(s.total_s);
            let room = width.saturating_sub(right.chars().count() + 1);
            let left = clip(&left, room);
            let pad = width.saturating_sub(left.chars().count() + right.chars().count());
            let style = if s.failed {
                Style::new().red()
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::styled(format!(" {left}{}", " ".repeat(pad)), style),
                Span::raw(right),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One row per figure: its latest value, then its sparkline over the
/// current iteration.
fn draw_resources(frame: &mut Frame, area: Rect, samples: &[LiveSample]) {
    let block = Block::new().borders(Borders::TOP).title(" resources ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let last = samples.last();
    let mut rows: Vec<(String, Vec<u64>)> = vec![
        (
            format!("CPU {:>5.0} %", last.map_or(0.0, |s| s.cpu_pct)),
            samples.iter().map(|s| scaled(s.cpu_pct, 1.0)).collect(),
        ),
        (
            format!(
                "RSS {:>9}",
                last.map_or_else(|| "–".into(), |s| format_bytes(s.rss_bytes as f64))
            ),
            samples.iter().map(|s| s.rss_bytes).collect(),
        ),
        (
            format!("read {:>6}/s", rate(last.map(|s| s.read_bps))),
            samples.iter().map(|s| scaled(s.read_bps, 1.0)).collect(),
        ),
        (
            format!("write {:>5}/s", rate(last.map(|s| s.write_bps))),
            samples.iter().map(|s| scaled(s.write_bps, 1.0)).collect(),
        ),
    ];
    if samples.iter().any(|s| s.gpu_busy_pct.is_some()) {
        rows.push((
            format!(
                "GPU {:>7}",
                last.and_then(|s| s.gpu_busy_pct)
                    .map_or_else(|| "–".into(), |b| format!("{b:.0} %"))
            ),
            samples
                .iter()
                .map(|s| scaled(s.gpu_busy_pct.unwrap_or(0.0), 1.0))
                .collect(),
        ));
    }
    if samples.iter().any(|s| s.gpu_memory_bytes.is_some()) {
        rows.push((
            format!(
                "VRAM {:>8}",
                last.and_then(|s| s.gpu_memory_bytes)
                    .map_or_else(|| "–".into(), |b| format_bytes(b as f64))
            ),
            samples
                .iter()
                .map(|s| s.gpu_memory_bytes.unwrap_or(0))
                .collect(),
        ));
    }
    if samples.is_empty() {
        frame.render_widget(
            Paragraph::new(" (no sample yet)").style(Style::new().dim()),
            inner,
        );
        return;
    }
    let areas = Layout::vertical(vec![Constraint::Length(1); rows.len()]).split(inner);
    for ((label, values), row) in rows.into_iter().zip(areas.iter()) {
        let [l, s] =
            Layout::horizontal([Constraint::Length(LABEL - 3), Constraint::Min(0)]).areas(*row);
        frame.render_widget(Paragraph::new(format!(" {label}")), l);
        let shown = newest(&values, s.width).to_vec();
        frame.render_widget(
            Sparkline::default().data(shown).style(Style::new().green()),
            s,
        );
    }
}

/// The warnings (`!`), perfwatch's own notices and the findings (`•`).
fn notes(snap: &LiveSnapshot, notices: &[String]) -> Vec<Line<'static>> {
    let warnings = notices.iter().chain(&snap.warnings).map(|w| {
        Line::from(vec![
            " ! ".yellow().bold(),
            Span::raw(printable(w).into_owned()),
        ])
    });
    let findings = snap.findings.iter().map(|f| {
        Line::from(vec![
            " • ".cyan().bold(),
            Span::raw(printable(f).into_owned()),
        ])
    });
    warnings.chain(findings).collect()
}

/// The last `width` values (the newest), or all when fewer.
fn newest<T>(values: &[T], width: u16) -> &[T] {
    &values[values.len().saturating_sub(width as usize)..]
}

/// `x` in units of `1/per` as a bar height (0 for a negative or
/// non-finite one).
fn scaled(x: f64, per: f64) -> u64 {
    let v = x * per;
    if v.is_finite() && v > 0.0 {
        v.round() as u64
    } else {
        0
    }
}

/// A byte rate without its `/s`.
fn rate(bps: Option<f64>) -> String {
    bps.map_or_else(|| "–".into(), format_bytes)
}

/// `text` cut to `width` characters, an ellipsis ending a cut one.
fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use perfwatch_model::live::{
        LiveEstimate, LiveIteration, LiveProgress, LiveStage, LiveVariant, LiveWall, LIVE_SCHEMA_V1,
    };
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn snapshot() -> LiveSnapshot {
        LiveSnapshot {
            schema: LIVE_SCHEMA_V1.into(),
            run_id: "abcd1234".into(),
            benchmark: "pipeline".into(),
            state: LiveState::Running,
            updated_at: "t".into(),
            progress: LiveProgress {
                done: 3,
                planned: 10,
                elapsed_s: 4.2,
                current: Some(LiveIteration {
                    index: 3,
                    variant: "before".into(),
                    warmup: false,
                    elapsed_s: 0.4,
                }),
            },
            variants: vec![LiveVariant {
                name: "before".into(),
                runs: 3,
                failed: 0,
                estimate: Some(LiveEstimate {
                    median_s: 1.2,
                    ci_low_s: 1.1,
                    ci_high_s: 1.3,
                    level: 0.95,
                }),
            }],
            walls: (0..3)
                .map(|i| LiveWall {
                    variant: "before".into(),
                    wall_s: 1.0 + f64::from(i) / 10.0,
                    ok: true,
                })
                .collect(),
            stages: vec![
                LiveStage {
                    path: "job".into(),
                    depth: 0,
                    calls: 1,
                    total_s: 1.0,
                    failed: false,
                },
                LiveStage {
                    path: "job/track/fetch\u{1b}[31m".into(),
                    depth: 2,
                    calls: 3,
                    total_s: 0.3,
                    failed: false,
                },
            ],
            samples: vec![LiveSample {
                t_s: 0.1,
                cpu_pct: 97.0,
                rss_bytes: 3 << 20,
                ..LiveSample::default()
            }],
            warnings: vec!["only 3 runs".into()],
            findings: vec!["fixed wait in activate".into()],
        }
    }

    fn screen(snap: &LiveSnapshot, notices: &[String]) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| draw(f, snap, notices)).unwrap();
        let buffer = terminal.backend().buffer();
        (0..24)
            .map(|y| {
                (0..80)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_view_fits_80_by_24_with_every_part() {
        let text = screen(&snapshot(), &["server down".into()]);
        for needle in [
            "perfwatch live",
            "3 of 10 done",
            "before run #4",
            "before",
            "1.20 s",
            "stages of run #4",
            "job",
            "fetch\\u{1b}[31m ×3",
            "CPU",
            "RSS",
            "! server down",
            "! only 3 runs",
            "• fixed wait in activate",
            "Ctrl-C",
        ] {
            assert!(text.contains(needle), "{needle:?} is not on\n{text}");
        }
        assert!(
            !text.contains('\u{1b}'),
            "a control character reached the screen"
        );
        assert!(!text.contains("GPU"), "no GPU readings: no GPU rows");
    }

    #[test]
    fn gpu_rows_appear_when_samples_carry_gpu_readings() {
        let mut snap = snapshot();
        snap.samples[0].gpu_busy_pct = Some(40.0);
        snap.samples[0].gpu_memory_bytes = Some(2 << 30);
        let text = screen(&snap, &[]);
        assert!(text.contains("GPU    40 %"), "{text}");
        assert!(text.contains("VRAM"), "{text}");
    }

    #[test]
    fn an_empty_run_draws_without_figures() {
        let mut snap = snapshot();
        snap.progress = LiveProgress::default();
        snap.variants[0].estimate = None;
        snap.walls.clear();
        snap.stages.clear();
        snap.samples.clear();
        let text = screen(&snap, &[]);
        assert!(text.contains("(none closed yet)"), "{text}");
        assert!(text.contains("(no sample yet)"), "{text}");
    }
}
