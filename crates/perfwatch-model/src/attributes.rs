//! A span's attributes: a few text pairs, kept as one sorted vector.
//!
//! A span carries a handful of attributes (a monitored span two or three).
//! A `BTreeMap<String, String>` put them in a node of eleven slots, 544
//! bytes whatever the count, allocated and freed once for every span
//! received; a sorted vector holds them in 48 bytes a pair. Lookups are a
//! binary search, and the order (by key, each key once) is the map's, so
//! that JSON, `Debug` and iteration read exactly as they did.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Text attributes by key, sorted by key, each key once.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes(Vec<(String, String)>);

impl Attributes {
    /// No attributes (allocates nothing).
    pub const fn new() -> Attributes {
        Attributes(Vec::new())
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// Sets `key` to `value`; returns the value it replaces, if any.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pairs, sorted by key.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&String, &String)> + '_ {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl FromIterator<(String, String)> for Attributes {
    /// Pairs in any order; of two with the same key, the later is kept (as
    /// a map's `insert` would).
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Attributes {
        let mut v: Vec<(String, String)> = pairs.into_iter().collect();
        // Stable: pairs of one key stay in their order. Of a run of one
        // key, the pair kept is the first, given the later's value.
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(&mut later.1, &mut kept.1);
            }
            same
        });
        Attributes(v)
    }
}

impl<const N: usize> From<[(String, String); N]> for Attributes {
    fn from(pairs: [(String, String); N]) -> Attributes {
        pairs.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a String, &'a String),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl std::ops::Index<&str> for Attributes {
    type Output = String;
    /// The value of `key`; panics when it is not set (as a map's index).
    fn index(&self, key: &str) -> &String {
        self.get(key)
            .unwrap_or_else(|| panic!("no attribute `{key}`"))
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Attributes, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Attributes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of text attributes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                // The size hint is the sender's word: bounded, so that a
                // hostile one cannot make this allocate.
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(pairs.into_iter().collect())
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn reads_and_writes_json_as_the_map_did() {
        let a = Attributes::from([(s("b"), s("2")), (s("a"), s("1")), (s("b"), s("3"))]);
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"a":"1","b":"3"}"#);
        let back: Attributes = serde_json::from_str(r#"{"z":"1","a":"2","z":"3"}"#).unwrap();
        let map: BTreeMap<String, String> =
            serde_json::from_str(r#"{"z":"1","a":"2","z":"3"}"#).unwrap();
        assert_eq!(back, map.clone().into_iter().collect());
        assert_eq!(format!("{back:?}"), format!("{map:?}"));
        assert_eq!(back["z"], "3");
        assert!(serde_json::from_str::<Attributes>(r#"{"a":1}"#).is_err());
    }

    proptest! {
        /// Any sequence of inserts leaves the same pairs, in the same
        /// order, as a `BTreeMap` given the same sequence; collecting the
        /// pairs at once gives the same too.
        #[test]
        fn behaves_as_a_sorted_map(pairs in proptest::collection::vec(
            ("[a-e]{0,2}", "[0-9]{0,2}"), 0..40)) {
            let mut ours = Attributes::new();
            let mut map = BTreeMap::new();
            for (k, v) in pairs.clone() {
                prop_assert_eq!(ours.insert(k.clone(), v.clone()), map.insert(k, v));
                prop_assert_eq!(ours.get("a"), map.get("a"));
                prop_assert_eq!(ours.contains_key("b"), map.contains_key("b"));
            }
            prop_assert_eq!(&pairs.into_iter().collect::<Attributes>(), &ours);
            let pairs: Vec<_> = ours.iter().collect();
            prop_assert_eq!(pairs, map.iter().collect::<Vec<_>>());
            prop_assert_eq!(ours.len(), map.len());
            prop_assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&map).unwrap()
            );
        }
    }
}
