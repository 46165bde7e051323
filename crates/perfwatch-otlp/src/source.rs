//! [`OtlpSource`]: the receiver as a [`SpanSource`] of the runner.

use crate::config::OtlpConfig;
use crate::inbox::Inbox;
use crate::server::{Receiver, StartError, TRACES_PATH};
use crate::settle::{decide, Decision, Timing};
use crate::token::{fresh_token, headers_env, Tokens};
use perfwatch_runner::source::{Collected, SpanSource, DEFAULT_MAX_SPANS};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// An OTLP/HTTP trace receiver on `127.0.0.1`, one per session.
///
/// `begin` opens the inbox and returns the `OTEL_*` environment that points
/// the child's SDK here; `finish` waits briefly for late exports (see
/// [`OtlpConfig`]) and drains the spans of the iteration. Spans that arrive
/// between iterations are counted as dropped ("arrived after its
/// iteration") in the next drained batch. Dropping the source stops the
/// receiver.
pub struct OtlpSource {
    config: OtlpConfig,
    inbox: Arc<Inbox>,
    receiver: Receiver,
    silent_iterations: u32,
    last_wait: Option<Duration>,
    /// Most spans kept per iteration (see [`SpanSource::set_max_spans`]).
    max_spans: usize,
    /// [`OtlpSource::env`], built once (it changes with the service name).
    env: Vec<(String, String)>,
    /// The tokens the receiver accepts; rotated at each iteration.
    tokens: Arc<Tokens>,
    /// The current iteration's token.
    token: String,
}

impl OtlpSource {
    /// Bind an ephemeral loopback port and start serving in the background.
    pub fn start(config: OtlpConfig) -> Result<OtlpSource, StartError> {
        let inbox = Arc::new(Inbox::default());
        let token = fresh_token().map_err(StartError::Token)?;
        let tokens = Arc::new(Tokens::new(token.clone()));
        let receiver = Receiver::start(
            Arc::clone(&inbox),
            config.max_body_bytes,
            config.map,
            Arc::clone(&tokens),
        )?;
        let mut source = OtlpSource {
            config,
            inbox,
            receiver,
            silent_iterations: 0,
            last_wait: None,
            max_spans: DEFAULT_MAX_SPANS,
            env: Vec::new(),
            tokens,
            token,
        };
        source.env = source.env();
        Ok(source)
    }

    /// The address the receiver listens on.
    pub fn addr(&self) -> SocketAddr {
        self.receiver.addr()
    }

    /// `http://127.0.0.1:PORT`, the value of `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// The settings in use.
    pub fn config(&self) -> &OtlpConfig {
        &self.config
    }

    /// Change `OTEL_SERVICE_NAME` for the following iterations.
    pub fn set_service_name(&mut self, name: impl Into<String>) {
        self.config.service_name = name.into();
        self.env = self.env();
    }

    /// How long the last `finish` waited after the child was reaped.
    pub fn last_wait(&self) -> Option<Duration> {
        self.last_wait
    }

    /// The bearer token requests must carry now (it changes at every
    /// iteration; the previous one stays valid for late exports).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The environment for a child: standard OpenTelemetry variables that
    /// send its traces (only) here, promptly, all sampled, with the
    /// iteration's bearer token.
    pub fn env(&self) -> Vec<(String, String)> {
        let endpoint = self.endpoint();
        let delay_ms = self.config.schedule_delay.as_millis().to_string();
        [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.clone()),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                format!("{endpoint}{TRACES_PATH}"),
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf".into()),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf".into()),
            ("OTEL_TRACES_EXPORTER", "otlp".into()),
            ("OTEL_METRICS_EXPORTER", "none".into()),
            ("OTEL_LOGS_EXPORTER", "none".into()),
            ("OTEL_SERVICE_NAME", self.config.service_name.clone()),
            ("OTEL_BSP_SCHEDULE_DELAY", delay_ms),
            ("OTEL_TRACES_SAMPLER", "parentbased_always_on".into()),
            ("OTEL_EXPORTER_OTLP_HEADERS", headers_env(&self.token)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    fn settle(&self) -> u64 {
        let timing = Timing {
            grace: self.config.grace,
            quiet: self.config.quiet,
        };
        let silent =
            self.config.silent_after > 0 && self.silent_iterations >= self.config.silent_after;
        let started = Instant::now();
        loop {
            // The accept queue first, then the counts: a connection leaves
            // the queue only after it is counted (see `Inbox::connection_opening`).
            let waiting = self.receiver.connection_waiting();
            let progress = self.inbox.progress();
            let now = Instant::now();
            match decide(timing, started, now, &progress, waiting, silent) {
                Decision::Done(_) => return progress.requests,
                Decision::WaitUntil(until) => {
                    // A connection in the queue moves nothing in the inbox
                    // until it is accepted: look again soon.
                    let mut timeout = until.saturating_duration_since(now);
                    if waiting {
                        timeout = timeout.min(Duration::from_millis(1));
                    }
                    self.inbox.wait(progress.generation, timeout);
                }
            }
        }
    }
}

impl SpanSource for OtlpSource {
    fn set_max_spans(&mut self, max_spans: usize) {
        self.max_spans = max_spans;
    }

    fn begin(&mut self, index: u32) -> std::io::Result<Vec<(String, String)>> {
        if !self.receiver.is_running() {
            return Err(std::io::Error::other("the OTLP receiver stopped"));
        }
        let now_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        self.inbox.open(now_ns, self.max_spans);
        if index > 0 {
            self.token = fresh_token()?;
            self.tokens.rotate(self.token.clone());
            self.env = self.env();
        }
        Ok(self.env.clone())
    }

    fn finish(&mut self, _index: u32) -> Collected {
        let started = Instant::now();
        let requests = self.settle();
        self.last_wait = Some(started.elapsed());
        self.silent_iterations = if requests == 0 {
            self.silent_iterations.saturating_add(1)
        } else {
            0
        };
        self.inbox.drain()
    }
}
