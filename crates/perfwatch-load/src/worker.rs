//! A worker: one task, one keep-alive connection, one request at a time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::job::{Done, Job, Outcome};
use crate::mix::Mix;

/// What every worker reads: the compiled mix and where to connect.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) mix: Mix,
    pub(crate) addrs: Vec<SocketAddr>,
    pub(crate) timeout: Duration,
}

/// Runs jobs from `jobs` until the driver drops its sender, reporting each
/// on `done`.
pub(crate) async fn serve(
    worker: usize,
    shared: Arc<Shared>,
    mut jobs: mpsc::Receiver<Job>,
    done: mpsc::UnboundedSender<Done>,
) {
    let mut conn: Option<Connection> = None;
    while let Some(job) = jobs.recv().await {
        let recorded = job.recorded;
        let (latency, outcome) = exchange_timed(&shared, &mut conn, job).await;
        let report = Done {
            worker,
            recorded,
            latency,
            outcome,
        };
        if done.send(report).is_err() {
            return;
        }
    }
}

/// Runs `job` on `conn` (opened when needed) within the timeout: its
/// latency and how it ended. Open model: the latency counts from the
/// intended time, or from the actual send when the driver woke a little
/// early to meet the timetable; closed model: from the actual send.
pub(crate) async fn exchange_timed(
    shared: &Shared,
    conn: &mut Option<Connection>,
    job: Job,
) -> (Duration, Outcome) {
    let sent_at = Instant::now();
    let origin = job
        .intended
        .map_or(sent_at, |intended| intended.max(sent_at));
    let outcome = match tokio::time::timeout(shared.timeout, exchange(shared, conn, job)).await {
        Ok(Ok(code)) => Outcome::Response(code),
        Ok(Err(failure)) => failure,
        // The exchange future, and the connection it held, are dropped:
        // the socket closes and the next job connects anew.
        Err(_elapsed) => Outcome::Timeout,
    };
    (Instant::now().saturating_duration_since(origin), outcome)
}

/// Sends one request and reads its whole response; on success the
/// connection is put back in `conn` for the next job.
async fn exchange(
    shared: &Shared,
    conn: &mut Option<Connection>,
    job: Job,
) -> Result<u16, Outcome> {
    let mut c = match conn.take() {
        Some(mut c) if !c.sender.is_closed() => match c.sender.ready().await {
            Ok(()) => c,
            // The service closed it between requests (keep-alive timeout).
            Err(_) => Connection::open(&shared.addrs).await?,
        },
        _ => Connection::open(&shared.addrs).await?,
    };
    c.sender.ready().await.map_err(|_| Outcome::Transport)?;

    let compiled = shared.mix.request(job.request);
    let mut request = Request::new(Full::new(compiled.body.clone()));
    *request.method_mut() = compiled.method.clone();
    *request.uri_mut() = job.uri;
    *request.headers_mut() = compiled.headers.clone();

    let response = c
        .sender
        .send_request(request)
        .await
        .map_err(|_| Outcome::Transport)?;
    let status = response.status().as_u16();
    // The response ends with its last byte: drain the body frame by frame
    // without collecting it.
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        frame.map_err(|_| Outcome::Transport)?;
    }
    *conn = Some(c);
    Ok(status)
}

/// An HTTP/1 client connection and the task that drives it.
pub(crate) struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
    driver: JoinHandle<()>,
}

impl Connection {
    async fn open(addrs: &[SocketAddr]) -> Result<Connection, Outcome> {
        let stream = TcpStream::connect(addrs)
            .await
            .map_err(|_| Outcome::Connect)?;
        // Requests are small and written at once: do not wait for ACKs.
        let _ = stream.set_nodelay(true);
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|_| Outcome::Connect)?;
        let driver = tokio::spawn(async move {
            // Its error, if any, reaches the sender's request as well.
            let _ = connection.await;
        });
        Ok(Connection { sender, driver })
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // A connection dropped mid-response (timeout) would otherwise wait
        // on the service forever.
        self.driver.abort();
    }
}
