//! What the load generator itself costs in CPU.
//!
//! Runs the open model at 2,000 req/s for 3 s (or `cost RATE SECONDS`)
//! against a trivial in-process service and prints the generator's CPU
//! time per 10,000 requests.
//!
//! The service runs on a thread of its own; the generator runs
//! [`run_blocking`] on the main thread, whose current-thread runtime does
//! all of its work there (the target is an IP literal, so not even a DNS
//! lookup leaves the thread). The main thread's own CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`) therefore measures the generator alone; the
//! process's `getrusage` figure, service included, is printed beside it.
//!
//! ```text
//! cargo run --release -p perfwatch-load --example cost
//! ```

use std::time::Duration;

use axum::routing::get;
use axum::Router;
use perfwatch_load::{run_blocking, LoadSpec, Model};

fn main() {
    let mut args = std::env::args().skip(1);
    let rate: f64 = args.next().map_or(2000.0, |a| a.parse().expect("RATE"));
    let seconds: f64 = args.next().map_or(3.0, |a| a.parse().expect("SECONDS"));

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("service runtime")
            .block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let router = Router::new().route("/", get(|| async { "ok" }));
                axum::serve(listener, router).await.expect("serve");
            });
    });

    let mut spec = LoadSpec::new(format!("http://{addr}"), Model::open(rate));
    spec.warmup = Duration::ZERO;
    spec.duration = Duration::from_secs_f64(seconds);

    let (thread_before, process_before) = (thread_cpu(), process_cpu());
    let report = run_blocking(&spec).expect("load run");
    let (thread_cpu, process_cpu) = (thread_cpu() - thread_before, process_cpu() - process_before);

    let per_10k = |cpu: Duration| cpu.as_secs_f64() * 1e4 / report.sent.max(1) as f64;
    let latency = report.percentiles().expect("requests completed");
    println!(
        "open model {rate} req/s for {seconds} s: sent {}, completed {}, late {}, dropped {}, errors {}",
        report.sent,
        report.completed,
        report.late,
        report.dropped,
        report.errors.total()
    );
    println!(
        "latency p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latency.p50 * 1e3,
        latency.p99 * 1e3,
        latency.max * 1e3
    );
    println!(
        "generator CPU (its thread): {:.3} s = {:.3} s per 10,000 requests ({:.1} us per request, {:.1} % of a core)",
        thread_cpu.as_secs_f64(),
        per_10k(thread_cpu),
        per_10k(thread_cpu) * 100.0,
        thread_cpu.as_secs_f64() / seconds * 100.0
    );
    println!(
        "process CPU (generator + service): {:.3} s = {:.3} s per 10,000 requests",
        process_cpu.as_secs_f64(),
        per_10k(process_cpu)
    );
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// User plus system CPU time of the whole process.
fn process_cpu() -> Duration {
    // SAFETY: an all-zero rusage is a valid value to be overwritten.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    let time = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}
