//! `env` tables of perfwatch.toml: names and values a process environment
//! can hold, checked as they are read so that a bad one is reported at its
//! file:line:col instead of failing when the command is spawned.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// A variable's name: not empty, without `=` or a NUL byte.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Name(String);

/// A variable's value: without a NUL byte.
struct Value(String);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        let name = String::deserialize(d)?;
        if name.is_empty() || name.contains(['=', '\0']) {
            return Err(D::Error::custom(format!(
                "{name:?} is not a valid environment variable name"
            )));
        }
        Ok(Name(name))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let value = String::deserialize(d)?;
        if value.contains('\0') {
            return Err(D::Error::custom(format!(
                "an environment value cannot hold a NUL byte, got {value:?}"
            )));
        }
        Ok(Value(value))
    }
}

/// Deserialise an `env` table, refusing what no environment can hold.
pub fn table<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let map = BTreeMap::<Name, Value>::deserialize(d)?;
    Ok(map.into_iter().map(|(k, v)| (k.0, v.0)).collect())
}
