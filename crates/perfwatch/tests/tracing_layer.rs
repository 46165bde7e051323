//! `tracing` spans through `perfwatch::tracing_layer()`.

use crate::harness::scenario as run;
use tracing_subscriber::prelude::*;

pub fn scenario() {
    let _guard = tracing_subscriber::registry()
        .with(perfwatch::tracing_layer())
        .set_default();
    let job = tracing::info_span!("t_job", perfwatch.tier = "system");
    {
        let _j = job.enter();
        let download = tracing::info_span!("t_download", perfwatch.tier = "method");
        {
            let _d = download.enter();
            let _native = perfwatch::span!("t_native");
            tracing::error!("boom");
        }
        drop(download);
        // Explicit parent, created outside it.
        let _detached = tracing::info_span!(parent: None, "t_root");
        let _child = tracing::info_span!(parent: &job, "t_explicit");
    }
    drop(job);
    for _ in 0..1_200 {
        let _s = tracing::info_span!("t_hot").entered();
    }
    perfwatch::flush();
}

#[test]
fn tracing_spans_become_stages() {
    let run = run("tracing").run();
    let job = run.one("t_job");
    let download = run.one("t_download");
    assert_eq!(job.tier.as_deref(), Some("system"));
    assert_eq!(
        job.component.as_deref(),
        Some(module_path!()),
        "the target is the component"
    );
    assert_eq!(download.parent.as_ref(), Some(&job.id));
    assert_eq!(download.tier.as_deref(), Some("method"));
    assert!(!download.ok, "an ERROR event marks the span failed");
    assert!(job.ok);
    assert_eq!(run.one("t_native").parent.as_ref(), Some(&download.id));
    assert_eq!(run.one("t_root").parent, None);
    assert_eq!(run.one("t_explicit").parent.as_ref(), Some(&job.id));
    assert_eq!(run.calls("t_hot"), 1_200);
    assert_eq!(run.named("t_hot").len(), 1_000);
}
