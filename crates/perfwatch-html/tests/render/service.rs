//! Service benchmarks on the page: a "Service" panel with a row per
//! service variant, its failures listed, the latency percentiles drawn,
//! the closed model's caveat, and variant names escaped.

use super::assert_offline;
use crate::service_fixture;
use perfwatch_html::{render_report, HtmlOptions};
use perfwatch_model::SessionExport;

fn report(s: SessionExport) -> String {
    let mut out = Vec::new();
    render_report(&[s], &HtmlOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The service panel of the page: from its opening tag to the next panel
/// or the end of the session.
fn service_panel(html: &str) -> &str {
    let start = html
        .find("<div class=\"panel service\">")
        .expect("a service panel");
    let panel = &html[start..];
    let end = ["<div class=\"panel", "</section>"]
        .iter()
        .filter_map(|tag| panel[1..].find(tag).map(|e| e + 1))
        .min()
        .unwrap();
    &panel[..end]
}

#[test]
fn service_panel_has_a_row_per_variant_and_the_caveat() {
    let html = report(service_fixture::export());
    assert_offline(&html);
    let panel = service_panel(&html);
    assert!(panel.contains("<h3>Service</h3>"), "{panel}");
    assert_eq!(panel.matches("<tr>").count(), 4, "header and three rows");
    for cell in [
        "<td>baseline</td><td>open</td>",
        "<td class=\"num\" data-v=\"0.182\">182 ms</td>",
        "<td class=\"num\" data-v=\"0.0098\">9.80 ms</td>",
        "<td>closed-8</td><td>closed</td>",
        ">2432/s</td>",
        ">12 / 43</td>",
    ] {
        assert!(panel.contains(cell), "{cell} missing: {panel}");
    }
    // What went wrong, listed for the variant it happened to.
    assert!(
        panel.contains("<li><strong>pooled</strong>: 4xx 3 · 5xx 20 · other 1 · 10 timeouts · 2 connect errors · 1 transport error · killed after the stop timeout in 2 runs</li>"),
        "{panel}"
    );
    assert_eq!(panel.matches("<li>").count(), 1, "{panel}");
    // The percentiles drawn: a line per variant, a point per percentile.
    assert_eq!(panel.matches("<polyline").count(), 3, "{panel}");
    assert_eq!(panel.matches("<circle").count(), 15, "{panel}");
    assert!(
        panel.contains("<title>pooled · max 1.93 s</title>"),
        "{panel}"
    );
    assert!(
        panel.contains(
            "<p class=\"caveat\"><strong>Caveat</strong> (closed-8): closed model: latency counts from each actual send, so stalls are under-counted (coordinated omission); the open model (<code>rate</code>) measures what users wait.</p>"
        ),
        "{panel}"
    );
}

#[test]
fn service_cards_lead_with_latency_not_wall_time() {
    let html = report(service_fixture::export());
    let cards = &html[html.find("<div class=\"cards\">").unwrap()..];
    let cards = &cards[..cards.find("<div class=\"panel").unwrap()];
    assert!(
        cards.contains("<div class=\"big\" title=\"latency p99 of all requests\">87.3 ms<span class=\"unit\"> p99</span></div>"),
        "{cards}"
    );
    assert!(!cards.contains("median wall time"), "{cards}");
}

#[test]
fn service_variant_names_are_escaped() {
    let mut s = service_fixture::export();
    s.variants[2].name = "<script>alert(1)</script>".into();
    s.session.variants[2].name = s.variants[2].name.clone();
    let html = report(s);
    assert!(!html.contains("<script>alert(1)"), "an injected script");
    let panel = service_panel(&html);
    assert!(
        panel.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>closed</td>"),
        "{panel}"
    );
    assert!(
        panel.contains("(&lt;script&gt;alert(1)&lt;/script&gt;): closed model"),
        "{panel}"
    );
    assert!(
        panel.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; · p50 3.12 ms</title>"),
        "{panel}"
    );
    // The three script elements of the skeleton, none injected.
    assert_eq!(html.matches("<script").count(), 3);
}

#[test]
fn no_service_no_panel() {
    let html = report(crate::fixture::fixture_session());
    assert!(!html.contains("panel service"));
}
