//! The HTTP client that posts session documents: `ureq`, with bounded
//! connect and overall timeouts, no redirects (a redirected `POST` would
//! lose its body), and the token as a bearer header.

use super::{Reply, ServerUrl, Transport};
use std::time::Duration;

/// Longest wait for a connection to a server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest wait for a whole post, answer included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Most bytes of a server's answer read (its error document).
const MAX_ANSWER: u64 = 64 * 1024;

/// Posts over HTTP(S) with `ureq`.
pub struct HttpTransport {
    agent: ureq::Agent,
    token: Option<String>,
}

/// perfwatch's HTTP client to its server: the given timeouts, statuses
/// as answers (not errors), no redirects, perfwatch's user agent.
pub(crate) fn agent(connect: Duration, total: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(connect))
        .timeout_global(Some(total))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("perfwatch/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

impl HttpTransport {
    /// A client sending `token` (when given) as `Authorization: Bearer`.
    pub fn new(token: Option<String>) -> HttpTransport {
        let agent = agent(CONNECT_TIMEOUT, REQUEST_TIMEOUT);
        HttpTransport {
            agent,
            token: token.filter(|t| !t.is_empty()),
        }
    }
}

impl Transport for HttpTransport {
    fn post_session(&self, server: &ServerUrl, body: &[u8]) -> Reply {
        let mut request = self
            .agent
            .post(server.sessions_endpoint())
            .header("Content-Type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        match request.send(body) {
            Ok(mut response) => {
                let code = response.status().as_u16();
                let body = response
                    .body_mut()
                    .with_config()
                    .limit(MAX_ANSWER)
                    .read_to_string()
                    .unwrap_or_default();
                Reply::Status { code, body }
            }
            Err(e) => Reply::Unreachable(describe(&e)),
        }
    }
}

/// A failed request in a few words: `connection refused`, `timed out`, …
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
            std::io::ErrorKind::TimedOut => "timed out".into(),
            std::io::ErrorKind::ConnectionReset => "connection reset".into(),
            _ => io.to_string(),
        },
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        other => other.to_string(),
    }
}
