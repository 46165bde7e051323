//! The team server as a team uses it: the live dashboard open in a real
//! browser while CI pushes, Prometheus scraping `/metrics`, and two
//! servers over one PostgreSQL database taking eight pushers at once.

use crate::util::server::Server;
use crate::util::{pw, stdout, TestDir};
use perfwatch_testkit::cdp::{chromium, Browser};
use perfwatch_testkit::prometheus::{check_metrics, require_promtool, PrometheusServer};
use std::time::Duration;

/// A write token for `dir`'s history.
fn write_token(dir: &TestDir) -> String {
    let out = stdout(
        &pw(dir)
            .args(["token", "create", "--write", "--name", "ci"])
            .assert()
            .success(),
    );
    out.trim().to_string()
}

/// One quick stored session of benchmark `gz`; returns its id.
fn gzip_session(dir: &TestDir, extra: &[&str]) -> String {
    pw(dir)
        .args(["run", "-r", "3", "-n", "gz"])
        .args(extra)
        .args(["--", "gzip", "-c", "/etc/services"])
        .assert()
        .success();
    dir.history().sessions().last().unwrap().0.clone()
}

#[test]
fn a_session_pushed_while_the_dashboard_is_open_appears_without_reload() {
    let Some(chromium) = chromium() else {
        if std::env::var_os("PERFWATCH_SKIP_BROWSER").is_none() {
            panic!("chromium is not installed (apt-get install chromium)");
        }
        return;
    };
    let server_dir = TestDir::new();
    let first = gzip_session(&server_dir, &[]);
    let token = write_token(&server_dir);
    let server = Server::start(&server_dir, &["--poll", "0.2"]);
    let url = format!("http://{}", server.addr);

    let mut browser = Browser::launch(&chromium).expect("launch chromium");
    browser.call("Page.enable", serde_json::json!({})).unwrap();
    browser
        .call(
            "Page.navigate",
            serde_json::json!({ "url": format!("{url}/") }),
        )
        .unwrap();
    browser
        .wait_until("document.documentElement?.getAttribute('data-ready') === '1'")
        .unwrap();
    browser
        .wait_until("document.getElementById('live-status')?.getAttribute('data-state') === 'live'")
        .unwrap();
    let short = |id: &str| id[..8].to_string();
    assert_eq!(
        browser
            .eval(&format!(
                "document.body.innerText.includes('{}')",
                short(&first)
            ))
            .unwrap(),
        true
    );
    // A mark on this very document: a reload would lose it.
    browser.eval("window.perfwatchMark = 42").unwrap();

    // CI, elsewhere, measures and pushes.
    let ci = TestDir::new();
    pw(&ci)
        .env("PERFWATCH_TOKEN", &token)
        .args(["run", "-r", "3", "-n", "gz", &format!("--push={url}")])
        .args(["--", "gzip", "-9", "-c", "/etc/services"])
        .assert()
        .success();
    let pushed = ci.history().sessions().last().unwrap().0.clone();
    browser
        .wait_until(&format!(
            "document.body.innerText.includes('{}') && window.perfwatchMark === 42",
            short(&pushed)
        ))
        .unwrap_or_else(|e| panic!("the pushed session never showed: {e}"));
    // Its row links to its page on the server, which renders.
    let link: String = browser
        .eval(&format!(
            "Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href')).find(h => h && h.includes('{pushed}'))"
        ))
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(link, format!("/ui/sessions/{pushed}"));
    let page = server.request("GET", &link, None, None);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("gzip -9 -c /etc/services"));
}

#[test]
fn prometheus_scrapes_perfwatch_serve_and_reads_back_the_latest_median() {
    let dir = TestDir::new();
    let id = gzip_session(&dir, &[]);
    let server = Server::start(&dir, &[]);
    // promtool accepts what a plain client gets.
    let exposition = server.request("GET", "/metrics", None, None);
    assert_eq!(exposition.status, 200);
    if let Some(promtool) = require_promtool() {
        check_metrics(&promtool, &exposition.text()).unwrap();
    }
    let Some(prometheus) = PrometheusServer::require(&[server.addr]) else {
        return;
    };
    let query =
        r#"perfwatch_latest_median_seconds{benchmark="gz",variant="default",metric="wall_s"}"#;
    let samples = prometheus
        .query_until_found(query, Duration::from_secs(60))
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(
        &pw(&dir)
            .args(["report", &id, "--format", "json"])
            .assert()
            .success(),
    ))
    .unwrap();
    let median = report["variants"][0]["summary"]["wall_s"]["median"]
        .as_f64()
        .unwrap();
    assert_eq!(samples.len(), 1);
    assert!(
        (samples[0].value - median).abs() <= median * 1e-12,
        "{} vs {median}",
        samples[0].value
    );
    // Requests are counted by route template, and Prometheus sees them.
    server.get("/sessions/latest");
    let counted = prometheus
        .query_until_found(
            r#"perfwatch_api_requests_total{route="/api/v1/sessions/{id}",method="GET",status="200"}"#,
            Duration::from_secs(60),
        )
        .unwrap();
    assert!(counted[0].value >= 1.0);
}
