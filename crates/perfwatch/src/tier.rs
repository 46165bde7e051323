//! Tiers and call sites: what a span says about itself.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The level of a stage, from the whole program down to one operation.
///
/// The keys match the tiers of perfwatch's span file (`system`,
/// `component`, `method`, `operation`). A span without a tier gets one from
/// its nesting depth when perfwatch reads the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// The whole program or a top-level phase.
    System,
    /// A component (a subsystem, a service).
    Component,
    /// A method or function.
    Method,
    /// A single operation (a request, a query).
    Operation,
}

impl Tier {
    /// The key written to the span file.
    pub const fn key(self) -> &'static str {
        match self {
            Tier::System => "system",
            Tier::Component => "component",
            Tier::Method => "method",
            Tier::Operation => "operation",
        }
    }

    /// The tier whose key is `key` (ASCII case ignored).
    pub fn from_key(key: &str) -> Option<Tier> {
        [Tier::System, Tier::Component, Tier::Method, Tier::Operation]
            .into_iter()
            .find(|t| t.key().eq_ignore_ascii_case(key))
    }
}

/// A place in the code that opens spans: the stage name, its tier and its
/// component.
///
/// [`span!`](crate::span!) and [`#[profile]`](crate::profile) make one
/// `static` `Site` per call site, so opening a span passes one pointer and
/// allocates nothing. Names known only at run time go through
/// [`Site::intern`].
#[derive(Debug)]
pub struct Site {
    name: &'static str,
    tier: Option<Tier>,
    component: Option<&'static str>,
}

impl Site {
    /// A call site (usable in a `static`).
    pub const fn new(
        name: &'static str,
        tier: Option<Tier>,
        component: Option<&'static str>,
    ) -> Site {
        Site {
            name,
            tier,
            component,
        }
    }

    /// The `'static` site for a name known only at run time.
    ///
    /// Equal arguments give the same site. Each distinct site is kept for
    /// the rest of the process, so use it for a bounded set of names (stage
    /// names, not request ids).
    pub fn intern(name: &str, tier: Option<Tier>, component: Option<&str>) -> &'static Site {
        type Key = (String, Option<Tier>, Option<String>);
        static SITES: OnceLock<Mutex<HashMap<Key, &'static Site>>> = OnceLock::new();
        let mut sites = SITES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let key = (name.to_owned(), tier, component.map(str::to_owned));
        sites.entry(key).or_insert_with(|| {
            Box::leak(Box::new(Site {
                name: Box::leak(name.into()),
                tier,
                component: component.map(|c| &*Box::leak(c.into())),
            }))
        })
    }

    /// The stage name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The tier, if given.
    pub const fn tier(&self) -> Option<Tier> {
        self.tier
    }

    /// The component, if given.
    pub const fn component(&self) -> Option<&'static str> {
        self.component
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_keys_round_trip() {
        for tier in [Tier::System, Tier::Component, Tier::Method, Tier::Operation] {
            assert_eq!(Tier::from_key(tier.key()), Some(tier));
        }
        assert_eq!(Tier::from_key("METHOD"), Some(Tier::Method));
        assert_eq!(Tier::from_key("stage"), None);
    }

    #[test]
    fn interned_sites_are_shared() {
        let name = String::from("dynamic-stage");
        let a = Site::intern(&name, Some(Tier::Method), Some("c"));
        let b = Site::intern("dynamic-stage", Some(Tier::Method), Some("c"));
        let c = Site::intern("dynamic-stage", None, Some("c"));
        assert!(std::ptr::eq(a, b));
        assert!(!std::ptr::eq(a, c));
        assert_eq!(a.name(), "dynamic-stage");
        assert_eq!(a.component(), Some("c"));
    }
}
