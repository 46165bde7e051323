//! The HTTP side: `POST /v1/traces` on loopback, served by axum on a
//! current-thread tokio runtime that lives on its own thread.

use crate::decode::{decode_request, decompress, Compression, DecodeError, Encoding};
use crate::inbox::{Inbox, TOO_LARGE, UNAUTHENTICATED, UNDECODABLE};
use crate::listener::{connection_waiting, CountingListener};
use crate::map::{map_request, MapOptions};
use crate::respond::{
    status_body, success_body, CODE_INVALID_ARGUMENT, CODE_NOT_FOUND, CODE_RESOURCE_EXHAUSTED,
    CODE_UNAUTHENTICATED, CODE_UNIMPLEMENTED,
};
use crate::token::Tokens;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
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

fn reply(status: StatusCode, encoding: Encoding, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(encoding.content_type()),
    );
    resp
}

fn failure(status: StatusCode, encoding: Encoding, code: i32, message: &str) -> Response {
    reply(status, encoding, status_body(encoding, code, message))
}

async fn not_found(req: Request) -> Response {
    let message = format!(
        "no such path `{}`; traces go to {TRACES_PATH}",
        req.uri().path()
    );
    failure(
        StatusCode::NOT_FOUND,
        Encoding::Protobuf,
        CODE_NOT_FOUND,
        &message,
    )
}

async fn traces(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let (encoding, compression) = match check_headers(&parts.method, &parts.headers) {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !app.tokens.accepts(authorization) {
        app.inbox.count_bad_request(UNAUTHENTICATED);
        let mut resp = failure(
            StatusCode::UNAUTHORIZED,
            encoding,
            CODE_UNAUTHENTICATED,
            "this receiver takes the bearer token of its run (OTEL_EXPORTER_OTLP_HEADERS)",
        );
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return resp;
    }
    let _in_flight = app.inbox.request_started();
    let limit = app.max_body_bytes;
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(&app.inbox, encoding, limit);
    }
    let raw = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return too_large(&app.inbox, encoding, limit);
        }
        Err(e) => return bad_request(&app.inbox, encoding, &format!("read request body: {e}")),
    };
    process(&app, encoding, compression, &raw)
}

/// Method, content type and content encoding, or the answer refusing them.
#[allow(clippy::result_large_err)] // the error is the response itself
fn check_headers(
    method: &Method,
    headers: &HeaderMap,
) -> Result<(Encoding, Compression), Response> {
    if method != Method::POST {
        let message = format!("method {method} not allowed; use POST");
        let mut resp = failure(
            StatusCode::METHOD_NOT_ALLOWED,
            Encoding::Protobuf,
            CODE_UNIMPLEMENTED,
            &message,
        );
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return Err(resp);
    }
    let header_str = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let content_type = header_str(header::CONTENT_TYPE);
    let Some(encoding) = content_type.and_then(Encoding::from_content_type) else {
        let message = format!(
            "unsupported content type {:?}; use application/x-protobuf or application/json",
            content_type.unwrap_or("")
        );
        return Err(failure(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Encoding::Protobuf,
            CODE_INVALID_ARGUMENT,
            &message,
        ));
    };
    let content_encoding = header_str(header::CONTENT_ENCODING);
    let Some(compression) = Compression::from_content_encoding(content_encoding) else {
        let message = format!(
            "unsupported content encoding {:?}; use gzip or none",
            content_encoding.unwrap_or("")
        );
        return Err(failure(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            encoding,
            CODE_INVALID_ARGUMENT,
            &message,
        ));
    };
    Ok((encoding, compression))
}

/// Decode, map and keep a body that was read in full.
fn process(app: &App, encoding: Encoding, compression: Compression, raw: &[u8]) -> Response {
    let limit = app.max_body_bytes;
    let decoded =
        decompress(raw, compression, limit).and_then(|bytes| decode_request(&bytes, encoding));
    let request = match decoded {
        Ok(request) => request,
        Err(DecodeError::TooLarge { .. }) => return too_large(&app.inbox, encoding, limit),
        Err(e) => return bad_request(&app.inbox, encoding, &e.to_string()),
    };
    let not_kept = app.inbox.accept(map_request(&request, &app.map));
    let rejected: u64 = not_kept.values().sum();
    let message: Vec<String> = not_kept
        .iter()
        .map(|(reason, n)| format!("{reason}: {n}"))
        .collect();
    reply(
        StatusCode::OK,
        encoding,
        success_body(encoding, rejected, &message.join("; ")),
    )
}

fn too_large(inbox: &Inbox, encoding: Encoding, limit: usize) -> Response {
    inbox.count_bad_request(TOO_LARGE);
    let message = DecodeError::TooLarge { limit }.to_string();
    failure(
        StatusCode::PAYLOAD_TOO_LARGE,
        encoding,
        CODE_RESOURCE_EXHAUSTED,
        &message,
    )
}

fn bad_request(inbox: &Inbox, encoding: Encoding, message: &str) -> Response {
    inbox.count_bad_request(UNDECODABLE);
    failure(
        StatusCode::BAD_REQUEST,
        encoding,
        CODE_INVALID_ARGUMENT,
        message,
    )
}
