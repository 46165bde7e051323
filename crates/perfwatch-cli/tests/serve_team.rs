//! The team server as a team uses it: the live dashboard open in a real
//! browser while CI pushes, Prometheus scraping `/metrics`, and two
//! servers over one PostgreSQL database taking eight pushers at once.

use crate::util::server::{write_token, Server};
use crate::util::{pw, stdout, TestDir};
use perfwatch_testkit::cdp::{chromium, Browser};
use perfwatch_testkit::prometheus::{check_metrics, require_promtool, PrometheusServer};
use std::time::Duration;

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

/// A new random session id (32 lowercase hex digits).
fn new_id(n: usize) -> String {
    format!(
        "{:016x}{:016x}",
        0x5ca1e_u64 << 20 | n as u64,
        std::process::id() as u64 * 7919 + n as u64
    )
}

#[test]
fn two_servers_over_one_postgres_take_eight_pushers_at_once_and_lose_nothing() {
    let Some(cluster) = perfwatch_testkit::postgres::require() else {
        return;
    };
    let url = cluster
        .create_database(&format!("scale_{}", std::process::id()))
        .unwrap();
    let dir = TestDir::new();
    let template_id = {
        pw(&dir)
            .args([
                "--db",
                &url,
                "run",
                "-r",
                "3",
                "-n",
                "gz",
                "--",
                "gzip",
                "-c",
                "/etc/services",
            ])
            .assert()
            .success();
        stdout(&pw(&dir).args(["--db", &url, "sessions"]).assert().success())
            .lines()
            .nth(2)
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_string()
    };
    let document: serde_json::Value = serde_json::from_str(&stdout(
        &pw(&dir)
            .args(["--db", &url, "report", &template_id, "--format", "json"])
            .assert()
            .success(),
    ))
    .unwrap();
    let token = stdout(
        &pw(&dir)
            .args(["--db", &url, "token", "create", "--write", "--name", "ci"])
            .assert()
            .success(),
    )
    .trim()
    .to_string();
    let a = Server::start(&dir, &["--db", &url]);
    let b = Server::start(&dir, &["--db", &url]);
    let addrs = [a.addr, b.addr];

    // Eight pushers, a hundred sessions each, alternating servers; each
    // session pushed twice (a retry after a lost answer) must be stored once.
    let pushers: Vec<_> = (0..8)
        .map(|p| {
            let (document, token) = (document.clone(), token.clone());
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                for k in 0..100 {
                    let n = p * 100 + k;
                    let mut doc = document.clone();
                    doc["session"]["id"] = serde_json::Value::String(new_id(n));
                    let body = serde_json::to_vec(&doc).unwrap();
                    for attempt in 0..2 {
                        let addr = addrs[(n + attempt) % 2];
                        let reply = crate::util::server::request(
                            addr,
                            "POST",
                            "/api/v1/sessions",
                            Some(&token),
                            Some(&body),
                        );
                        let expected = if attempt == 0 { 201 } else { 200 };
                        assert_eq!(reply.status, expected, "{}", reply.text());
                    }
                    ids.push(new_id(n));
                }
                ids
            })
        })
        .collect();
    let ids: Vec<String> = pushers
        .into_iter()
        .flat_map(|p| p.join().unwrap())
        .collect();
    assert_eq!(ids.len(), 800);

    // Both servers count all of them, page by page, and give one answer.
    for server in [&a, &b] {
        let mut seen = 0;
        let mut offset = 0;
        loop {
            let page = server
                .get(&format!("/sessions?limit=200&offset={offset}"))
                .json();
            let n = page["sessions"].as_array().map_or(0, Vec::len);
            seen += n;
            match page["next_offset"].as_u64() {
                Some(next) if n > 0 => offset = next,
                _ => break,
            }
        }
        assert_eq!(seen, 801, "server {}", server.addr);
    }
    for id in [&ids[0], &ids[399], &ids[799]] {
        let one = a.get(&format!("/sessions/{id}")).text();
        assert_eq!(one, b.get(&format!("/sessions/{id}")).text(), "{id}");
    }
    let listed = stdout(
        &pw(&dir)
            .args(["--db", &url, "sessions", "--limit", "1000"])
            .assert()
            .success(),
    );
    assert_eq!(listed.lines().filter(|l| l.contains(" gz ")).count(), 801);
}
