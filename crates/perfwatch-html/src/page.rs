//! The page skeleton shared by reports, the dashboard index and session
//! pages: head with the security policy, inlined assets, the data island.

use crate::assets::{
    LIVE_JS, REPORT_CSS, REPORT_JS, UPLOT_CSS, UPLOT_JS, UPLOT_LICENSE, UPLOT_VERSION,
};
use crate::escape::json_for_script;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Serialize;
use std::io;

/// The Content-Security-Policy of every page: nothing may be fetched, only
/// the inlined scripts and styles run, images only from `data:` URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
     style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// The policy of a live page served by `perfwatch serve`: the same, but
/// requests to its own origin are allowed (the event stream, and fetching
/// the page again).
pub const LIVE_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; connect-src 'self'; \
     script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; \
     form-action 'none'";

/// Render a whole page: `body` goes into `<main>`, `data` into the JSON
/// data island the script reads.
pub(crate) fn page<T: Serialize>(title: &str, body: Markup, data: &T) -> io::Result<String> {
    page_with(title, body, data, None)
}

/// [`page`], live when `events` names the server's event stream: the
/// policy allows same-origin requests, the header shows the live state,
/// and the live script follows the stream.
pub(crate) fn page_with<T: Serialize>(
    title: &str,
    body: Markup,
    data: &T,
    events: Option<&str>,
) -> io::Result<String> {
    let json = json_for_script(data).map_err(io::Error::other)?;
    let policy = if events.is_some() {
        LIVE_CONTENT_SECURITY_POLICY
    } else {
        CONTENT_SECURITY_POLICY
    };
    let license = format!("/*! uPlot v{UPLOT_VERSION}\n{UPLOT_LICENSE}*/\n");
    Ok(html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(policy);
                meta name="referrer" content="no-referrer";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content="perfwatch";
                link rel="icon" href="data:,";
                title { (title) }
                style { (PreEscaped(UPLOT_CSS)) }
                style { (PreEscaped(REPORT_CSS)) }
            }
            body {
                header.topbar {
                    span.brand { "perfwatch" }
                    h1 { (title) }
                    @if events.is_some() {
                        span #live-status data-state="connecting" { "connecting…" }
                    }
                    button #theme-toggle type="button" title="Switch between automatic, light and dark theme" {
                        "Theme: auto"
                    }
                }
                main { (body) }
                footer {
                    @if events.is_some() {
                        "Live perfwatch page served by perfwatch serve: updated as sessions arrive, charts by uPlot (MIT)."
                    } @else {
                        "Self-contained perfwatch page: no network access, charts by uPlot (MIT)."
                    }
                }
                script type="application/json" id="perfwatch-data" { (PreEscaped(json)) }
                script { (PreEscaped(license)) (PreEscaped(UPLOT_JS)) }
                script { (PreEscaped(REPORT_JS)) }
                @if let Some(url) = events {
                    script data-events=(url) { (PreEscaped(LIVE_JS)) }
                }
            }
        }
    }
    .into_string())
}
