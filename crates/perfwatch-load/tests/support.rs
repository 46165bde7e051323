//! Loopback test services and spec shorthands.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use perfwatch_load::{LoadSpec, Model, RequestSpec};
use tokio::sync::oneshot;

/// An axum service on its own thread and runtime; stopped (handlers still
/// waiting included) when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start(router: Router) -> TestServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                tokio::select! {
                    _ = axum::serve(listener, router) => {}
                    _ = stopped => {}
                }
            });
            // Dropping the runtime cancels handlers that never answer.
        });
        TestServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `GET /` at `model` for `duration`, no warmup, 2 s timeout.
pub fn spec(url: &str, model: Model, duration: Duration) -> LoadSpec {
    let mut spec = LoadSpec::new(url, model);
    spec.duration = duration;
    spec.warmup = Duration::ZERO;
    spec.timeout = Duration::from_secs(2);
    spec
}

pub fn get(path: &str, weight: u32) -> RequestSpec {
    RequestSpec::get(path).weight(weight)
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
