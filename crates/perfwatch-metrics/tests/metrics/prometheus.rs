//! A real Prometheus server scrapes the exposition and gives a perfwatch
//! series back through its query API, equal to the analysis's figure.

use super::support::*;
use perfwatch_metrics::{MetricsHub, CONTENT_TYPE};
use perfwatch_testkit::prometheus::PrometheusServer;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::Duration;

/// Longest wait for Prometheus to scrape and store a sample.
const WAIT: Duration = Duration::from_secs(30);

/// A minimal HTTP server answering `GET /metrics` with the hub's
/// exposition in the format the `Accept` header asks for, as the server
/// will; stopped on drop.
struct MetricsServer {
    addr: SocketAddr,
    /// The `Content-Type` of each answer to `GET /metrics`.
    served: Arc<Mutex<Vec<&'static str>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    fn start(hub: Arc<MetricsHub>) -> MetricsServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let served = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&served);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                // A broken connection is the scraper's problem; it retries.
                if let Ok(Some(content_type)) = stream.and_then(|s| answer(s, &hub)) {
                    log.lock().unwrap().push(content_type);
                }
            }
        });
        MetricsServer {
            addr,
            served,
            stop,
            thread: Some(thread),
        }
    }
}

/// Answers one request; the `Content-Type` of a `/metrics` answer.
fn answer(mut stream: TcpStream, hub: &MetricsHub) -> std::io::Result<Option<&'static str>> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let accept = head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case("accept"))
        })
        .map(|(_, v)| v.trim());
    let metrics = head.starts_with("GET /metrics ");
    let (status, content_type, body) = if metrics {
        let (content_type, body) = hub.render_for(accept);
        ("200 OK", content_type, body)
    } else {
        ("404 Not Found", "text/plain", "not found\n".to_owned())
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    Ok(metrics.then_some(content_type))
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn prometheus_scrapes_perfwatch_and_reads_back_the_latest_median() {
    let history = two_benchmarks();
    let hub = Arc::new(refreshed_hub(
        &history.store,
        perfwatch_metrics::DEFAULT_MAX_SERIES,
    ));
    hub.record_request("/api/v1/sessions", "GET", 200, Duration::from_millis(2));
    let server = MetricsServer::start(Arc::clone(&hub));
    let Some(prom) = PrometheusServer::require(&[server.addr]) else {
        return;
    };
    prom.wait_until_scraped(WAIT)
        .unwrap_or_else(|e| panic!("{e}\n{}", prom.log()));

    let etl = analysis(&history.store, &history.latest["etl"]);
    let wall = etl.variants[0].summary["wall_s"];
    let query =
        r#"perfwatch_latest_median_seconds{benchmark="etl",variant="default",metric="wall_s"}"#;
    let found = prom.query_until_found(query, WAIT).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].value, wall.median);
    assert_eq!(found[0].labels["job"], "perfwatch");

    let parse = etl.variants[0]
        .stages
        .iter()
        .find(|s| s.path == "transform/parse")
        .unwrap();
    let query =
        r#"perfwatch_latest_stage_median_ci_high_seconds{benchmark="etl",stage="transform/parse"}"#;
    assert_eq!(
        prom.query_until_found(query, WAIT).unwrap()[0].value,
        parse.total_s.ci_high
    );

    // Counters keep their OpenMetrics `_total` name through Prometheus.
    let requests = prom
        .query_until_found(
            r#"perfwatch_api_requests_total{route="/api/v1/sessions"}"#,
            WAIT,
        )
        .unwrap();
    assert_eq!(requests[0].value, 1.0);
    let served = server.served.lock().unwrap().clone();
    assert!(
        !served.is_empty() && served.iter().all(|c| *c == CONTENT_TYPE),
        "Prometheus asked for OpenMetrics: {served:?}"
    );
    drop(prom);
    drop(server);
}
