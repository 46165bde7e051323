//! `#[profile]` on `async fn`s: one span from first poll to completion.

use crate::harness::scenario as run;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Polls `fut` to completion on this thread.
fn block_on<F: Future>(fut: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// Pending once, then ready: forces a second poll.
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

#[perfwatch::profile(tier = Operation)]
async fn fetch(fail: bool) -> Result<u8, String> {
    yield_once().await;
    {
        let _s = perfwatch::span!("fetch.parse");
    }
    let n: u8 = "3".parse().map_err(|_| "bad".to_string())?;
    yield_once().await;
    if fail {
        return Err("asked to".into());
    }
    Ok(n)
}

#[perfwatch::profile]
async fn unit() {
    yield_once().await;
}

pub fn scenario() {
    let _job = perfwatch::span!("async_job");
    assert_eq!(block_on(fetch(false)), Ok(3));
    assert!(block_on(fetch(true)).is_err());
    block_on(unit());
    // A future dropped after its first poll is written as cancelled.
    {
        let mut fut = Box::pin(fetch(false));
        let waker = Waker::noop();
        assert!(fut
            .as_mut()
            .poll(&mut Context::from_waker(waker))
            .is_pending());
    }
    drop(_job);
    perfwatch::flush();
}

#[test]
fn instrumented_futures_stay_send() {
    fn assert_send<T: Send>(_: &T) {}
    let fut = fetch(false);
    assert_send(&fut);
}

#[test]
fn async_fns_record_one_span_per_call() {
    let run = run("async").run();
    let job = run.one("async_job");
    let calls = run.named("fetch");
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(calls.iter().all(|c| c.parent.as_ref() == Some(&job.id)));
    assert!(calls.iter().all(|c| c.tier.as_deref() == Some("operation")));
    assert_eq!(calls.iter().filter(|c| !c.ok).count(), 1);
    let cancelled: Vec<_> = calls
        .iter()
        .filter(|c| c.attrs.contains_key("cancelled"))
        .collect();
    assert_eq!(cancelled.len(), 1);
    let parses = run.named("fetch.parse");
    assert_eq!(parses.len(), 2, "the cancelled call stopped before parsing");
    for p in &parses {
        assert!(
            calls.iter().any(|c| Some(&c.id) == p.parent.as_ref()),
            "{p:?} inside a fetch"
        );
    }
    assert_eq!(run.one("unit").parent, Some(job.id));
}
