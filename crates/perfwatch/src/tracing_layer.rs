//! `tracing` spans as stages: a `tracing_subscriber` layer.

use crate::clock;
use crate::global;
use crate::record::SpanRec;
use crate::thread::{self, Detached};
use crate::tier::{Site, Tier};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id};
use tracing_core::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// The field that sets a span's tier: `info_span!("parse", perfwatch.tier = "method")`.
const TIER_FIELD: &str = "perfwatch.tier";

/// A layer that records every `tracing` span as a stage.
///
/// A span's name is the stage, its target the component, and an optional
/// `perfwatch.tier` field (`"system"`, `"component"`, `"method"`,
/// `"operation"`) the tier. It lasts from creation to close; entering it
/// makes probe spans opened inside its children. An `ERROR` event inside a
/// span marks it failed.
///
/// ```
/// use tracing_subscriber::prelude::*;
/// let _guard = tracing_subscriber::registry()
///     .with(perfwatch::tracing_layer())
///     .set_default();
/// let span = tracing::info_span!("download", perfwatch.tier = "method");
/// let _entered = span.enter();
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct PerfwatchLayer {
    _private: (),
}

/// The layer that reports `tracing` spans to perfwatch:
/// `tracing_subscriber::registry().with(perfwatch::tracing_layer()).init()`.
pub fn tracing_layer() -> PerfwatchLayer {
    PerfwatchLayer::default()
}

/// What the layer keeps in a span's extensions.
struct Data {
    site: &'static Site,
    span: Detached,
    ok: bool,
}

#[derive(Default)]
struct TierVisitor(Option<Tier>);

impl Visit for TierVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == TIER_FIELD {
            self.0 = Tier::from_key(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == TIER_FIELD {
            self.0 = Tier::from_key(format!("{value:?}").trim_matches('"'));
        }
    }
}

/// The site of a `tracing` callsite and tier, kept per thread.
fn site_of(meta: &'static Metadata<'static>, tier: Option<Tier>) -> &'static Site {
    thread_local! {
        static SITES: RefCell<HashMap<(usize, Option<Tier>), &'static Site>> = RefCell::new(HashMap::new());
    }
    let key = (meta as *const Metadata<'static> as usize, tier);
    let make = || Site::intern(meta.name(), tier, Some(meta.target()));
    SITES
        .try_with(|sites| *sites.borrow_mut().entry(key).or_insert_with(make))
        .unwrap_or_else(|_| make())
}

impl<S> Layer<S> for PerfwatchLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if !global::recording() {
            return;
        }
        let mut tier = TierVisitor::default();
        attrs.record(&mut tier);
        let site = site_of(attrs.metadata(), tier.0);
        let parent = if attrs.is_root() {
            Some(0)
        } else if let Some(parent) = attrs.parent() {
            ctx.span(parent)
                .and_then(|p| p.extensions().get::<Data>().map(|d| d.span.id))
        } else {
            // Contextual: the innermost open span on this thread, which
            // includes entered `tracing` spans.
            None
        };
        let Some(span) = thread::with(|t| t.begin_detached(site, parent)) else {
            return;
        };
        if let Some(s) = ctx.span(id) {
            s.extensions_mut().insert(Data {
                site,
                span,
                ok: true,
            });
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(s) = ctx.span(id) else { return };
        let ext = s.extensions();
        if let Some(data) = ext.get::<Data>() {
            let (site, span_id) = (data.site, data.span.id);
            thread::with(|t| t.resume(site, span_id));
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(s) = ctx.span(id) else { return };
        let ext = s.extensions();
        if let Some(data) = ext.get::<Data>() {
            let span_id = data.span.id;
            thread::with(|t| t.suspend_id(span_id));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if *event.metadata().level() != Level::ERROR {
            return;
        }
        if let Some(s) = ctx.event_span(event) {
            if let Some(data) = s.extensions_mut().get_mut::<Data>() {
                data.ok = false;
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(s) = ctx.span(&id) else { return };
        let Some(data) = s.extensions_mut().remove::<Data>() else {
            return;
        };
        let end = clock::now();
        let span = data.span;
        match span.folded {
            Some((shared, slot)) => shared
                .slots
                .get(slot)
                .record_call(span.start, end, data.ok, true),
            None => {
                let record = SpanRec {
                    id: span.id,
                    parent: span.parent,
                    site: data.site,
                    start: span.start,
                    end,
                    ok: data.ok,
                    flags: 0,
                    alloc_bytes: 0,
                    allocs: 0,
                };
                thread::with(|t| t.push_span(record));
            }
        }
    }
}
