//! Regression alerts on monitored pipelines: runs sent as OTLP traces to
//! `perfwatch serve`, a stage slowed 40 % in the last 8 of 30 runs opens
//! exactly one alert for that stage, severity medium, naming the version
//! of the first slow run; the stage back to its speed resolves it; noise
//! alone opens none. A pipeline's runs are one series across versions:
//! its history shows each version's session, and a change point names
//! the version where it began.

use crate::util::server::Server;
use crate::util::TestServer;
use crate::util::{pw, stdout, TestDir};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn write_token(dir: &TestDir) -> String {
    let out = pw(dir)
        .args(["token", "create", "--write", "--name", "job"])
        .assert()
        .success();
    stdout(&out).trim().to_string()
}

/// A deterministic jitter in [-5 %, +5 %].
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let unit = (self.0 >> 11) as f64 / (1u64 << 53) as f64;
        1.0 + (unit - 0.5) * 0.1
    }
}

/// One run as an OTLP JSON trace: root `video` with stages `a` (20 ms)
/// and `b` (30 ms × `slow_b`), jittered.
fn trace(run: u64, version: &str, slow_b: f64, jitter: &mut Jitter) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let t0 = u64::try_from(now.as_nanos()).unwrap() - 3_600_000_000_000 + run * 1_000_000_000;
    let a = (20e6 * jitter.next()) as u64;
    let b = (30e6 * slow_b * jitter.next()) as u64;
    let trace_id = format!("{:032x}", run + 1);
    let span = |id: u64, parent: Option<u64>, name: &str, start: u64, end: u64| {
        let parent = parent.map_or(String::new(), |p| format!(r#","parentSpanId":"{p:016x}""#));
        format!(
            r#"{{"traceId":"{trace_id}","spanId":"{id:016x}"{parent},"name":"{name}","startTimeUnixNano":"{start}","endTimeUnixNano":"{end}"}}"#
        )
    };
    let spans = [
        span(run * 10 + 1, None, "video", t0, t0 + a + b),
        span(run * 10 + 2, Some(run * 10 + 1), "a", t0, t0 + a),
        span(run * 10 + 3, Some(run * 10 + 1), "b", t0 + a, t0 + a + b),
    ];
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[
            {{"key":"service.name","value":{{"stringValue":"shorts"}}}},
            {{"key":"service.version","value":{{"stringValue":"{version}"}}}}]}},
          "scopeSpans":[{{"spans":[{}]}}]}}]}}"#,
        spans.join(",")
    )
}

fn send(server: &Server, token: &str, runs: impl IntoIterator<Item = String>) -> u64 {
    let mut n = 0;
    for body in runs {
        let reply = server.request("POST", "/v1/traces", Some(token), Some(body.as_bytes()));
        assert_eq!(reply.status, 200, "{}", reply.text());
        n += 1;
    }
    n
}

fn stored(server: &Server, runs: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = server.request("GET", "/v1/status", None, None).json();
        if status["runs_stored"] == runs {
            return;
        }
        assert!(Instant::now() < deadline, "runs not stored: {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The webhook messages received, once `until` holds of them (10 s at
/// most); with `quiet`, again after two more alert passes, to see that
/// no more come.
fn webhook_messages(
    hook: &TestServer,
    quiet: bool,
    until: impl Fn(&[serde_json::Value]) -> bool,
) -> Vec<serde_json::Value> {
    let bodies = || -> Vec<serde_json::Value> {
        hook.requests().into_iter().filter_map(|r| r.body).collect()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !until(&bodies()) {
        assert!(Instant::now() < deadline, "webhook got: {:#?}", bodies());
        std::thread::sleep(Duration::from_millis(50));
    }
    if quiet {
        std::thread::sleep(Duration::from_millis(2_200));
    }
    bodies()
}

fn ids(messages: &[serde_json::Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn alerts(server: &Server) -> Vec<serde_json::Value> {
    let reply = server.request("GET", "/api/v1/alerts", None, None);
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_stage_slowed_40_percent_opens_one_medium_alert_and_resolves_when_restored() {
    let dir = TestDir::new();
    let token = write_token(&dir);
    // The webhook is down at first: the open message is retried.
    let hook = TestServer::start("unused");
    hook.answer_with(Some(503));
    let hook_url = format!("{}/hooks/T0/secret", hook.url());
    let server = Server::start(&dir, &["--monitor-settle", "0.1", "--webhook", &hook_url]);
    let mut jitter = Jitter(7);
    let mut sent = send(
        &server,
        &token,
        (0..22).map(|i| trace(i, "v1", 1.0, &mut jitter)),
    );
    sent += send(
        &server,
        &token,
        (22..30).map(|i| trace(i, "v2", 1.4, &mut jitter)),
    );
    stored(&server, sent);
    let open = alerts(&server);
    assert_eq!(open.len(), 1, "{open:#?}");
    let alert = &open[0];
    assert_eq!(alert["pipeline"], "shorts/video", "{alert:#}");
    assert_eq!(alert["stage"], "video/b", "{alert:#}");
    assert_eq!(alert["severity"], "medium", "{alert:#}");
    assert_eq!(alert["first"]["version"], "v2", "{alert:#}");
    assert_eq!(alert["first"]["index"], 0, "{alert:#}");
    assert_eq!(alert["state"], "open", "{alert:#}");
    let id = alert["id"].clone();
    let open_id = format!("{}:open", id.as_str().unwrap());

    // Delivered: refused (503), retried after its back-off until
    // accepted, then never again.
    let refused = webhook_messages(&hook, false, |m| !m.is_empty()).len();
    hook.answer_with(Some(200));
    let got = webhook_messages(&hook, true, |m| m.len() > refused);
    assert_eq!(got.len(), refused + 1, "{:?}", ids(&got));
    assert!(ids(&got).iter().all(|i| *i == open_id), "{:?}", ids(&got));
    let text = got[refused]["text"].as_str().unwrap();
    assert!(
        text.starts_with("[perfwatch] ALERT shorts/video: stage `video/b` 1.")
            && text.contains("medium; since v2 run 0"),
        "{text}"
    );
    // On /metrics and the dashboard.
    let metrics = server.request("GET", "/metrics", None, None).text();
    assert!(
        metrics.contains(
            r#"perfwatch_alert_active{pipeline="shorts/video",stage="video/b",severity="medium"} 1"#
        ),
        "{metrics}"
    );
    let page = server.request("GET", "/", None, None).text();
    assert!(
        page.contains("<h2>Alerts</h2>") && page.contains("1 open, 0 resolved"),
        "{page}"
    );

    sent += send(
        &server,
        &token,
        (30..42).map(|i| trace(i, "v3", 1.0, &mut jitter)),
    );
    stored(&server, sent);
    let after = alerts(&server);
    assert_eq!(after.len(), 1, "{after:#?}");
    assert_eq!(after[0]["id"], id, "the same alert");
    assert_eq!(after[0]["state"], "resolved", "{:#}", after[0]);
    let got = webhook_messages(&hook, true, |m| m.len() > refused + 1);
    let resolved_id = format!("{}:resolved", id.as_str().unwrap());
    assert_eq!(got.len(), refused + 2, "one resolve: {:?}", ids(&got));
    assert_eq!(ids(&got)[refused + 1], resolved_id);
    assert!(got[refused + 1]["text"]
        .as_str()
        .unwrap()
        .contains("RESOLVED"));
    let metrics = server.request("GET", "/metrics", None, None).text();
    assert!(!metrics.contains("perfwatch_alert_active{"), "{metrics}");
}

#[test]
fn noise_alone_opens_no_alert() {
    let dir = TestDir::new();
    let token = write_token(&dir);
    let server = Server::start(&dir, &["--monitor-settle", "0.1"]);
    let mut jitter = Jitter(11);
    let sent = send(
        &server,
        &token,
        (0..30).map(|i| trace(i, "v1", 1.0, &mut jitter)),
    );
    stored(&server, sent);
    assert!(alerts(&server).is_empty());
}

#[test]
fn a_monitored_stage_is_one_series_across_versions_and_its_change_point_names_the_version() {
    let dir = TestDir::new();
    let token = write_token(&dir);
    let server = Server::start(&dir, &["--monitor-settle", "0.1"]);
    let mut jitter = Jitter(3);
    // Twelve versions of four runs each; stage b 40 % slower from 1.7 on.
    let runs = (0..48).map(|i| {
        let minor = i / 4 + 1;
        let slow = if minor >= 7 { 1.4 } else { 1.0 };
        trace(i, &format!("1.{minor}"), slow, &mut jitter)
    });
    let sent = send(&server, &token, runs.collect::<Vec<_>>());
    stored(&server, sent);

    let out = pw(&dir)
        .args(["history", "shorts/video", "--metric", "stage:video/b"])
        .assert()
        .success();
    let text = stdout(&out);
    assert!(
        text.contains("shorts/video · runs · stage:video/b (12 sessions)"),
        "{text}"
    );
    assert!(text.contains("version") && text.contains("1.12"), "{text}");

    let out = pw(&dir)
        .args([
            "detect",
            "shorts/video",
            "--metric",
            "stage:video/b",
            "--window",
            "6",
            "--format",
            "json",
        ])
        .assert()
        .success();
    let found: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cps = found.to_string();
    assert!(cps.contains(r#""version":"1.7""#), "{found:#}");
    assert!(cps.contains(r#""direction":"regression""#), "{found:#}");
}

#[test]
fn stage_budgets_from_perfwatch_toml_open_over_budget_alerts() {
    let dir = TestDir::new();
    let token = write_token(&dir);
    std::fs::write(
        dir.path().join("perfwatch.toml"),
        "[monitor.\"shorts/video\".stage.b]\np50_s = 0.02\n",
    )
    .unwrap();
    let server = Server::start(&dir, &["--monitor-settle", "0.1"]);
    let mut jitter = Jitter(5);
    let sent = send(
        &server,
        &token,
        (0..10).map(|i| trace(i, "v1", 1.0, &mut jitter)),
    );
    stored(&server, sent);
    let open = alerts(&server);
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0]["stage"], "video/b");
    assert_eq!(open[0]["kind"], "over_budget", "{:#}", open[0]);
    assert_eq!(open[0]["what"], "duration", "{:#}", open[0]);
    assert_eq!(open[0]["limit"], 0.02);
    // A monitor table perfwatch cannot read stops the server at once.
    for (toml, needle) in [
        ("[monitor.\"shorts/video\"]\nwindow = 1\n", "window"),
        ("[monitor.\"shorts/video\"]\nbaseline = \"nope\"\n", "nope"),
        ("[monitor.\"shorts/video\".stage.b]\np50 = 3\n", "p50"),
    ] {
        std::fs::write(dir.path().join("perfwatch.toml"), toml).unwrap();
        let out = pw(&dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            err.contains(needle) && err.contains("perfwatch.toml"),
            "{err}"
        );
    }
}
