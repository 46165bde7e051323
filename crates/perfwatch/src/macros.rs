//! `span!`, `counter!` and `gauge!`.

/// Opens a span; the stage ends when the returned [`Span`](crate::Span) is
/// dropped.
///
/// ```
/// let _s = perfwatch::span!("download");
/// let _t = perfwatch::span!("parse", tier = Method);
/// let _u = perfwatch::span!("fetch", tier = Operation, component = "download_manager");
/// let _v = perfwatch::span!("store", component = "db");
/// ```
///
/// The name and component must be constant `&'static str`s (each call site
/// keeps them in a `static`); for names made at run time use
/// [`Span::enter`](crate::Span::enter) with [`Site::intern`](crate::Site::intern).
#[macro_export]
macro_rules! span {
    (@site $name:expr, $tier:expr, $component:expr) => {{
        static __PERFWATCH_SITE: $crate::Site = $crate::Site::new($name, $tier, $component);
        $crate::Span::enter(&__PERFWATCH_SITE)
    }};
    ($name:expr $(,)?) => {
        $crate::span!(@site $name, ::core::option::Option::None, ::core::option::Option::None)
    };
    ($name:expr, tier = $tier:ident $(,)?) => {
        $crate::span!(@site $name, ::core::option::Option::Some($crate::Tier::$tier), ::core::option::Option::None)
    };
    ($name:expr, component = $component:expr $(,)?) => {
        $crate::span!(@site $name, ::core::option::Option::None, ::core::option::Option::Some($component))
    };
    ($name:expr, tier = $tier:ident, component = $component:expr $(,)?) => {
        $crate::span!(@site $name, ::core::option::Option::Some($crate::Tier::$tier), ::core::option::Option::Some($component))
    };
    ($name:expr, component = $component:expr, tier = $tier:ident $(,)?) => {
        $crate::span!(@site $name, ::core::option::Option::Some($crate::Tier::$tier), ::core::option::Option::Some($component))
    };
}

/// Adds to a counter of the current span: `counter!("cache.hits", 1)`.
///
/// The value is converted with `as f64`. See [`counter`](crate::counter()).
#[macro_export]
macro_rules! counter {
    ($name:expr, $value:expr $(,)?) => {
        $crate::counter($name, ($value) as f64)
    };
}

/// Records a gauge reading: `gauge!("pool.size", 8.0)`.
///
/// The value is converted with `as f64`. See [`gauge`](crate::gauge()).
#[macro_export]
macro_rules! gauge {
    ($name:expr, $value:expr $(,)?) => {
        $crate::gauge($name, ($value) as f64)
    };
}
