//! A `perfwatch serve` child on a free loopback port, and a minimal
//! HTTP/1.1 client for it (one request per connection).

use super::TestDir;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the server may take to say where it listens, or to stop.
const LIMIT: Duration = Duration::from_secs(30);

/// A running `perfwatch serve`; killed when dropped, if still running.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its standard error so far, and the rest as it comes.
    lines: mpsc::Receiver<String>,
    /// Every line of standard error read.
    pub said: Vec<String>,
}

/// An answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    /// `perfwatch serve --listen 127.0.0.1:0 ARGS` over `dir`'s history,
    /// once it says where it listens.
    pub fn start(dir: &TestDir, args: &[&str]) -> Server {
        let mut cmd = dir.std_pw();
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn perfwatch serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            lines,
            said: Vec::new(),
        };
        let line = server.wait_for_line("listening on http://");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in `{line}`"));
        server.addr = addr.parse().unwrap();
        server
    }

    /// Waits for a line of standard error containing `needle`.
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        if let Some(l) = self.said.iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        let deadline = Instant::now() + LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.said.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "perfwatch serve did not say `{needle}`; it said:\n{}",
                    self.said.join("\n")
                ),
            }
        }
    }

    /// `http://ADDR/api/v1` + `path`.
    pub fn api(&self, path: &str) -> String {
        format!("/api/v1{path}")
    }

    /// One request; `token` as `Authorization: Bearer`.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> Reply {
        request(self.addr, method, path, token, body)
    }

    /// `GET /api/v1PATH`, expected to answer 200.
    pub fn get(&self, path: &str) -> Reply {
        let reply = self.request("GET", &self.api(path), None, None);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
        reply
    }

    /// Sends `signal` and waits for the process to end.
    pub fn stop(mut self, signal: i32) -> (ExitStatus, Vec<String>) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: a plain kill(2) of our own child.
        unsafe { libc::kill(pid, signal) };
        let deadline = Instant::now() + LIMIT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "perfwatch serve did not stop");
            std::thread::sleep(Duration::from_millis(20));
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.said.push(line);
        }
        (status, std::mem::take(&mut self.said))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One HTTP/1.1 request on a new connection, read until the server closes.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&[u8]>,
) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect to perfwatch serve");
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    if let Some(b) = body {
        // A server that refuses early may close before the body is sent.
        let _ = stream.write_all(b);
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

/// A write token for `dir`'s history, made by `perfwatch token create`.
pub fn write_token(dir: &TestDir) -> String {
    let out = super::stdout(
        &super::pw(dir)
            .args(["token", "create", "--write", "--name", "ci"])
            .assert()
            .success(),
    );
    out.trim().to_string()
}
