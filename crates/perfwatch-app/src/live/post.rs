//! Sending a run's snapshots to a team server while it runs
//! (`POST {server}/api/v1/live/runs`, what `run --push` does besides
//! pushing the stored session): `ureq` with short timeouts, since a late
//! snapshot is worth nothing, and the token as a bearer header.

use crate::push::ServerUrl;
use perfwatch_model::LiveSnapshot;
use std::time::Duration;

/// Longest wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Longest wait for a whole post.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Posts snapshots of one run to one server.
pub struct SnapshotPoster {
    agent: ureq::Agent,
    endpoint: String,
    token: Option<String>,
}

impl SnapshotPoster {
    /// A poster to `server`, sending `token` when given.
    pub fn new(server: &ServerUrl, token: Option<String>) -> SnapshotPoster {
        let agent = crate::push::http::agent(CONNECT_TIMEOUT, REQUEST_TIMEOUT);
        SnapshotPoster {
            agent,
            endpoint: live_endpoint(server),
            token: token.filter(|t| !t.is_empty()),
        }
    }

    /// Posts `snapshot`; `Err` says in a few words why the server did not
    /// take it (unreachable, or its status and message).
    pub fn post(&self, snapshot: &LiveSnapshot) -> Result<(), String> {
        let body = serde_json::to_vec(snapshot).map_err(|e| e.to_string())?;
        let mut request = self
            .agent
            .post(&self.endpoint)
            .header("Content-Type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        match request.send(&body[..]) {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(mut response) => {
                let code = response.status().as_u16();
                let text = response
                    .body_mut()
                    .with_config()
                    .limit(16 * 1024)
                    .read_to_string()
                    .unwrap_or_default();
                let message = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["error"].as_str().map(str::to_string))
                    .unwrap_or_default();
                Err(format!("{} {message}", crate::push::status_text(code))
                    .trim_end()
                    .to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Where snapshots go: `{server}/api/v1/live/runs`.
pub fn live_endpoint(server: &ServerUrl) -> String {
    format!("{}/api/v1/live/runs", server.as_str())
}
