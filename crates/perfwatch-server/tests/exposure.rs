//! Where the server may listen, and that it stops when told.

use crate::support::Fixture;
use perfwatch_server::{check_exposure, Listening, ServeError};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn beyond_loopback_needs_an_unrevoked_token() {
    let dir = tempfile::tempdir().unwrap();
    let store = perfwatch_store::SqliteStore::open(&dir.path().join("h.db")).unwrap();
    let loopback: [SocketAddr; 2] = [
        "127.0.0.1:8427".parse().unwrap(),
        "[::1]:8427".parse().unwrap(),
    ];
    let exposed: [SocketAddr; 3] = [
        "0.0.0.0:8427".parse().unwrap(),
        "192.168.1.10:8427".parse().unwrap(),
        "[::]:8427".parse().unwrap(),
    ];
    for addr in loopback {
        check_exposure(&addr, &store).unwrap();
    }
    for addr in exposed {
        let e = check_exposure(&addr, &store).unwrap_err();
        assert!(matches!(e, ServeError::ExposedWithoutTokens { .. }), "{e}");
        assert!(e.to_string().contains("perfwatch token create"), "{e}");
    }
    perfwatch_server::tokens::create(&store, "r", perfwatch_store::TokenScope::Read).unwrap();
    for addr in exposed {
        check_exposure(&addr, &store).unwrap();
    }
    use perfwatch_store::Store;
    store.revoke_token("r").unwrap();
    for addr in exposed {
        assert!(check_exposure(&addr, &store).is_err());
    }
}

#[tokio::test]
async fn the_listener_serves_until_shutdown_then_stops() {
    let f = Fixture::new();
    let listening = Listening::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listening.local_addr();
    assert_ne!(addr.port(), 0);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(listening.serve(
        f.router.clone(),
        async {
            let _ = stopped.await;
        },
        Duration::from_secs(5),
    ));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /api/v1/benchmarks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("[]"), "{answer}");
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
