//! A small multi-stage batch job, perfwatch's bundled example.
//!
//! It processes a few "tracks" the way the browser-automation job in
//! perfwatch's motivating write-ups did, with the same three planted
//! problems, each switchable from the environment so that perfwatch
//! variants can compare them:
//!
//! * `DEMO_WAIT=fixed` (default) waits a fixed 200 ms after activating a
//!   track; `DEMO_WAIT=condition` polls the real condition, ready after 40 ms.
//! * `DEMO_POLL_MS=100` (default) polls the download every 100 ms although
//!   it is done after 50 ms; `DEMO_POLL_MS=10` polls finely.
//! * The first fetch pays a 150 ms cold start (a connection set-up) unless
//!   `DEMO_WARM=1`.
//!
//! Each step is a stage reported through the `perfwatch` probe, so
//! `perfwatch run`/`ab`/`report` show where the time goes. Outside
//! perfwatch the probe costs about a branch per stage.
//!
//! Usage: `demo-pipeline [--tracks N]` (default 3).

use std::time::{Duration, Instant};

/// Fixed wait of the `fixed` strategy.
const FIXED_WAIT: Duration = Duration::from_millis(200);
/// When the activation condition really becomes true.
const ACTIVATION_READY: Duration = Duration::from_millis(40);
/// When the download really completes.
const DOWNLOAD_DONE: Duration = Duration::from_millis(50);
/// Extra cost of the first fetch.
const COLD_START: Duration = Duration::from_millis(150);
/// Regular fetch time.
const FETCH: Duration = Duration::from_millis(20);

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

struct Settings {
    tracks: u32,
    fixed_wait: bool,
    poll: Duration,
    warm: bool,
}

fn settings() -> Result<Settings, String> {
    let mut tracks = 3;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tracks" => {
                tracks = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--tracks needs a number")?
            }
            "-h" | "--help" => {
                println!("usage: demo-pipeline [--tracks N]\nenv: DEMO_WAIT=fixed|condition DEMO_POLL_MS=N DEMO_WARM=1");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let fixed_wait = match env("DEMO_WAIT").as_deref() {
        None | Some("fixed") => true,
        Some("condition") => false,
        Some(other) => {
            return Err(format!(
                "DEMO_WAIT must be fixed or condition, not `{other}`"
            ))
        }
    };
    let poll_ms: u64 = env("DEMO_POLL_MS")
        .map(|v| {
            v.parse()
                .map_err(|_| format!("DEMO_POLL_MS `{v}` is not a number"))
        })
        .transpose()?
        .unwrap_or(100);
    Ok(Settings {
        tracks,
        fixed_wait,
        poll: Duration::from_millis(poll_ms.max(1)),
        warm: env("DEMO_WARM").is_some(),
    })
}

/// CPU work standing in for encoding: a checksum over a buffer.
fn encode(track: u32) -> u64 {
    let data: Vec<u8> = (0..4_000_000u32).map(|i| (i ^ track) as u8).collect();
    let mut h: u64 = 0xcbf29ce484222325;
    for _ in 0..3 {
        for b in &data {
            h = (h ^ u64::from(*b)).wrapping_mul(0x100000001b3);
        }
    }
    h
}

/// Poll `ready` every `interval` until it holds; counts the checks as the
/// `polls` counter of the enclosing stage.
fn poll_until(interval: Duration, ready: impl Fn() -> bool) {
    let mut polls = 1u32;
    while !ready() {
        std::thread::sleep(interval);
        polls += 1;
    }
    perfwatch::counter!("polls", polls);
}

fn main() {
    let s = match settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("demo-pipeline: {e}");
            std::process::exit(2);
        }
    };
    let job = perfwatch::span!("job", tier = System);
    let mut checksum = 0u64;
    for track in 0..s.tracks {
        let _track = perfwatch::span!("track", tier = Component, component = "pipeline");
        {
            // fetch: the first call pays a cold start.
            let _s = perfwatch::span!("fetch", tier = Method, component = "download");
            let cold = track == 0 && !s.warm;
            std::thread::sleep(FETCH + if cold { COLD_START } else { Duration::ZERO });
        }
        {
            // activate: a fixed wait, or wait for the condition itself.
            let _s = perfwatch::span!("activate", tier = Method, component = "player");
            let started = Instant::now();
            if s.fixed_wait {
                std::thread::sleep(FIXED_WAIT);
            } else {
                poll_until(Duration::from_millis(2), || {
                    started.elapsed() >= ACTIVATION_READY
                });
            }
        }
        {
            // monitor_download: polled at the configured interval.
            let _s = perfwatch::span!("monitor_download", tier = Method, component = "download");
            let started = Instant::now();
            poll_until(s.poll, || started.elapsed() >= DOWNLOAD_DONE);
        }
        {
            let _s = perfwatch::span!("encode", tier = Method, component = "encoder");
            checksum ^= encode(track);
        }
        perfwatch::counter!("tracks", 1);
    }
    drop(job);
    println!("processed {} tracks, checksum {checksum:016x}", s.tracks);
}
