//! Pushing sessions to a team server (`perfwatch push`, `run --push`).
//!
//! A session bound for a server is first queued in the local store
//! ([`Store::queue_push`](perfwatch_store::Store::queue_push)), then sent
//! as its `perfwatch.session.v1` document to `POST {server}/api/v1/sessions`.
//! The server's 201 (stored) or 200 (held already) marks it pushed; when
//! the server cannot be reached, or answers 5xx or 429, it stays queued
//! and a later [`send`] delivers it — nothing is lost, and nothing is sent
//! twice, because a session marked pushed to a server is not sent there
//! again (unless asked explicitly) and the server is idempotent by
//! session id besides. A session still `running` is not sent: it stays
//! queued until it has finished.
//!
//! ```
//! use perfwatch_app::push::{Delivery, Reply, ServerUrl, Transport};
//!
//! /// A server that stores everything.
//! struct Accepting;
//! impl Transport for Accepting {
//!     fn post_session(&self, _: &ServerUrl, _: &[u8]) -> Reply {
//!         Reply::Status { code: 201, body: String::new() }
//!     }
//! }
//! let server = ServerUrl::parse("http://127.0.0.1:8427/").unwrap();
//! let reply = Accepting.post_session(&server, b"{}");
//! assert_eq!(Delivery::of(reply, None), Delivery::Created);
//! ```

pub(crate) mod http;
mod send;
mod server;
mod transport;

pub(crate) use http::agent;
pub use http::{HttpTransport, CONNECT_TIMEOUT, REQUEST_TIMEOUT};
pub use send::{
    document, is_pushed, queue_all, queued, send, summarize, Outcome, Sent, ServerSummary, Target,
};
pub use server::ServerUrl;
pub use transport::{status_text, Delivery, Reply, Transport};
