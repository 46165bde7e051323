//! The HTTP side: `POST /v1/traces` on loopback, served by axum on a
//! current-thread tokio runtime that lives on its own thread.

use crate::http::{check_headers, decode_body, read_body, traces_accepted, Refusal};
use crate::inbox::{Inbox, UNAUTHENTICATED};
use crate::listener::{connection_waiting, CountingListener};
use crate::map::{map_request, MapOptions};
use crate::token::Tokens;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// The path OTLP/HTTP clients send traces to.
pub const TRACES_PATH: &str = "/v1/traces";

/// Why the receiver could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No loopback port could be bound.
    #[error("bind the OTLP receiver on 127.0.0.1: {0}")]
    Bind(#[source] std::io::Error),

    /// The receiver's thread could not be spawned.
    #[error("spawn the OTLP receiver's thread: {0}")]
    Thread(#[source] std::io::Error),

    /// No random token could be drawn for the receiver.
    #[error("draw the OTLP receiver's token: {0}")]
    Token(#[source] std::io::Error),
}

/// What the handlers share.
struct App {
    inbox: Arc<Inbox>,
    max_body_bytes: usize,
    map: MapOptions,
    tokens: Arc<Tokens>,
}

/// A running receiver; dropping it stops the server and joins its thread.
pub(crate) struct Receiver {
    addr: SocketAddr,
    /// The listening socket, owned by the server thread while it runs.
    listen_fd: RawFd,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Bind an ephemeral loopback port and serve on a background thread.
    pub fn start(
        inbox: Arc<Inbox>,
        max_body_bytes: usize,
        map: MapOptions,
        tokens: Arc<Tokens>,
    ) -> Result<Receiver, StartError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(StartError::Bind)?;
        listener.set_nonblocking(true).map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let listen_fd = listener.as_raw_fd();
        let counted = Arc::clone(&inbox);
        let app = Arc::new(App {
            inbox,
            max_body_bytes,
            map,
            tokens,
        });
        let (tx, rx) = oneshot::channel::<()>();
        // The runtime and the router are built on the server's own thread,
        // off the caller's path: until it accepts them, connections wait
        // in the listen queue of the socket bound above.
        let thread = std::thread::Builder::new()
            .name("perfwatch-otlp".into())
            .spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .enable_time()
                    .build()
                else {
                    // `is_running` turns false: the next iteration says so.
                    return;
                };
                let router = Router::new()
                    .route(TRACES_PATH, any(traces))
                    .fallback(not_found)
                    .with_state(app);
                runtime.block_on(async move {
                    let Ok(listener) = CountingListener::new(listener, counted) else {
                        return;
                    };
                    tokio::select! {
                        _ = axum::serve(listener, router) => {}
                        _ = rx => {}
                    }
                });
                // Dropping the runtime cancels connections still open.
            })
            .map_err(StartError::Thread)?;
        Ok(Receiver {
            addr,
            listen_fd,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether a connection waits to be accepted.
    pub fn connection_waiting(&self) -> bool {
        self.is_running() && connection_waiting(self.listen_fd)
    }

    /// Whether the server thread is still serving.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn not_found(req: Request) -> Response {
    Refusal::not_found(req.uri().path(), &[TRACES_PATH]).into_response()
}

/// Counts a refused body (not a refused method or header) and answers.
fn refuse(inbox: &Inbox, refusal: Refusal) -> Response {
    if let Some(reason) = refusal.counted_as() {
        inbox.count_bad_request(reason);
    }
    refusal.into_response()
}

async fn traces(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (encoding, compression) = match check_headers(&parts.method, &parts.headers) {
        Ok(found) => found,
        Err(refusal) => return refusal.into_response(),
    };
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !app.tokens.accepts(authorization) {
        app.inbox.count_bad_request(UNAUTHENTICATED);
        return Refusal::unauthenticated(
            encoding,
            "this receiver takes the bearer token of its run (OTEL_EXPORTER_OTLP_HEADERS)",
        )
        .into_response();
    }
    let _in_flight = app.inbox.request_started();
    let limit = app.max_body_bytes;
    let raw = match read_body(body, &parts.headers, encoding, limit).await {
        Ok(raw) => raw,
        Err(refusal) => return refuse(&app.inbox, refusal),
    };
    let request: ExportTraceServiceRequest = match decode_body(&raw, encoding, compression, limit) {
        Ok(request) => request,
        Err(refusal) => return refuse(&app.inbox, refusal),
    };
    let not_kept = app.inbox.accept(map_request(&request, &app.map));
    let rejected: u64 = not_kept.values().sum();
    let message: Vec<String> = not_kept
        .iter()
        .map(|(reason, n)| format!("{reason}: {n}"))
        .collect();
    traces_accepted(encoding, rejected, &message.join("; "))
}
