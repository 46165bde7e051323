use super::*;
use perfwatch_model::Severity;
use perfwatch_store::SqliteStore;
use std::collections::HashMap;
use std::sync::Mutex;

/// Answers from a script (then 200), and remembers what it was sent.
#[derive(Default)]
struct Scripted {
    answers: Mutex<Vec<PostOutcome>>,
    sent: Mutex<Vec<serde_json::Value>>,
}

impl Scripted {
    fn answering(answers: Vec<PostOutcome>) -> Scripted {
        Scripted {
            answers: Mutex::new(answers.into_iter().rev().collect()),
            sent: Mutex::default(),
        }
    }

    fn sent_ids(&self) -> Vec<String> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect()
    }
}

impl Poster for Scripted {
    fn post(&self, _url: &str, body: &[u8]) -> PostOutcome {
        self.sent
            .lock()
            .unwrap()
            .push(serde_json::from_slice(body).unwrap());
        self.answers.lock().unwrap().pop().unwrap_or(Ok(200))
    }
}

fn run(version: &str, index: u32, minute: u32) -> RunRef {
    RunRef {
        session_id: "s".into(),
        index,
        version: version.into(),
        started_at: format!("2026-12-06T10:{minute:02}:00.000Z"),
    }
}

fn alert(id: &str, resolved: bool) -> Alert {
    Alert {
        id: id.into(),
        pipeline: "shorts/video".into(),
        stage: "video/<asr>".into(),
        kind: AlertKind::Slower,
        severity: Severity::Medium,
        ratio: 1.4,
        ci_low: 1.38,
        ci_high: 1.42,
        p_value: Some(1e-4),
        baseline: None,
        limit: None,
        observed: 0.042,
        recent_p50_s: 0.042,
        first: run("1.1", 0, 1),
        opened: run("1.1", 7, 8),
        state: if resolved {
            AlertState::Resolved {
                at: run("1.2", 4, 20),
            }
        } else {
            AlertState::Open
        },
        runs_checked: 12,
    }
}

fn t(s: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap() + Duration::from_secs(s)
}

fn hook() -> Webhook {
    Webhook::new("http://127.0.0.1:9/hooks/T000/SECRET").unwrap()
}

/// One delivery pass of [`hook`] over `alerts`, none withdrawn.
fn pass(
    store: &dyn Store,
    alerts: &[Alert],
    poster: &dyn Poster,
    policy: &RetryPolicy,
    at: OffsetDateTime,
) -> PassCounts {
    deliver(store, &hook(), alerts, &HashMap::new(), poster, policy, at).unwrap()
}

#[test]
fn a_new_webhook_skips_the_events_before_it_then_gets_each_new_one_once() {
    let store = SqliteStore::open_in_memory().unwrap();
    let policy = RetryPolicy::default();
    let poster = Scripted::default();
    let old = alert("old", true);
    let first = pass(&store, std::slice::from_ref(&old), &poster, &policy, t(0));
    assert_eq!(first.skipped, 2, "{first:?}");
    assert!(poster.sent_ids().is_empty());

    let new = alert("new", false);
    let alerts = vec![old.clone(), new.clone()];
    let second = pass(&store, &alerts, &poster, &policy, t(1));
    assert_eq!(second.delivered, 1, "{second:?}");
    assert_eq!(poster.sent_ids(), ["new:open"]);
    // Passes with nothing new send nothing.
    for s in 2..5 {
        pass(&store, &alerts, &poster, &policy, t(s));
    }
    assert_eq!(poster.sent_ids(), ["new:open"]);

    let resolved = vec![old, alert("new", true)];
    pass(&store, &resolved, &poster, &policy, t(9));
    pass(&store, &resolved, &poster, &policy, t(10));
    assert_eq!(poster.sent_ids(), ["new:open", "new:resolved"]);
    let sent = poster.sent.lock().unwrap();
    let text = sent[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("[perfwatch] ALERT shorts/video: stage `video/&lt;asr&gt;` 1.40× slower"),
        "{text}"
    );
    assert!(
        text.contains("medium") && text.contains("since 1.1 run 0"),
        "{text}"
    );
    let text = sent[1]["text"].as_str().unwrap();
    assert!(
        text.starts_with(
            "[perfwatch] RESOLVED shorts/video: stage `video/&lt;asr&gt;` is back to normal at 1.2 run 4 (was up to 1.40× slower, medium, since 1.1 run 0)"
        ),
        "{text}"
    );
    assert_eq!(sent[1]["alert"]["state"], "resolved");
}

#[test]
fn a_failing_webhook_is_retried_with_back_off_until_it_answers() {
    let store = SqliteStore::open_in_memory().unwrap();
    let policy = RetryPolicy::default();
    let poster = Scripted::answering(vec![Err("connection refused".into()), Ok(503), Ok(204)]);
    pass(&store, &[], &poster, &policy, t(0));
    let alerts = [alert("a", false)];
    let c = pass(&store, &alerts, &poster, &policy, t(10));
    assert_eq!(c.retrying, 1);
    // Back-off of 1 s after the first failure: not before.
    pass(&store, &alerts, &poster, &policy, t(10));
    assert_eq!(poster.sent_ids().len(), 1, "too early");
    let c = pass(&store, &alerts, &poster, &policy, t(11));
    assert_eq!(c.retrying, 1, "503 is a failure");
    // 2 s after the second.
    pass(&store, &alerts, &poster, &policy, t(12));
    assert_eq!(poster.sent_ids().len(), 2, "too early");
    let c = pass(&store, &alerts, &poster, &policy, t(13));
    assert_eq!(c.delivered, 1);
    pass(&store, &alerts, &poster, &policy, t(100));
    assert_eq!(poster.sent_ids(), ["a:open", "a:open", "a:open"]);
    let rows = store.deliveries(hook().key()).unwrap();
    let row = rows.iter().find(|d| d.alert_id == "a").unwrap();
    assert_eq!(
        (row.state, row.attempts, row.last_error.as_deref()),
        (DeliveryState::Delivered, 3, None)
    );
}

#[test]
fn a_webhook_that_never_answers_is_given_up_after_the_last_attempt() {
    let store = SqliteStore::open_in_memory().unwrap();
    let policy = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    let poster = Scripted::answering(vec![Ok(500); 10]);
    pass(&store, &[], &poster, &policy, t(0));
    let alerts = [alert("a", false)];
    for s in (10..2_000).step_by(7) {
        pass(&store, &alerts, &poster, &policy, t(s));
    }
    assert_eq!(poster.sent_ids().len(), 3);
    let rows = store.deliveries(hook().key()).unwrap();
    let row = rows.iter().find(|d| d.alert_id == "a").unwrap();
    assert_eq!(row.state, DeliveryState::Failed);
    assert_eq!(
        row.last_error.as_deref(),
        Some("the webhook answered HTTP 500")
    );
}

#[test]
fn two_servers_over_one_database_send_each_event_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let (a, b) = (
        SqliteStore::open(&path).unwrap(),
        SqliteStore::open(&path).unwrap(),
    );
    let policy = RetryPolicy::default();
    let poster = Scripted::default();
    pass(&a, &[], &poster, &policy, t(0));
    let alerts = [alert("x", true), alert("y", false)];
    std::thread::scope(|s| {
        for store in [&a, &b] {
            let (poster, alerts) = (&poster, &alerts);
            s.spawn(move || {
                for i in 0..5 {
                    pass(store, alerts, poster, &policy, t(1 + i));
                }
            });
        }
    });
    let mut ids = poster.sent_ids();
    ids.sort();
    assert_eq!(ids, ["x:open", "x:resolved", "y:open"]);
}

#[test]
fn a_claim_whose_server_died_is_taken_over_after_its_lease() {
    let store = SqliteStore::open_in_memory().unwrap();
    let policy = RetryPolicy::default();
    let poster = Scripted::default();
    pass(&store, &[], &poster, &policy, t(0));
    // A server claimed the event and died before sending.
    let claim = Delivery {
        webhook: hook().key().into(),
        alert_id: "a".into(),
        event: "open".into(),
        state: DeliveryState::Pending,
        attempts: 1,
        next_at: Some(at(t(1) + policy.lease)),
        last_error: None,
        updated_at: at(t(1)),
    };
    assert!(store.claim_delivery(&claim).unwrap());
    let alerts = [alert("a", false)];
    pass(&store, &alerts, &poster, &policy, t(30));
    assert!(poster.sent_ids().is_empty(), "the lease holds");
    pass(&store, &alerts, &poster, &policy, t(62));
    assert_eq!(poster.sent_ids(), ["a:open"]);
}

#[test]
fn back_off_doubles_up_to_its_cap() {
    let p = RetryPolicy::default();
    let waits: Vec<u64> = (1..=11).map(|n| p.backoff(n).as_secs()).collect();
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    assert_eq!(p.backoff(u32::MAX), p.max_backoff);
}

#[test]
fn webhook_urls_are_checked_and_their_secrets_kept_out_of_messages() {
    assert!(Webhook::new("ftp://x/y").is_err());
    assert!(Webhook::new("http://").is_err());
    assert!(Webhook::new("https:///path").is_err());
    let h = hook();
    assert_eq!(h.redacted(), "http://127.0.0.1:9/…");
    assert_eq!(h.key().len(), 32);
    assert!(!h.key().contains("SECRET"));
    assert_eq!(Webhook::new("http://h:1").unwrap().redacted(), "http://h:1");
}

#[test]
fn an_announced_alert_that_leaves_the_list_is_resolved_as_withdrawn_once() {
    let store = SqliteStore::open_in_memory().unwrap();
    let policy = RetryPolicy::default();
    let poster = Scripted::default();
    let none = HashMap::new();
    deliver(&store, &hook(), &[], &none, &poster, &policy, t(0)).unwrap();
    // The parent stage's alert opens first, and is announced …
    let parent = Alert {
        stage: "video".into(),
        ..alert("parent", false)
    };
    deliver(
        &store,
        &hook(),
        std::slice::from_ref(&parent),
        &none,
        &poster,
        &policy,
        t(1),
    )
    .unwrap();
    // … then its sub-stage's alert explains it: the parent leaves the list.
    let earlier = HashMap::from([(parent.id.clone(), parent)]);
    let child = [alert("child", false)];
    for s in 2..6 {
        deliver(&store, &hook(), &child, &earlier, &poster, &policy, t(s)).unwrap();
    }
    assert_eq!(
        poster.sent_ids(),
        ["parent:open", "child:open", "parent:resolved"]
    );
    let sent = poster.sent.lock().unwrap();
    let text = sent[2]["text"].as_str().unwrap();
    assert!(
        text.starts_with("[perfwatch] RESOLVED shorts/video: stage `video`: withdrawn"),
        "{text}"
    );
    assert!(sent[2]["withdrawn"].is_string() && sent[2]["alert"]["id"] == "parent");
}

#[test]
fn an_application_metric_alert_says_which_rule_it_breaks() {
    let mut a = alert("m1", false);
    a.stage = "cache_hit_rate".into();
    a.kind = AlertKind::AppMetric {
        op: perfwatch_analysis::app_rule::RuleOp::AtLeast,
    };
    a.limit = Some(0.6);
    a.observed = 0.26;
    a.ratio = 0.6 / 0.26;
    a.severity = Severity::Critical;
    let open = message(&a, AlertEvent::Open).text;
    assert_eq!(
        open,
        "[perfwatch] ALERT shorts/video: metric `cache_hit_rate` breaks &gt;= 0.6: median 0.26 \
         over the last runs (2.31× on the wrong side), critical; since 1.1 run 0 \
         (2026-12-06T10:01:00.000Z)"
    );
    a.state = AlertState::Resolved {
        at: run("1.2", 4, 20),
    };
    let resolved = message(&a, AlertEvent::Resolved).text;
    assert!(
        resolved.starts_with("[perfwatch] RESOLVED shorts/video: metric `cache_hit_rate` is back"),
        "{resolved}"
    );
    assert!(
        resolved.contains("up to 2.31× on the wrong side of &gt;= 0.6"),
        "{resolved}"
    );
}
