//! The figures of a monitored pipeline's session: runs the server notes
//! as it stores them give the same exposition as runs read back from the
//! store.

use perfwatch_app::monitor::test_runs::{run, DAY};
use perfwatch_app::monitor::{store_runs, CompletedRun, MonitoredSessions, StoredRuns};
use perfwatch_app::Options;
use perfwatch_metrics::{MetricsHub, DEFAULT_MAX_SERIES};
use perfwatch_model::Session;
use perfwatch_store::{SqliteStore, Store};

/// `n` runs of `shop/order` 1.0 from second `from` of the day, whose
/// `price` stage takes `price_s` (jittered by 0.1 % per run).
fn runs(from: u64, n: u64, price_s: f64) -> Vec<CompletedRun> {
    (from..from + n)
        .map(|i| {
            run(
                "1.0",
                DAY + i * 1_000_000_000,
                price_s * (1.0 + i as f64 * 1e-3),
            )
        })
        .collect()
}

fn session(store: &SqliteStore, id: &str) -> Session {
    store.load_recent(id, 0).unwrap().0
}

#[test]
fn noted_runs_give_the_figures_of_runs_read_from_the_store() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut known = MonitoredSessions::default();
    let opts = Options::default();
    let hub = MetricsHub::new(DEFAULT_MAX_SERIES);
    let first = store_runs(&store, &mut known, runs(0, 20, 0.1));
    let id = first.stored[0].0.clone();
    assert!(hub
        .show_session(&store, &opts, &session(&store, &id))
        .unwrap());
    let before = hub.render();

    // The hub's figures once it is told of `noted`, and those of a hub
    // that reads every run from the store.
    let shown_and_fresh = |noted: &StoredRuns| {
        hub.note_stored(noted.stored.iter().map(|(id, it)| (id.as_str(), it)));
        assert!(hub
            .show_session(&store, &opts, &session(&store, &id))
            .unwrap());
        let fresh = MetricsHub::new(DEFAULT_MAX_SERIES);
        assert!(fresh
            .show_session(&store, &opts, &session(&store, &id))
            .unwrap());
        (hub.render(), fresh.render())
    };
    // Slower runs, told to the hub as stored: its figures move with them,
    // exactly as a hub that reads every run from the store shows them.
    let later = store_runs(&store, &mut known, runs(20, 40, 0.3));
    let (shown, fresh) = shown_and_fresh(&later);
    assert_eq!(shown, fresh);
    assert_ne!(shown, before, "the figures took the later runs");

    // Runs stored but never noted (another server's) are read.
    store_runs(&store, &mut known, runs(60, 5, 0.5));
    let noted = store_runs(&store, &mut known, runs(65, 5, 0.5));
    let (shown, fresh) = shown_and_fresh(&noted);
    assert_eq!(shown, fresh);
}
