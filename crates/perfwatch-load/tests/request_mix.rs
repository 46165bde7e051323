//! Placeholders expand per request and weights split the mix.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::http::Uri;
use axum::Router;
use perfwatch_load::{run_blocking, LoadSpec, Model};

use crate::support::{get, ms, spec, TestServer};

/// A service that answers everything and keeps every path and query.
fn recording_server() -> (TestServer, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let router = Router::new().fallback(move |uri: Uri| {
        log.lock().unwrap().push(uri.to_string());
        async { "ok" }
    });
    (TestServer::start(router), seen)
}

fn mix_spec(url: &str, seed: u64) -> LoadSpec {
    let mut spec = spec(url, Model::open(400.0), ms(500));
    spec.requests = vec![get("/a/{seq}?r={rand:0..5}", 3), get("/b/{seq}", 1)];
    spec.seed = seed;
    spec
}

/// The requests seen, by running number: `(seq, "a" or "b", r)`.
fn by_seq(paths: &[String]) -> BTreeMap<u64, (String, Option<u64>)> {
    paths
        .iter()
        .map(|path| {
            let (route, rest) = path[1..].split_once('/').expect("two segments");
            let (seq, r) = match rest.split_once("?r=") {
                Some((seq, r)) => (seq, Some(r.parse().unwrap())),
                None => (rest, None),
            };
            (seq.parse().unwrap(), (route.to_owned(), r))
        })
        .collect()
}

#[test]
fn placeholders_expand_and_weights_split_three_to_one() {
    let (server, seen) = recording_server();
    let report = run_blocking(&mix_spec(&server.url(), 1)).unwrap();
    let requests = by_seq(&seen.lock().unwrap());

    assert_eq!(requests.len() as u64, report.sent, "every {{seq}} distinct");
    assert!(
        requests.keys().copied().eq(0..report.sent),
        "{{seq}} runs 0, 1, 2 …"
    );
    let a = requests.values().filter(|(route, _)| route == "a").count() as f64;
    let share = a / requests.len() as f64;
    assert!((0.6..0.9).contains(&share), "weight 3:1 gave {share}");
    let draws: Vec<u64> = requests.values().filter_map(|(_, r)| *r).collect();
    assert!(draws.iter().all(|r| *r < 5), "{draws:?}");
    for value in 0..5 {
        assert!(draws.contains(&value), "{value} never drawn");
    }
}

#[test]
fn the_same_seed_sends_the_same_requests() {
    let run = |seed| {
        std::thread::spawn(move || {
            let (server, seen) = recording_server();
            let mut spec = mix_spec(&server.url(), seed);
            spec.duration = ms(250);
            run_blocking(&spec).unwrap();
            let paths = seen.lock().unwrap().clone();
            by_seq(&paths)
        })
    };
    let (first, second, other) = (run(7), run(7), run(8));
    let (first, second, other) = (
        first.join().unwrap(),
        second.join().unwrap(),
        other.join().unwrap(),
    );
    assert_eq!(first, second);
    assert_ne!(first, other);
}
