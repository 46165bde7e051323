//! A service benchmark's keys in perfwatch.toml: `service`, `ready`,
//! `ready_timeout`, `stop_timeout`, `metrics` and the `[benchmark.NAME.load]`
//! table, read into the runner's [`ServicePlan`].
//!
//! ```toml
//! [benchmark.api]
//! service = ["demo-service", "--port", "{port}"]   # or a shell string
//! ready = "http://127.0.0.1:{port}/health"          # or "tcp", or "log:REGEX"
//! metrics = "http://127.0.0.1:{port}/metrics"
//!
//! [benchmark.api.load]
//! rate = 200            # open model (the default: 100 requests/s) …
//! # concurrency = 8     # … or the closed model
//! duration = 10
//! warmup = 1
//! path = "/api/playlist?seed={rand:0..200}"
//! ```

use crate::config::Bound;
use perfwatch_load::{LoadSpec, Model, RequestSpec, DEFAULT_OPEN_CONNECTIONS};
use perfwatch_runner::service::Ready;
use perfwatch_runner::ServicePlan;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The open model's rate when `[load]` names neither `rate` nor
/// `concurrency`, requests per second.
pub const DEFAULT_RATE: f64 = 100.0;

/// `service = [argv]` or `service = "shell string"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ServiceCommand {
    /// Executed directly.
    Argv(Vec<String>),
    /// Run by `sh -c`.
    Shell(String),
}

/// `[benchmark.NAME.load]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadConfig {
    /// Open model: requests per second (the default model, 100/s).
    #[serde(default, deserialize_with = "positive")]
    pub rate: Option<f64>,
    /// Open model: the most requests in flight at once.
    #[serde(default, deserialize_with = "count")]
    pub connections: Option<u64>,
    /// Closed model: workers each sending their next request when the
    /// last one answered.
    #[serde(default, deserialize_with = "count")]
    pub concurrency: Option<u64>,
    /// Measured seconds (default 10).
    #[serde(default, deserialize_with = "positive")]
    pub duration: Option<f64>,
    /// Unrecorded seconds before them (default 1).
    #[serde(default, deserialize_with = "non_negative")]
    pub warmup: Option<f64>,
    /// Per-request timeout in seconds (default 10).
    #[serde(default, deserialize_with = "positive")]
    pub timeout: Option<f64>,
    /// Seeds the request picks and `{rand:A..B}`.
    pub seed: Option<u64>,
    /// Base URL (default `http://127.0.0.1:{port}`).
    pub target: Option<String>,
    /// One request: its path (default `/`), …
    pub path: Option<String>,
    /// … method (default GET), …
    pub method: Option<String>,
    /// … headers, …
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// … and body (text) or body file (relative to the config file).
    pub body: Option<String>,
    /// A file whose bytes are the body.
    pub body_file: Option<PathBuf>,
    /// A mix of requests instead (`[[benchmark.NAME.load.requests]]`).
    #[serde(default)]
    pub requests: Vec<RequestConfig>,
}

/// `[[benchmark.NAME.load.requests]]`: one kind of request in the mix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestConfig {
    /// Path and query with optional `{seq}` and `{rand:A..B}`.
    pub path: String,
    /// Method (default GET).
    pub method: Option<String>,
    /// Extra headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Body text.
    pub body: Option<String>,
    /// A file whose bytes are the body (relative to the config file).
    pub body_file: Option<PathBuf>,
    /// Relative frequency (default 1).
    pub weight: Option<u32>,
}

/// What `duration`, `timeout`, `rate` accept.
const POSITIVE: Bound = Bound::above(0.0).up_to(86_400.0 * 365.0);
/// What `warmup` accepts.
const NON_NEGATIVE: Bound = Bound::at_least(0.0).up_to(86_400.0 * 365.0);
/// What `concurrency` and `connections` accept.
const COUNT: Bound = Bound::at_least(1.0).up_to(100_000.0);

fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = f64::deserialize(d)?;
    POSITIVE.check(v).map(Some).map_err(D::Error::custom)
}

fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = f64::deserialize(d)?;
    NON_NEGATIVE.check(v).map(Some).map_err(D::Error::custom)
}

fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = u64::deserialize(d)?;
    COUNT
        .check(v as f64)
        .map(|_| Some(v))
        .map_err(D::Error::custom)
}

/// What `ready_timeout` and `stop_timeout` accept, seconds.
pub const SERVICE_TIMEOUT: Bound = Bound::above(0.0).up_to(3600.0);

/// `ready = "…"` read as a [`Ready`]: an `http://` URL, `tcp`, or
/// `log:REGEX`.
pub fn ready_of(text: &str) -> Result<Ready, String> {
    if let Some(pattern) = text.strip_prefix("log:") {
        regex_check(pattern)?;
        return Ok(Ready::LogLine(pattern.to_string()));
    }
    if text == "tcp" {
        return Ok(Ready::Tcp);
    }
    if text.len() > 7 && text[..7].eq_ignore_ascii_case("http://") {
        return Ok(Ready::Http { url: text.into() });
    }
    Err(format!(
        "`ready = {text:?}`: give an http:// URL (`http://127.0.0.1:{{port}}/health`), `tcp` (a connection is accepted) or `log:PATTERN` (a line of output matches)"
    ))
}

fn regex_check(pattern: &str) -> Result<(), String> {
    regex::Regex::new(pattern)
        .map(drop)
        .map_err(|e| format!("`ready = \"log:{pattern}\"`: not a valid pattern: {e}"))
}

/// The runner's plan of a service benchmark from its keys; `base` is the
/// directory body files are relative to.
pub fn service_plan(
    ready: Option<&str>,
    ready_timeout: Option<f64>,
    stop_timeout: Option<f64>,
    metrics: Option<&str>,
    load: Option<&LoadConfig>,
    base: &Path,
) -> Result<ServicePlan, String> {
    let ready = ready.map_or(Ok(Ready::Tcp), ready_of)?;
    if let Some(url) = metrics {
        if !(url.len() > 7 && url[..7].eq_ignore_ascii_case("http://")) {
            return Err(format!("`metrics = {url:?}`: give a plain http:// URL"));
        }
    }
    Ok(ServicePlan {
        ready,
        ready_timeout: Duration::from_secs_f64(ready_timeout.unwrap_or(30.0)),
        stop_timeout: Duration::from_secs_f64(stop_timeout.unwrap_or(5.0)),
        metrics: metrics.map(str::to_string),
        load: load.map(|l| load_spec(l, base)).transpose()?,
    })
}

fn load_spec(l: &LoadConfig, base: &Path) -> Result<LoadSpec, String> {
    let model = match (l.rate, l.concurrency) {
        (Some(_), Some(_)) => {
            return Err(
                "[load] sets both `rate` (open model) and `concurrency` (closed model); keep one"
                    .into(),
            )
        }
        (_, Some(c)) if l.connections.is_some() => {
            return Err(format!(
                "[load] `connections` caps the open model's requests in flight; the closed model has `concurrency = {c}` connections"
            ))
        }
        (_, Some(c)) => Model::closed(c as usize),
        (rate, None) => Model::Open {
            rate: rate.unwrap_or(DEFAULT_RATE),
            connections: l
                .connections
                .map_or(DEFAULT_OPEN_CONNECTIONS, |c| c as usize),
        },
    };
    let target = l
        .target
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:{port}".into());
    let mut spec = LoadSpec::new(target, model);
    if let Some(d) = l.duration {
        spec.duration = Duration::from_secs_f64(d);
    }
    if let Some(w) = l.warmup {
        spec.warmup = Duration::from_secs_f64(w);
    }
    if let Some(t) = l.timeout {
        spec.timeout = Duration::from_secs_f64(t);
    }
    spec.seed = l.seed.unwrap_or(0);
    let single = l.path.is_some()
        || l.method.is_some()
        || !l.headers.is_empty()
        || l.body.is_some()
        || l.body_file.is_some();
    spec.requests = if l.requests.is_empty() {
        vec![request(
            l.path.as_deref().unwrap_or("/"),
            l.method.as_deref(),
            &l.headers,
            l.body.as_deref(),
            l.body_file.as_deref(),
            1,
            base,
        )?]
    } else if single {
        return Err(
            "[load] gives one request (`path`, `method`, …) and a `requests` mix; keep one".into(),
        );
    } else {
        l.requests
            .iter()
            .map(|r| {
                request(
                    &r.path,
                    r.method.as_deref(),
                    &r.headers,
                    r.body.as_deref(),
                    r.body_file.as_deref(),
                    r.weight.unwrap_or(1),
                    base,
                )
            })
            .collect::<Result<_, _>>()?
    };
    Ok(spec)
}

fn request(
    path: &str,
    method: Option<&str>,
    headers: &BTreeMap<String, String>,
    body: Option<&str>,
    body_file: Option<&Path>,
    weight: u32,
    base: &Path,
) -> Result<RequestSpec, String> {
    let body = match (body, body_file) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "request `{path}` has both `body` and `body_file`; keep one"
            ))
        }
        (Some(text), None) => Some(text.as_bytes().to_vec()),
        (None, Some(file)) => {
            let file = base.join(file);
            Some(std::fs::read(&file).map_err(|e| {
                format!(
                    "request `{path}`: cannot read body_file {}: {e}",
                    file.display()
                )
            })?)
        }
        (None, None) => None,
    };
    Ok(RequestSpec {
        method: method.unwrap_or("GET").to_string(),
        path: path.to_string(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        body,
        weight,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<LoadSpec, String> {
        let l: LoadConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        load_spec(&l, Path::new("."))
    }

    #[test]
    fn the_open_model_at_100_per_second_is_the_default() {
        let spec = load("path = \"/x\"").unwrap();
        assert_eq!(spec.model, Model::open(DEFAULT_RATE));
        assert_eq!(spec.target, "http://127.0.0.1:{port}");
        assert_eq!(spec.requests, vec![RequestSpec::get("/x")]);
        assert_eq!(load("concurrency = 8").unwrap().model, Model::closed(8));
    }

    #[test]
    fn contradictions_are_refused_with_the_keys_named() {
        for (text, says) in [
            ("rate = 5\nconcurrency = 2", "both `rate`"),
            ("concurrency = 2\nconnections = 9", "`connections`"),
            ("path = \"/a\"\n[[requests]]\npath = \"/b\"", "keep one"),
            ("body = \"x\"\nbody_file = \"f\"", "both `body`"),
            ("rate = 0", "rate"),
            ("concurrency = 0", "concurrency"),
            ("duration = -1", "duration"),
            ("body_file = \"/no/such/file\"", "/no/such/file"),
        ] {
            let err = load(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn a_mix_keeps_its_weights_and_bodies() {
        let spec = load(
            "[[requests]]\npath = \"/a\"\nweight = 3\n[[requests]]\npath = \"/b\"\nmethod = \"POST\"\nbody = \"{}\"",
        )
        .unwrap();
        assert_eq!(spec.requests.len(), 2);
        assert_eq!(spec.requests[0].weight, 3);
        assert_eq!(spec.requests[1].body.as_deref(), Some(&b"{}"[..]));
    }

    #[test]
    fn ready_is_a_url_tcp_or_a_log_pattern() {
        assert_eq!(ready_of("tcp").unwrap(), Ready::Tcp);
        assert!(matches!(
            ready_of("http://127.0.0.1:{port}/health"),
            Ok(Ready::Http { .. })
        ));
        assert_eq!(
            ready_of("log:listening on \\d+").unwrap(),
            Ready::LogLine("listening on \\d+".into())
        );
        assert!(ready_of("log:(")
            .unwrap_err()
            .contains("not a valid pattern"));
        assert!(ready_of("https://x").unwrap_err().contains("http://"));
    }
}
