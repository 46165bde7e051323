//! The page skeleton shared by reports, the dashboard index and session
//! pages: head with the security policy, inlined assets, the data island.

use crate::assets::{REPORT_CSS, REPORT_JS, UPLOT_CSS, UPLOT_JS, UPLOT_LICENSE, UPLOT_VERSION};
use crate::escape::json_for_script;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Serialize;
use std::io;

/// The Content-Security-Policy of every page: nothing may be fetched, only
/// the inlined scripts and styles run, images only from `data:` URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
     style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// Render a whole page: `body` goes into `<main>`, `data` into the JSON
/// data island the script reads.
pub(crate) fn page<T: Serialize>(title: &str, body: Markup, data: &T) -> io::Result<String> {
    let json = json_for_script(data).map_err(io::Error::other)?;
    let license = format!("/*! uPlot v{UPLOT_VERSION}\n{UPLOT_LICENSE}*/\n");
    Ok(html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CONTENT_SECURITY_POLICY);
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
                    button #theme-toggle type="button" title="Switch between automatic, light and dark theme" {
                        "Theme: auto"
                    }
                }
                main { (body) }
                footer {
                    "Self-contained perfwatch page: no network access, charts by uPlot (MIT)."
                }
                script type="application/json" id="perfwatch-data" { (PreEscaped(json)) }
                script { (PreEscaped(license)) (PreEscaped(UPLOT_JS)) }
                script { (PreEscaped(REPORT_JS)) }
            }
        }
    }
    .into_string())
}
