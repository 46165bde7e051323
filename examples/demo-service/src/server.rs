//! Starting, serving and stopping the service.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::app::App;
use crate::catalogue::Catalogue;
use crate::config::{Config, Init};
use crate::error::Error;
use crate::routes::router;
use crate::shutdown::Stopping;

/// How long in-flight requests may take to finish after a shutdown signal.
const GRACE: Duration = Duration::from_secs(2);

/// Runs the service until SIGTERM or Ctrl-C; returns once it has stopped.
pub fn run(config: Config) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers.get())
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let result = runtime.block_on(serve(config));
    // Do not wait for a lazy catalogue build that nobody needs any more.
    runtime.shutdown_timeout(Duration::from_millis(100));
    result
}

async fn serve(config: Config) -> Result<(), Error> {
    let stopping = Stopping::install()?;
    let catalogue = match config.init {
        Init::Lazy => None,
        Init::Eager => tokio::select! {
            catalogue = Catalogue::load() => Some(catalogue),
            () = stopping.clone().wait() => return Ok(()),
        },
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    let local = listener.local_addr().map_err(Error::Serve)?;
    let app = Arc::new(App::new(&config, catalogue));
    let server = axum::serve(listener, router(app)).with_graceful_shutdown(stopping.clone().wait());
    eprintln!("demo-service listening on http://{local}");
    tokio::select! {
        served = server => served.map_err(Error::Serve),
        () = async { stopping.wait().await; tokio::time::sleep(GRACE).await } => {
            eprintln!("demo-service: in-flight requests cut off after {GRACE:?}");
            Ok(())
        }
    }
}
