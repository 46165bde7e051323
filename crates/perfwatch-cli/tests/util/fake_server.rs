//! A small HTTP server on loopback that answers `POST /api/v1/sessions`
//! as `perfwatch serve` does (201 stored, 200 held already, 400 not a
//! session document, 401 without the right bearer token), or with one
//! fixed status, and records every request it gets.
//!
//! ```ignore
//! let server = TestServer::start("s3cret");
//! pw(&dir).args(["push", "--all", "--to", &server.url(), "--token", "s3cret"]).assert().success();
//! assert_eq!(server.stored_ids().len(), 1);
//! ```

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as the server got it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `POST`, `GET`, …
    pub method: String,
    /// The request target (`/api/v1/sessions`).
    pub path: String,
    /// The `Authorization` header, if sent.
    pub authorization: Option<String>,
    /// The body, parsed as JSON when it is JSON.
    pub body: Option<Value>,
}

#[derive(Default)]
struct State {
    requests: Vec<Request>,
    /// Stored documents by session id, in the order stored.
    stored: BTreeMap<String, (usize, Value)>,
    /// Answer every request with this status instead.
    fixed: Option<u16>,
}

/// The server; stops when dropped.
pub struct TestServer {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// A loopback port that nothing listens on (bound, then released): a
/// server that is down.
pub fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

impl TestServer {
    /// A server on a fresh loopback port accepting `token`.
    pub fn start(token: &str) -> TestServer {
        Self::start_on(0, token)
    }

    /// A server on `port` (0: any) accepting `token`.
    pub fn start_on(port: u16, token: &str) -> TestServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the test server");
        let port = listener.local_addr().expect("local address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop, token) = (Arc::clone(&state), Arc::clone(&stop), token.to_string());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        // One connection at a time: perfwatch pushes one
                        // session after the other.
                        let _ = serve(stream, &state, &token);
                    }
                }
            })
        };
        TestServer {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Answer every request with `status` (and an error document) from now
    /// on; `None`: answer normally again.
    pub fn answer_with(&self, status: Option<u16>) {
        self.state.lock().unwrap().fixed = status;
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Ids of the sessions stored, in the order they were stored.
    pub fn stored_ids(&self) -> Vec<String> {
        let state = self.state.lock().unwrap();
        let mut ids: Vec<(usize, String)> = state
            .stored
            .iter()
            .map(|(id, (n, _))| (*n, id.clone()))
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, id)| id).collect()
    }

    /// The document stored for a session.
    pub fn stored(&self, id: &str) -> Option<Value> {
        self.state
            .lock()
            .unwrap()
            .stored
            .get(id)
            .map(|(_, v)| v.clone())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accepting thread.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Read one request, answer it, close the connection.
fn serve(stream: TcpStream, state: &Mutex<State>, token: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let body = read_body(&mut reader, &headers)?;
    let request = Request {
        method,
        path,
        authorization: headers.get("authorization").cloned(),
        body: serde_json::from_slice(&body).ok(),
    };
    let (status, answer) = answer(state, &request, token);
    state.lock().unwrap().requests.push(request);
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{answer}",
        answer.len()
    )?;
    stream.flush()
}

fn read_body(
    reader: &mut BufReader<TcpStream>,
    headers: &BTreeMap<String, String>,
) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = headers.get("content-length") {
        body.resize(n.parse().unwrap_or(0), 0);
        reader.read_exact(&mut body)?;
    }
    Ok(body)
}

/// The status and body `perfwatch serve` would answer.
fn answer(state: &Mutex<State>, request: &Request, token: &str) -> (u16, String) {
    let mut state = state.lock().unwrap();
    let error = |status: u16, message: &str| {
        (
            status,
            serde_json::json!({ "error": message, "field": null }).to_string(),
        )
    };
    if let Some(status) = state.fixed {
        return error(status, "the test server was told to fail");
    }
    if request.method != "POST" || request.path != "/api/v1/sessions" {
        return error(404, "no such route");
    }
    if request.authorization.as_deref() != Some(&format!("Bearer {token}")) {
        return error(401, "missing or invalid bearer token");
    }
    let Some(doc) = &request.body else {
        return error(400, "the body is not JSON");
    };
    if doc["schema"] != "perfwatch.session.v1" {
        return (
            400,
            serde_json::json!({ "error": "not a perfwatch.session.v1 document", "field": "schema" })
                .to_string(),
        );
    }
    let Some(id) = doc["session"]["id"].as_str() else {
        return (
            400,
            serde_json::json!({ "error": "missing", "field": "session.id" }).to_string(),
        );
    };
    if state.stored.contains_key(id) {
        return (200, serde_json::json!({ "id": id }).to_string());
    }
    let n = state.stored.len();
    state.stored.insert(id.to_string(), (n, doc.clone()));
    (201, serde_json::json!({ "id": id }).to_string())
}
