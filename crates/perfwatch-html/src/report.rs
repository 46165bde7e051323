//! `render_report`: one page holding a view per session and a comparison
//! view wherever a session has comparisons.

use crate::compare_view::{compare_anchor, compare_section};
use crate::options::HtmlOptions;
use crate::page::page;
use crate::payload::{PagePayload, SessionPayload};
use crate::session_view::{session_anchor, session_section};
use maud::{html, Markup};
use perfwatch_model::{short_id, SessionExport};
use std::io::{self, Write};

/// Write one self-contained HTML page for `sessions` to `out`.
///
/// The page has a view per session (headline figures, distributions, wall
/// time per iteration, stage breakdown, resource timeline, findings) and a
/// comparison view for each session with comparisons. It opens offline and
/// makes no network request.
pub fn render_report(
    sessions: &[SessionExport],
    opts: &HtmlOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| default_title(sessions));
    let payload = PagePayload {
        sessions: sessions.iter().map(SessionPayload::new).collect(),
        history: Vec::new(),
    };
    let html = page(&title, body(sessions, opts), &payload)?;
    out.write_all(html.as_bytes())?;
    out.flush()
}

/// The title of a page about `sessions` when none is given.
pub(crate) fn default_title(sessions: &[SessionExport]) -> String {
    let mut names: Vec<&str> = sessions
        .iter()
        .map(|s| s.session.benchmark.as_str())
        .collect();
    names.dedup();
    match names.as_slice() {
        [] => "perfwatch report".to_string(),
        [one] => format!("{one} · perfwatch report"),
        _ => format!("{} sessions · perfwatch report", sessions.len()),
    }
}

fn body(sessions: &[SessionExport], opts: &HtmlOptions) -> Markup {
    let single = sessions.len() == 1;
    html! {
        @if sessions.is_empty() {
            p.hint { "No sessions to show." }
        }
        @if sessions.len() > 1 || sessions.iter().any(|s| !s.comparisons.is_empty()) {
            (contents(sessions))
        }
        @if let (false, Some(h)) = (single, opts.health_score) {
            div.cards { div.card { div.card-title { "Health" } div.big { (h) span.unit { " / 100" } } } }
        }
        @for (i, s) in sessions.iter().enumerate() {
            (session_section(i, s, opts.health_score.filter(|_| single)))
            (compare_section(i, s))
        }
    }
}

fn contents(sessions: &[SessionExport]) -> Markup {
    html! {
        nav.contents {
            span.label { "Contents" }
            ul {
                @for (i, s) in sessions.iter().enumerate() {
                    li {
                        a href=(format!("#{}", session_anchor(i))) {
                            (s.session.benchmark) " · " code { (short_id(&s.session.id)) }
                        }
                        @if !s.comparisons.is_empty() {
                            " · " a href=(format!("#{}", compare_anchor(i))) { "comparison" }
                        }
                    }
                }
            }
        }
    }
}
