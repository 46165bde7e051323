//! Render a dashboard of synthetic sessions and print the time it took and
//! the size of what it wrote, with the default options (a page for the
//! newest sessions) and with a page for every session.
//!
//! ```text
//! cargo run --release -p perfwatch-html --example dashboard_bench [-- SESSIONS [RUNS]]
//! ```
//!
//! Each synthetic session has two variants of nine iterations with a
//! resource timeline and six spans each, comparisons and a finding.

#[path = "../tests/support/fixture.rs"]
mod fixture;

use perfwatch_html::{render_dashboard_with, DashboardOptions, HistorySeries};
use perfwatch_model::SessionExport;
use std::path::Path;
use std::time::{Duration, Instant};

fn dir_size(dir: &Path) -> std::io::Result<(u64, usize)> {
    let mut total = 0;
    let mut files = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            let (t, f) = dir_size(&entry.path())?;
            total += t;
            files += f;
        } else {
            total += meta.len();
            files += 1;
        }
    }
    Ok((total, files))
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn bench(
    label: &str,
    sessions: &[SessionExport],
    history: &[HistorySeries],
    opts: &DashboardOptions,
    runs: usize,
) -> std::io::Result<()> {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        // A fresh directory per run, so that every run writes new files.
        let dir = tempfile::tempdir()?;
        let start = Instant::now();
        let index = render_dashboard_with(sessions, history, opts, dir.path())?;
        times.push(start.elapsed());
        let index_size = std::fs::metadata(&index)?.len();
        let (pages_size, pages) = dir_size(&dir.path().join("sessions"))?;
        last = Some((index_size, pages_size, pages));
    }
    times.sort();
    let (index_size, pages_size, pages) = last.unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("{label}:");
    println!(
        "  time:          median {:.1} ms (min {:.1}, max {:.1}) over {runs} runs",
        ms(times[runs / 2]),
        ms(times[0]),
        ms(times[runs - 1])
    );
    println!("  index.html:    {}", mib(index_size));
    println!(
        "  session pages: {pages} files, {} ({:.1} KiB each)",
        mib(pages_size),
        pages_size as f64 / pages.max(1) as f64 / 1024.0
    );
    println!("  total:         {}", mib(index_size + pages_size));
    Ok(())
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let sessions = fixture::synthetic_sessions(n);
    let history = fixture::synthetic_history(&sessions);
    println!("{n} sessions, {} history series", history.len());
    bench(
        "default options",
        &sessions,
        &history,
        &DashboardOptions::default(),
        runs,
    )?;
    let all = DashboardOptions {
        session_pages: None,
        ..DashboardOptions::default()
    };
    bench("a page for every session", &sessions, &history, &all, runs)?;
    Ok(())
}
