//! Data types for the team server's bookkeeping: API tokens (stored as
//! hashes only) and the push queue of sessions bound for a server.

/// What an API token allows. A write token also reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenScope {
    /// Read routes only.
    Read,
    /// Read and write routes (`POST`, deletes).
    Write,
}

impl TokenScope {
    /// The stored and printed key: `read` or `write`.
    pub fn key(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    /// The scope named by [`key`](Self::key).
    pub fn parse(key: &str) -> Option<TokenScope> {
        match key {
            "read" => Some(TokenScope::Read),
            "write" => Some(TokenScope::Write),
            _ => None,
        }
    }

    /// Whether a token of this scope may do what `needed` asks.
    pub fn allows(self, needed: TokenScope) -> bool {
        self == TokenScope::Write || needed == TokenScope::Read
    }
}

/// A stored API token: never its secret, only the SHA-256 of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// The token's name (unique).
    pub name: String,
    /// What it allows.
    pub scope: TokenScope,
    /// Lowercase hex SHA-256 of the secret.
    pub sha256: String,
    /// When it was created (RFC 3339 UTC).
    pub created_at: String,
    /// When it was revoked, if it was: a revoked token authorises nothing.
    pub revoked_at: Option<String>,
}

/// A session waiting to be pushed to a server, or already pushed there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushEntry {
    /// The session.
    pub session_id: String,
    /// The server's base URL, as normalised by the caller.
    pub server: String,
    /// When it was queued (RFC 3339 UTC).
    pub queued_at: String,
    /// When the server accepted it; `None` while it waits.
    pub pushed_at: Option<String>,
}

/// One webhook's delivery of one event (`open` or `resolved`) of an
/// alert. The row is the claim: whoever inserts it delivers, and each
/// retry is claimed again by bumping `attempts` (see
/// [`Store::update_delivery`](crate::Store::update_delivery)), so that
/// servers sharing one database never send an event twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The webhook, as the caller keys it (a digest of its URL: URLs of
    /// chat webhooks are secrets).
    pub webhook: String,
    /// The alert's id.
    pub alert_id: String,
    /// `open` or `resolved`.
    pub event: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts claimed so far.
    pub attempts: u32,
    /// When the next attempt is due (RFC 3339 UTC), while pending.
    pub next_at: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the row last changed (RFC 3339 UTC).
    pub updated_at: String,
}

/// Where a [`Delivery`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryState {
    /// Claimed; delivered at the next attempt, or retried.
    Pending,
    /// The webhook answered 2xx.
    Delivered,
    /// Not sent: the event happened before the webhook was configured.
    Skipped,
    /// Given up on after the last attempt.
    Failed,
}

impl DeliveryState {
    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Skipped => "skipped",
            DeliveryState::Failed => "failed",
        }
    }

    /// The state named by [`key`](Self::key).
    pub fn parse(key: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Skipped,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }
}
