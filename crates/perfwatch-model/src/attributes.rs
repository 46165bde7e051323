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
#[derive(Clone, Default, PartialEq, Eq, Hash)]
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

    /// Removes `key`; returns its value, if it was set.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
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

    /// The keys, sorted.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &String> + '_ {
        self.0.iter().map(|(k, _)| k)
    }
}

impl FromIterator<(String, String)> for Attributes {
    /// Pairs in any order; of two with the same key, the later is kept (as
    /// a map's `insert` would).
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Attributes {
        let mut v: Vec<(String, String)> = pairs.into_iter().collect();
        // Stable: pairs of one key stay in their order, and the last wins.
        v.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, String)> = Vec::with_capacity(v.len());
        for pair in v {
            match out.last_mut() {
                Some(last) if last.0 == pair.0 => *last = pair,
                _ => out.push(pair),
            }
        }
        Attributes(out)
    }
}

impl<const N: usize> From<[(String, String); N]> for Attributes {
    fn from(pairs: [(String, String); N]) -> Attributes {
        pairs.into_iter().collect()
    }
}

impl From<std::collections::BTreeMap<String, String>> for Attributes {
    fn from(map: std::collections::BTreeMap<String, String>) -> Attributes {
        // Already sorted, each key once.
        Attributes(map.into_iter().collect())
    }
}

impl IntoIterator for Attributes {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
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
        assert_eq!(back, Attributes::from(map.clone()));
        assert_eq!(format!("{back:?}"), format!("{map:?}"));
        assert_eq!(back["z"], "3");
        assert!(serde_json::from_str::<Attributes>(r#"{"a":1}"#).is_err());
    }

    proptest! {
        /// Any sequence of inserts and removes leaves the same pairs, in
        /// the same order, as a `BTreeMap` given the same sequence.
        #[test]
        fn behaves_as_a_sorted_map(ops in proptest::collection::vec(
            (0u8..3, "[a-e]{0,2}", "[0-9]{0,2}"), 0..40)) {
            let mut ours = Attributes::new();
            let mut map = BTreeMap::new();
            for (op, k, v) in ops {
                match op {
                    0 | 1 => prop_assert_eq!(
                        ours.insert(k.clone(), v.clone()), map.insert(k, v)),
                    _ => prop_assert_eq!(ours.remove(&k), map.remove(&k)),
                }
                prop_assert_eq!(ours.get("a"), map.get("a"));
            }
            let pairs: Vec<_> = ours.iter().collect();
            prop_assert_eq!(pairs, map.iter().collect::<Vec<_>>());
            prop_assert_eq!(ours.len(), map.len());
            prop_assert_eq!(ours.clone(), Attributes::from(map.clone()));
            prop_assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&map).unwrap()
            );
        }
    }
}
