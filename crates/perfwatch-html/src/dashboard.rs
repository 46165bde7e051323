//! `render_dashboard`: an index page with the history trends and the list
//! of sessions, and one self-contained page per session.
//!
//! The index charts, per benchmark and variant, wall time and the few
//! stages that moved differently (see `history_pick`). It carries only
//! summarised data (the charted history points and one row per session),
//! so it stays small for thousands of sessions; iterations and
//! timelines live in the session pages. Every page inlines the chart
//! library, so only a bounded number of sessions get one (the newest, and
//! those where a change point or a baseline lies): 1,000 sessions make a
//! dashboard of a few MiB rather than a hundred.

use crate::alerts_view::{alerts_section, AlertRow};
use crate::compare_view::compare_section;
use crate::history_pick::pick;
use crate::history_view::{history_section, session_list};
use crate::options::DashboardOptions;
use crate::page::{page, page_with};
use crate::payload::{HistoryPayload, PagePayload, SessionPayload};
use crate::report::default_title;
use crate::session_view::session_section;
use maud::html;
use perfwatch_model::HistorySeries;
use perfwatch_model::SessionExport;
use std::collections::HashSet;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Directory under the output directory holding the session pages.
const SESSIONS_DIR: &str = "sessions";

/// Write the dashboard into `out_dir` (created if missing) with the default
/// [`DashboardOptions`]: `index.html` and `sessions/<id>.html` for the
/// newest sessions and those where something changed. Returns the path of
/// `index.html`.
pub fn render_dashboard(
    sessions: &[SessionExport],
    history: &[HistorySeries],
    out_dir: &Path,
) -> io::Result<PathBuf> {
    render_dashboard_with(sessions, history, &DashboardOptions::default(), out_dir)
}

/// [`render_dashboard`] with options: the index title and how many
/// sessions get a page of their own.
pub fn render_dashboard_with(
    sessions: &[SessionExport],
    history: &[HistorySeries],
    opts: &DashboardOptions,
    out_dir: &Path,
) -> io::Result<PathBuf> {
    let pages_dir = out_dir.join(SESSIONS_DIR);
    fs::create_dir_all(&pages_dir)?;
    let chosen = with_pages(sessions, history, opts.session_pages);
    let mut used = HashSet::new();
    let mut links = Vec::with_capacity(sessions.len());
    for (s, &page) in sessions.iter().zip(&chosen) {
        if !page {
            links.push(None);
            continue;
        }
        let stem = session_file_name(&s.session.id);
        let stem = stem.trim_end_matches(".html");
        let mut name = format!("{stem}.html");
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{stem}-{n}.html");
            n += 1;
        }
        write_file(&pages_dir.join(&name), &session_page(s)?)?;
        links.push(Some(format!("{SESSIONS_DIR}/{name}")));
    }
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| "perfwatch dashboard".to_string());
    let html = index_page(sessions, history, &links, &[], &title, None)?;
    let index = out_dir.join("index.html");
    write_file(&index, &html)?;
    Ok(index)
}

/// The dashboard index as `perfwatch serve` shows it: the page `dashboard`
/// writes, its sessions linked to `links` (one per session, `None` for no
/// page), and live: it follows the event stream at `events` and swaps in
/// its newer content when a session arrives.
pub fn render_live_dashboard(
    sessions: &[SessionExport],
    history: &[HistorySeries],
    links: &[Option<String>],
    alerts: &[AlertRow],
    title: &str,
    events: &str,
) -> io::Result<String> {
    index_page(sessions, history, links, alerts, title, Some(events))
}

/// One session's page as `perfwatch serve` shows it, with a link back to
/// `back` (the dashboard).
pub fn render_session_page(s: &SessionExport, back: &str) -> io::Result<String> {
    session_page_with(s, back)
}

/// The index: history trends and the list of sessions.
fn index_page(
    sessions: &[SessionExport],
    history: &[HistorySeries],
    links: &[Option<String>],
    alerts: &[AlertRow],
    title: &str,
    events: Option<&str>,
) -> io::Result<String> {
    let picked = pick(history);
    let payload = PagePayload {
        sessions: Vec::new(),
        history: picked
            .charted
            .iter()
            .map(|&i| HistoryPayload::new(&history[i]))
            .collect(),
    };
    let body = html! {
        @if events.is_some() { (running_now()) }
        (alerts_section(alerts))
        (history_section(history, &picked))
        (session_list(sessions, links))
    };
    page_with(title, body, &payload, events)
}

/// Where the live page reads the runs in progress (`perfwatch serve`'s
/// `GET /api/v1/live/runs`).
pub const LIVE_RUNS_API: &str = "/api/v1/live/runs";

/// The live page's "Running now" panel: filled and kept current by the
/// live script from [`LIVE_RUNS_API`] and the `live` events of the
/// stream, with text nodes only (never markup from the data).
fn running_now() -> maud::Markup {
    html! {
        section #running-now data-runs=(LIVE_RUNS_API) {
            h2 { "Running now" }
            p #running-now-empty .muted { "No run in progress." }
            div #running-now-list {}
        }
    }
}

/// Which sessions get a page: the `newest` most recent ones (all when
/// `None`), plus those at a change point or used as a baseline.
fn with_pages(
    sessions: &[SessionExport],
    history: &[HistorySeries],
    newest: Option<usize>,
) -> Vec<bool> {
    let Some(newest) = newest else {
        return vec![true; sessions.len()];
    };
    let mut order: Vec<usize> = (0..sessions.len()).collect();
    order.sort_by(|&a, &b| {
        sessions[b]
            .session
            .started_at
            .cmp(&sessions[a].session.started_at)
    });
    let mut chosen = vec![false; sessions.len()];
    for &i in order.iter().take(newest) {
        chosen[i] = true;
    }
    let mut notable: HashSet<&str> = HashSet::new();
    for h in history {
        notable.extend(
            h.change_points
                .iter()
                .filter_map(|&i| h.points.get(i))
                .map(|p| p.session_id.as_str()),
        );
        notable.extend(h.baseline_session.as_deref());
    }
    for (i, s) in sessions.iter().enumerate() {
        if notable.contains(s.session.id.as_str()) {
            chosen[i] = true;
        }
    }
    chosen
}

/// The file name of a session's page: its id with anything but ASCII
/// letters, digits, `-` and `_` replaced by `_`, plus `.html`.
pub fn session_file_name(id: &str) -> String {
    let mut safe: String = id
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        safe.push_str("session");
    }
    safe + ".html"
}

fn session_page(s: &SessionExport) -> io::Result<String> {
    session_page_with(s, "../index.html")
}

/// A session's page linking back to `back` (not live: a stored session
/// does not change).
fn session_page_with(s: &SessionExport, back: &str) -> io::Result<String> {
    let one = std::slice::from_ref(s);
    let payload = PagePayload {
        sessions: vec![SessionPayload::new(s)],
        history: Vec::new(),
    };
    let body = html! {
        nav.contents { a href=(back) { "← dashboard" } }
        (session_section(0, s, None))
        (compare_section(0, s))
    };
    page(&default_title(one), body, &payload)
}

fn write_file(path: &Path, text: &str) -> io::Result<()> {
    let mut w = BufWriter::new(fs::File::create(path)?);
    w.write_all(text.as_bytes())?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        for (id, want) in [
            ("0a1b2c", "0a1b2c.html"),
            ("../../etc/passwd", "______etc_passwd.html"),
            ("", "session.html"),
            ("a b<c>", "a_b_c_.html"),
        ] {
            assert_eq!(session_file_name(id), want);
        }
    }
}
