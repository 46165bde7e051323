//! `/api/playlist`: the JSON shape, the length limits, repeatability.

use serde_json::Value;

use crate::harness::Service;

fn tracks(body: &str) -> Vec<Value> {
    let json: Value = serde_json::from_str(body).unwrap();
    json["tracks"].as_array().unwrap().clone()
}

#[test]
fn playlist_answers_len_tracks_for_its_seed() {
    let service = Service::start(&["--init", "lazy"]);
    let body = service.get("/api/playlist?seed=7&len=25");
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["seed"], 7);
    assert_eq!(tracks(&body).len(), 25);
    assert!(tracks(&body).iter().all(Value::is_u64));
    assert_eq!(service.get("/api/playlist?seed=7&len=25"), body);
    assert_ne!(service.get("/api/playlist?seed=8&len=25"), body);
}

#[test]
fn playlist_len_defaults_to_ten_and_stops_at_a_hundred() {
    let service = Service::start(&["--init", "lazy"]);
    assert_eq!(tracks(&service.get("/api/playlist?seed=1")).len(), 10);
    assert_eq!(
        tracks(&service.get("/api/playlist?seed=1&len=100")).len(),
        100
    );
    let too_long = service.url("/api/playlist?seed=1&len=101");
    match crate::harness::agent().get(too_long).call() {
        Err(ureq::Error::StatusCode(status)) => assert_eq!(status, 400),
        other => panic!("len=101 answered {other:?}"),
    }
}
