//! The entry points: [`run`] and [`run_blocking`].

use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::plan::Plan;
use crate::target::Target;
use crate::worker::Shared;
use crate::{closed, open, LoadError, LoadReport, LoadSpec, Model};

/// Runs the load described by `spec` against its target and reports the
/// measured part.
///
/// The spec is checked before anything is sent. Spawns its workers with
/// `tokio::spawn`, so it needs a tokio runtime with the time and I/O
/// drivers; a current-thread runtime is enough and cheapest. Returns after
/// `warmup + duration` plus the time the last requests in flight take (at
/// most the request timeout).
pub async fn run(spec: &LoadSpec) -> Result<LoadReport, LoadError> {
    let plan = Plan::compile(spec)?;
    let addrs = resolve(&plan.target).await?;
    let shared = Arc::new(Shared {
        mix: plan.mix,
        addrs,
        timeout: plan.timeout,
    });
    let rng = ChaCha8Rng::seed_from_u64(plan.seed);
    Ok(match plan.model {
        Model::Open { rate, connections } => {
            open::drive(shared, rng, rate, connections, plan.warmup, plan.duration).await
        }
        Model::Closed { concurrency } => {
            closed::drive(shared, rng, concurrency, plan.warmup, plan.duration).await
        }
    })
}

/// Checks `spec` as [`run`] does before it sends anything: the target,
/// the request mix, the model's figures.
pub fn check(spec: &LoadSpec) -> Result<(), LoadError> {
    Plan::compile(spec).map(drop)
}

/// [`run`] on a current-thread tokio runtime of its own, for callers
/// without one. Must not be called from within a runtime.
pub fn run_blocking(spec: &LoadSpec) -> Result<LoadReport, LoadError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(LoadError::Runtime)?
        .block_on(run(spec))
}

/// The target's addresses, looked up once per run (an IP literal needs no
/// lookup).
async fn resolve(target: &Target) -> Result<Vec<std::net::SocketAddr>, LoadError> {
    let fail = |source| LoadError::Resolve {
        host: format!("{}:{}", target.host, target.port),
        source,
    };
    let addrs: Vec<_> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(fail)?
        .collect();
    if addrs.is_empty() {
        return Err(fail(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no address",
        )));
    }
    Ok(addrs)
}
