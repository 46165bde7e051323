//! A minimal Chrome DevTools Protocol client for headless Chromium: launch
//! with a throw-away profile, attach to one page over a WebSocket, send
//! commands, collect events. Every wait is bounded.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// A Chromium binary: `$PERFWATCH_CHROMIUM`, or Debian's `chromium`.
pub fn chromium() -> Option<std::path::PathBuf> {
    let named = std::env::var_os("PERFWATCH_CHROMIUM").map(std::path::PathBuf::from);
    named
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(std::path::PathBuf::from))
        .find(|p| p.is_file())
}

/// How long any single wait may take before the check fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// A running headless Chromium with one attached page.
pub struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    /// Every event received so far, in order.
    pub events: Vec<Value>,
}

impl Browser {
    /// Launch `chromium` headless, open a blank page and attach to it.
    pub fn launch(chromium: &Path) -> Result<Browser, String> {
        let profile = tempfile::tempdir().map_err(|e| format!("temp profile: {e}"))?;
        let mut child = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--mute-audio",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = Vec::new();
        let url = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => match line.split_once("DevTools listening on ") {
                    Some((_, url)) => break url.trim().to_string(),
                    None => seen.push(line),
                },
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "chromium did not print its DevTools address; stderr:\n{}",
                        seen.join("\n")
                    ));
                }
            }
        };
        let (ws, _) =
            tungstenite::connect(url.as_str()).map_err(|e| format!("connect {url}: {e}"))?;
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_millis(200)))
                .map_err(|e| e.to_string())?;
        }
        let mut b = Browser {
            child,
            _profile: profile,
            ws,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
        };
        let target = b.browser_call("Target.createTarget", json!({ "url": "about:blank" }))?;
        let target_id = target["targetId"].as_str().unwrap_or_default().to_string();
        let attached = b.browser_call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        )?;
        b.session = attached["sessionId"]
            .as_str()
            .ok_or("no session id")?
            .to_string();
        Ok(b)
    }

    fn browser_call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.send(None, method, params)
    }

    /// Call `method` on the attached page and return its result.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let session = self.session.clone();
        self.send(Some(&session), method, params)
    }

    fn send(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| format!("send {method}: {e}"))?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.read(deadline)? {
                Some(m) if m["id"].as_u64() == Some(id) => {
                    return match m.get("error") {
                        Some(e) => Err(format!("{method} failed: {e}")),
                        None => Ok(m["result"].clone()),
                    };
                }
                Some(_) => {}
                None => return Err(format!("{method}: no answer within {TIMEOUT:?}")),
            }
        }
    }

    /// Wait for the first event named `method` (already received or new).
    pub fn wait_event(&mut self, method: &str) -> Result<Value, String> {
        if let Some(e) = self.events.iter().find(|e| e["method"] == method) {
            return Ok(e.clone());
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.read(deadline)? {
                Some(m) if m["method"] == method => return Ok(m),
                Some(_) => {}
                None => return Err(format!("no {method} within {TIMEOUT:?}")),
            }
        }
    }

    /// Evaluate `expr` in the page and return its value.
    pub fn eval(&mut self, expr: &str) -> Result<Value, String> {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
        )?;
        if let Some(e) = r.get("exceptionDetails") {
            return Err(format!("evaluation threw: {e}"));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Poll `expr` until it is `true`, at most until the timeout.
    pub fn wait_until(&mut self, expr: &str) -> Result<(), String> {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if self.eval(expr)? == Value::Bool(true) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("`{expr}` never became true"))
    }

    /// Read one message; events are recorded (dialogs are dismissed at once
    /// so that a page can never block). `None` once `deadline` passed.
    fn read(&mut self, deadline: Instant) -> Result<Option<Value>, String> {
        loop {
            if Instant::now() >= deadline {
                return Ok(None);
            }
            match self.ws.read() {
                Ok(Message::Text(t)) => {
                    let v: Value = serde_json::from_str(t.as_str()).map_err(|e| e.to_string())?;
                    if v.get("method").is_some() {
                        if v["method"] == "Page.javascriptDialogOpening" {
                            self.next_id += 1;
                            let dismiss = json!({ "id": self.next_id, "sessionId": self.session,
                                "method": "Page.handleJavaScriptDialog", "params": { "accept": false } });
                            self.ws
                                .send(Message::text(dismiss.to_string()))
                                .map_err(|e| e.to_string())?;
                        }
                        self.events.push(v.clone());
                    }
                    return Ok(Some(v));
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => return Err(format!("websocket: {e}")),
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.ws.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
