//! Backend-neutral steps of reading a history: turning what a user typed
//! into a session id, and checking a baseline's name and sessions. Each
//! backend supplies its queries.

use crate::id::{is_lower_hex, MIN_PREFIX_LEN};
use crate::record::latest_offset;
use crate::StoreError;

/// Candidates listed for an ambiguous prefix (the newest).
pub(crate) const MAX_CANDIDATES: usize = 10;

/// The queries [`resolve`] needs from a backend.
pub(crate) trait SessionLookup {
    /// The backend's failure.
    type Fail: From<StoreError>;
    /// The id of the `n`-th newest session (0: the newest).
    fn nth_newest(&mut self, n: i64) -> Result<Option<String>, Self::Fail>;
    /// Whether a session with this exact id exists.
    fn exists(&mut self, id: &str) -> Result<bool, Self::Fail>;
    /// Up to `limit` ids starting with `prefix` (lowercase hex), newest
    /// first.
    fn with_prefix(&mut self, prefix: &str, limit: i64) -> Result<Vec<String>, Self::Fail>;
}

/// Turns `spec` (a full id, a unique prefix, `latest` or `latest~N`) into
/// a full id.
pub(crate) fn resolve<L: SessionLookup>(lookup: &mut L, spec: &str) -> Result<String, L::Fail> {
    let not_found = || -> L::Fail {
        StoreError::SessionNotFound {
            spec: spec.to_string(),
        }
        .into()
    };
    let wanted = spec.trim().to_ascii_lowercase();
    if let Some(back) = latest_offset(&wanted) {
        let back = back.ok_or_else(not_found)?;
        return lookup
            .nth_newest(i64::try_from(back).unwrap_or(i64::MAX))?
            .ok_or_else(not_found);
    }
    if wanted.is_empty() || !is_lower_hex(&wanted) {
        return Err(not_found());
    }
    if lookup.exists(&wanted)? {
        return Ok(wanted);
    }
    if wanted.len() < MIN_PREFIX_LEN {
        return Err(StoreError::PrefixTooShort {
            spec: spec.to_string(),
            min: MIN_PREFIX_LEN,
        }
        .into());
    }
    let mut candidates = lookup.with_prefix(&wanted, MAX_CANDIDATES as i64 + 1)?;
    match candidates.len() {
        0 => Err(not_found()),
        1 => Ok(candidates.remove(0)),
        _ => {
            candidates.truncate(MAX_CANDIDATES);
            Err(StoreError::AmbiguousSession {
                spec: spec.to_string(),
                candidates,
            }
            .into())
        }
    }
}

/// A baseline's session ids as saved: in the order given, each once;
/// refuses an invalid name or no session.
pub(crate) fn baseline_ids(name: &str, session_ids: &[String]) -> Result<Vec<String>, StoreError> {
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(StoreError::InvalidBaselineName {
            name: name.to_string(),
        });
    }
    let mut ids: Vec<String> = Vec::with_capacity(session_ids.len());
    for id in session_ids {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    if ids.is_empty() {
        return Err(StoreError::EmptyBaseline {
            name: name.to_string(),
        });
    }
    Ok(ids)
}
