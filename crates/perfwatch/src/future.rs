//! Spans around futures: from the first poll to completion, whatever
//! threads the polls run on.

use crate::clock;
use crate::global;
use crate::record::{SpanRec, FLAG_CANCELLED};
use crate::thread::{self, Detached};
use crate::tier::Site;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future that records a span of `site` around another.
///
/// The span starts at the first poll and ends at completion; while it is
/// polled, spans opened inside are its children. A future dropped before
/// completion is written with the attribute `cancelled`.
#[must_use = "futures do nothing unless polled"]
pub struct Instrumented<F: Future> {
    inner: F,
    site: &'static Site,
    failed_if: Option<fn(&F::Output) -> bool>,
    span: Option<Detached>,
    ok: bool,
    done: bool,
}

impl<F: Future> std::fmt::Debug for Instrumented<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instrumented")
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

/// Records a span of `site` around `future` (what
/// [`#[profile]`](crate::profile) does for an `async fn`).
///
/// ```
/// static SITE: perfwatch::Site = perfwatch::Site::new("fetch", None, None);
/// let fut = perfwatch::instrument(&SITE, async { 2 + 2 });
/// # drop(fut);
/// ```
pub fn instrument<F: Future>(site: &'static Site, future: F) -> Instrumented<F> {
    Instrumented {
        inner: future,
        site,
        failed_if: None,
        span: None,
        ok: true,
        done: false,
    }
}

/// Like [`instrument`], and an `Err` output marks the call failed.
pub fn instrument_result<F, T, E>(site: &'static Site, future: F) -> Instrumented<F>
where
    F: Future<Output = Result<T, E>>,
{
    let mut instrumented = instrument(site, future);
    instrumented.failed_if = Some(Result::is_err);
    instrumented
}

/// Pops the resumed frame even when the inner poll panics.
struct Resumed {
    depth: u32,
    id: u64,
}

impl Drop for Resumed {
    fn drop(&mut self) {
        thread::with(|t| t.suspend(self.depth, self.id));
    }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is never moved out of `self`; the other fields
        // are not structurally pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if this.span.is_none() && !this.done && global::recording() {
            let site = this.site;
            this.span = thread::with(|t| t.begin_detached(site, None));
        }
        let resumed = this.span.as_ref().and_then(|span| {
            let (site, id) = (this.site, span.id);
            thread::with(|t| t.resume(site, id)).map(|depth| Resumed { depth, id })
        });
        // SAFETY: see above; `inner` stays where it is.
        let poll = unsafe { Pin::new_unchecked(&mut this.inner) }.poll(cx);
        drop(resumed);
        if let Poll::Ready(output) = &poll {
            if this.failed_if.is_some_and(|failed| failed(output)) {
                this.ok = false;
            }
            this.finish(0);
        }
        poll
    }
}

impl<F: Future> Instrumented<F> {
    fn finish(&mut self, flags: u8) {
        self.done = true;
        let Some(span) = self.span.take() else {
            return;
        };
        let end = clock::now();
        match span.folded {
            Some((shared, slot)) => shared
                .slots
                .get(slot)
                .record_call(span.start, end, self.ok, true),
            None => {
                let record = SpanRec {
                    id: span.id,
                    parent: span.parent,
                    site: self.site,
                    start: span.start,
                    end,
                    ok: self.ok,
                    flags,
                    alloc_bytes: 0,
                    allocs: 0,
                };
                thread::with(|t| t.push_span(record));
            }
        }
    }
}

impl<F: Future> Drop for Instrumented<F> {
    fn drop(&mut self) {
        if self.span.is_some() {
            self.finish(FLAG_CANCELLED);
        }
    }
}
