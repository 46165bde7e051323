//! A target with nothing listening: errors counted, the run ends on time.

use std::time::Instant;

use perfwatch_load::{run_blocking, Model};

use crate::support::{ms, spec};

/// A loopback URL whose port was just free.
fn nobody_listening() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

#[test]
fn refused_connections_are_connect_errors_and_the_run_ends_on_time() {
    let url = nobody_listening();
    for model in [Model::open(100.0), Model::closed(2)] {
        let began = Instant::now();
        let report = run_blocking(&spec(&url, model, ms(500))).unwrap();
        let took = began.elapsed();

        assert!(report.sent > 0, "{model:?}: {report:?}");
        assert_eq!(report.errors.connect, report.sent, "{model:?}: {report:?}");
        assert_eq!((report.completed, report.timeouts), (0, 0));
        assert!(report.percentiles().is_none());
        assert!(took < ms(1500), "{model:?} took {took:?}");
    }
}
