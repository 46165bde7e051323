//! Alerts delivered to webhooks: each alert's `open` and `resolved`
//! events POSTed as JSON (with a Slack-compatible `text`) once per
//! webhook, retried with exponential back-off, never sent twice by
//! servers sharing one database.
//!
//! The store's `alert_deliveries` rows are the record: a row is claimed
//! by inserting it (one inserter wins), each retry by bumping its attempt
//! count (one bumper wins), and a claimed attempt carries a lease
//! (`next_at`) after which another server may take it over if the first
//! died mid-send. A webhook hears of the events that happen after it was
//! first configured: at its first pass the events already in the history
//! are recorded as `skipped`; a restarted server catches up on what
//! happened while it was down. Delivery is at least once only where a
//! server dies between the webhook's answer and recording it: the
//! payload's `id` (`ALERT:EVENT`) lets a receiver drop a repeat.

use crate::AppError;
use perfwatch_analysis::app_rule::number;
use perfwatch_analysis::monitor::{Alert, AlertKind, AlertState, BudgetWhat, RunRef};
use perfwatch_model::clock::rfc3339;
use perfwatch_store::{Delivery, DeliveryState, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use time::OffsetDateTime;

/// The row that records when a webhook was first configured.
const CONFIGURED: (&str, &str) = ("*", "configured");

/// A configured webhook.
#[derive(Debug, Clone)]
pub struct Webhook {
    url: String,
    key: String,
}

impl Webhook {
    /// A webhook posting to `url` (`http://` or `https://`).
    ///
    /// # Errors
    ///
    /// A URL of another scheme or without a host.
    pub fn new(url: &str) -> Result<Webhook, AppError> {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .ok_or_else(|| {
                AppError::bad_request(format!(
                    "--webhook `{url}`: expected an http:// or https:// URL"
                ))
            })?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(AppError::bad_request(format!(
                "--webhook `{url}`: the URL names no host"
            )));
        }
        let digest = Sha256::digest(url.as_bytes());
        let key = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Webhook {
            url: url.to_string(),
            key,
        })
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with its path hidden (chat webhooks carry their secret
    /// there), for messages.
    pub fn redacted(&self) -> String {
        let scheme_end = self.url.find("://").map_or(0, |i| i + 3);
        let host_end = self.url[scheme_end..]
            .find('/')
            .map_or(self.url.len(), |i| scheme_end + i);
        if host_end < self.url.len() {
            format!("{}/…", &self.url[..host_end])
        } else {
            self.url.clone()
        }
    }

    /// How the store keys the webhook: 32 hex digits of the URL's SHA-256
    /// (the URL itself is not stored).
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// How deliveries are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before giving up.
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each one.
    pub first_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
    /// How long a claimed attempt is another server's to take over when
    /// its claimer did not record an outcome.
    pub lease: Duration,
}

impl Default for RetryPolicy {
    /// 8 attempts over about 10 minutes: 1 s, 2 s, 4 s, … capped at 5 min.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            lease: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait after `failed` failed attempts (1 → `first_backoff`).
    pub fn backoff(&self, failed: u32) -> Duration {
        let doublings = failed.saturating_sub(1).min(30);
        self.first_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff)
    }
}

/// How a POST went: the HTTP status, or why there was none.
pub type PostOutcome = Result<u16, String>;

/// Sends a JSON body to a URL (a trait so tests can stand in for HTTP).
pub trait Poster: Send + Sync {
    /// POSTs `body` (JSON) to `url`.
    fn post(&self, url: &str, body: &[u8]) -> PostOutcome;
}

/// Posts with `ureq`: 5 s to connect, 10 s in all, no redirects.
pub struct HttpPoster(ureq::Agent);

impl Default for HttpPoster {
    fn default() -> Self {
        HttpPoster(crate::push::agent(
            Duration::from_secs(5),
            Duration::from_secs(10),
        ))
    }
}

impl Poster for HttpPoster {
    fn post(&self, url: &str, body: &[u8]) -> PostOutcome {
        self.0
            .post(url)
            .header("Content-Type", "application/json")
            .send(body)
            .map(|r| r.status().as_u16())
            .map_err(|e| e.to_string())
    }
}

/// One event of an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertEvent {
    /// It opened.
    Open,
    /// It resolved.
    Resolved,
}

impl AlertEvent {
    /// `open` or `resolved`.
    pub fn key(self) -> &'static str {
        match self {
            AlertEvent::Open => "open",
            AlertEvent::Resolved => "resolved",
        }
    }
}

/// The events `alerts` hold, in the order they are delivered: by first
/// run, an alert's opening before its resolution.
pub fn events(alerts: &[Alert]) -> Vec<(&Alert, AlertEvent)> {
    let mut out = Vec::new();
    for a in alerts {
        out.push((a, AlertEvent::Open));
        if matches!(a.state, AlertState::Resolved { .. }) {
            out.push((a, AlertEvent::Resolved));
        }
    }
    out.sort_by(|(a, x), (b, y)| {
        (&a.opened.started_at, x, &a.id).cmp(&(&b.opened.started_at, y, &b.id))
    });
    out
}

/// What a webhook receives.
#[derive(Debug, Serialize)]
pub struct Message<'a> {
    /// `ALERT_ID:EVENT`: the same for a repeat, for receivers that drop
    /// them.
    pub id: String,
    /// `open` or `resolved`.
    pub event: &'static str,
    /// One line for people (Slack and compatible chats show it).
    pub text: String,
    /// The alert as `GET /api/v1/alerts` lists it (as last seen, for a
    /// withdrawn one; `null` when this server never saw it).
    pub alert: Option<&'a Alert>,
    /// For a `resolved` event of an alert the history no longer holds:
    /// why it went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<&'static str>,
}

/// The message of one event.
pub fn message(alert: &Alert, event: AlertEvent) -> Message<'_> {
    Message {
        id: format!("{}:{}", alert.id, event.key()),
        event: event.key(),
        text: text(alert, event),
        alert: Some(alert),
        withdrawn: None,
    }
}

/// Why an alert that was announced can leave the list without resolving.
const WITHDRAWN: &str = "a parent stage's alert is withdrawn once alerts of its sub-stages \
     explain its slowdown (or the runs it came from were deleted)";

/// The `resolved` message of an alert announced open that the history no
/// longer holds; `last` is the alert as last seen, when known.
fn withdrawn_message<'a>(alert_id: &str, last: Option<&'a Alert>) -> Message<'a> {
    let what = last.map_or_else(
        || format!("alert {alert_id}"),
        |a| format!("{}: stage `{}`", slack(&a.pipeline), slack(&a.stage)),
    );
    Message {
        id: format!("{alert_id}:{}", AlertEvent::Resolved.key()),
        event: AlertEvent::Resolved.key(),
        text: format!(
            "[perfwatch] RESOLVED {what}: withdrawn, its slowdown is explained by alerts of its \
             sub-stages"
        ),
        alert: last,
        withdrawn: Some(WITHDRAWN),
    }
}

/// Escapes what Slack's markup gives meaning to (`&`, `<`, `>`): names
/// come from the programs watched.
fn slack(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn run(r: &RunRef) -> String {
    format!("{} run {}", slack(&r.version), r.index)
}

fn text(a: &Alert, event: AlertEvent) -> String {
    let noun = match a.kind {
        AlertKind::AppMetric { .. } => "metric",
        _ => "stage",
    };
    let stage = format!("{}: {noun} `{}`", slack(&a.pipeline), slack(&a.stage));
    let budget_unit = |what: BudgetWhat, v: f64| match what {
        BudgetWhat::Duration => format!("{v:.3} s"),
        BudgetWhat::Memory => format!("{:.0} MiB", v / (1024.0 * 1024.0)),
        BudgetWhat::Cpu => format!("{v:.0} %"),
    };
    if let (AlertEvent::Resolved, AlertState::Resolved { at }) = (event, &a.state) {
        let was = match a.kind {
            AlertKind::Slower => format!("up to {:.2}× slower", a.ratio),
            AlertKind::OverBudget { what } => {
                format!("up to {:.2}× its {} budget", a.ratio, what.key())
            }
            AlertKind::AppMetric { op } => format!(
                "up to {:.2}× on the wrong side of {} {}",
                a.ratio,
                slack(op.symbol()),
                a.limit.map_or_else(|| "?".to_string(), number)
            ),
        };
        return format!(
            "[perfwatch] RESOLVED {stage} is back to normal at {} (was {was}, {}, since {})",
            run(at),
            a.severity.key(),
            run(&a.first)
        );
    }
    let what = match a.kind {
        AlertKind::Slower => format!(
            "{:.2}× slower than its baseline (95% CI {:.2}–{:.2}), {}",
            a.ratio,
            a.ci_low,
            a.ci_high,
            a.severity.key()
        ),
        AlertKind::OverBudget { what } => format!(
            "over its {} budget: median {} against {} ({:.2}×), {}",
            what.key(),
            budget_unit(what, a.observed),
            a.limit
                .map_or_else(|| "?".to_string(), |l| budget_unit(what, l)),
            a.ratio,
            a.severity.key()
        ),
        AlertKind::AppMetric { op } => format!(
            "breaks {} {}: median {} over the last runs ({:.2}× on the wrong side), {}",
            slack(op.symbol()),
            a.limit.map_or_else(|| "?".to_string(), number),
            number(a.observed),
            a.ratio,
            a.severity.key()
        ),
    };
    format!(
        "[perfwatch] ALERT {stage} {what}; since {} ({})",
        run(&a.first),
        slack(&a.first.started_at)
    )
}

/// What one delivery pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassCounts {
    /// Events delivered (2xx).
    pub delivered: u32,
    /// Attempts that failed and will be retried.
    pub retrying: u32,
    /// Events given up on.
    pub failed: u32,
    /// Events recorded as before the webhook's time.
    pub skipped: u32,
}

fn at(t: OffsetDateTime) -> String {
    rfc3339(t)
}

/// One pass over `webhook`: records the events of a newly configured
/// webhook as skipped; claims and sends each new event; retries the
/// pending ones whose time has come; and resolves, as withdrawn, each
/// alert announced open that `alerts` no longer holds (`earlier` gives
/// alerts as last seen, to name them). `now` is the pass's time.
///
/// # Errors
///
/// The store's; a webhook's failures are recorded, not returned.
pub fn deliver(
    store: &dyn Store,
    webhook: &Webhook,
    alerts: &[Alert],
    earlier: &HashMap<String, Alert>,
    poster: &dyn Poster,
    policy: &RetryPolicy,
    now: OffsetDateTime,
) -> Result<PassCounts, AppError> {
    let mut counts = PassCounts::default();
    let rows: HashMap<(String, String), Delivery> = store
        .deliveries(webhook.key())?
        .into_iter()
        .map(|d| ((d.alert_id.clone(), d.event.clone()), d))
        .collect();
    let row =
        |alert_id: &str, event: &str, state, attempts, next_at: Option<OffsetDateTime>| Delivery {
            webhook: webhook.key().to_string(),
            alert_id: alert_id.to_string(),
            event: event.to_string(),
            state,
            attempts,
            next_at: next_at.map(at),
            last_error: None,
            updated_at: at(now),
        };
    let first_pass = !rows.contains_key(&(CONFIGURED.0.to_string(), CONFIGURED.1.to_string()));
    if first_pass {
        for (alert, event) in events(alerts) {
            let skipped = row(&alert.id, event.key(), DeliveryState::Skipped, 0, None);
            if store.claim_delivery(&skipped)? {
                counts.skipped += 1;
            }
        }
        store.claim_delivery(&row(
            CONFIGURED.0,
            CONFIGURED.1,
            DeliveryState::Delivered,
            0,
            None,
        ))?;
        return Ok(counts);
    }
    // What is to be said: each listed alert's events, then the
    // resolution of each announced one no longer listed.
    let listed: HashSet<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
    let mut wanted: Vec<(String, AlertEvent, Message<'_>)> = events(alerts)
        .into_iter()
        .map(|(a, e)| (a.id.clone(), e, message(a, e)))
        .collect();
    let mut gone: Vec<&Delivery> = rows
        .values()
        .filter(|d| {
            d.event == AlertEvent::Open.key()
                && d.state == DeliveryState::Delivered
                && !listed.contains(d.alert_id.as_str())
        })
        .collect();
    gone.sort_by(|a, b| (&a.updated_at, &a.alert_id).cmp(&(&b.updated_at, &b.alert_id)));
    for d in gone {
        let last = earlier.get(&d.alert_id);
        wanted.push((
            d.alert_id.clone(),
            AlertEvent::Resolved,
            withdrawn_message(&d.alert_id, last),
        ));
    }
    for (alert_id, event, msg) in wanted {
        let key = (alert_id.clone(), event.key().to_string());
        let lease_end = now + policy.lease;
        let claimed = match rows.get(&key) {
            None => {
                let claim = row(
                    &alert_id,
                    event.key(),
                    DeliveryState::Pending,
                    1,
                    Some(lease_end),
                );
                store.claim_delivery(&claim)?.then_some(claim)
            }
            Some(d) if d.state == DeliveryState::Pending && due(d, now) => {
                let retry = Delivery {
                    attempts: d.attempts + 1,
                    next_at: Some(at(lease_end)),
                    updated_at: at(now),
                    ..d.clone()
                };
                store.update_delivery(&retry, d.attempts)?.then_some(retry)
            }
            Some(_) => None,
        };
        let Some(claimed) = claimed else { continue };
        let body = serde_json::to_vec(&msg).expect("messages serialise");
        let outcome = match poster.post(webhook.url(), &body) {
            Ok(status) if (200..300).contains(&status) => Ok(()),
            Ok(status) => Err(format!("the webhook answered HTTP {status}")),
            Err(e) => Err(e),
        };
        let recorded = match outcome {
            Ok(()) => {
                counts.delivered += 1;
                Delivery {
                    state: DeliveryState::Delivered,
                    next_at: None,
                    last_error: None,
                    ..claimed.clone()
                }
            }
            Err(why) if claimed.attempts >= policy.max_attempts => {
                counts.failed += 1;
                eprintln!(
                    "perfwatch serve: gave up delivering alert {} ({}) to {} after {} attempts: {why}",
                    alert_id,
                    event.key(),
                    webhook.redacted(),
                    claimed.attempts
                );
                Delivery {
                    state: DeliveryState::Failed,
                    next_at: None,
                    last_error: Some(why),
                    ..claimed.clone()
                }
            }
            Err(why) => {
                counts.retrying += 1;
                Delivery {
                    next_at: Some(at(now + policy.backoff(claimed.attempts))),
                    last_error: Some(why),
                    ..claimed.clone()
                }
            }
        };
        store.update_delivery(&recorded, claimed.attempts)?;
    }
    Ok(counts)
}

/// Whether a pending row's next attempt (or its lease) is due.
fn due(d: &Delivery, now: OffsetDateTime) -> bool {
    d.next_at.as_deref().is_none_or(|t| t <= at(now).as_str())
}

#[cfg(test)]
mod tests;
