//! Storing a session that was measured elsewhere (a `perfwatch.session.v1`
//! document pushed to the team server): validated before anything is
//! written, all of it or nothing, and idempotent by session id.

use crate::load::{parse_placed, DocumentError, Raw};
use crate::AppError;
use perfwatch_model::{Iteration, Session};
use perfwatch_store::{is_valid_session_id, Store, StoreError};
use std::collections::BTreeMap;

/// What [`store_document`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// The session was new, and is stored now.
    Created,
    /// The same session, with the same iterations, was stored already:
    /// nothing was written.
    AlreadyStored,
}

/// A document's session and iterations, checked as the store would check
/// them but before anything is written, so that a bad document is refused
/// with the path of its offending field.
pub fn parse_for_store(text: &str) -> Result<Raw, DocumentError> {
    let (session, placed) = parse_placed(text)?;
    if !is_valid_session_id(&session.id) {
        return Err(DocumentError {
            field: Some("session.id".into()),
            message: format!(
                "invalid session id `{}`: expected 4 to 64 lowercase hex digits",
                session.id
            ),
        });
    }
    // Iteration indices are the session's execution order, unique across
    // its variants.
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for (at, it) in &placed {
        if let Some(first) = seen.insert(it.index, at) {
            return Err(DocumentError {
                field: Some(format!("{at}.index")),
                message: format!(
                    "iteration index {} appears twice (first at {first})",
                    it.index
                ),
            });
        }
    }
    Ok((session, placed.into_iter().map(|(_, it)| it).collect()))
}

/// Stores a whole session (all of it, or nothing). A session whose id is
/// stored already is not stored again: with the same contents the answer
/// is [`Ingested::AlreadyStored`]; with other contents it is an
/// [`AppError::Conflict`] and nothing changes.
pub fn store_document(
    store: &dyn Store,
    session: &Session,
    iterations: &[Iteration],
) -> Result<Ingested, AppError> {
    if let Some(outcome) = compare_stored(store, session, iterations)? {
        return outcome;
    }
    match store.insert_whole_session(session, iterations) {
        Ok(()) => Ok(Ingested::Created),
        // Stored by another writer between the check and the insert.
        Err(StoreError::SessionExists { .. }) => compare_stored(store, session, iterations)?
            .unwrap_or_else(|| Err(conflict(&session.id))),
        Err(e) => Err(e.into()),
    }
}

/// `None` when no session of this id is stored; otherwise whether the
/// stored one is the same.
fn compare_stored(
    store: &dyn Store,
    session: &Session,
    iterations: &[Iteration],
) -> Result<Option<Result<Ingested, AppError>>, AppError> {
    let (stored, mut stored_its) = match store.load_session(&session.id) {
        Ok(found) => found,
        Err(StoreError::SessionNotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut given: Vec<&Iteration> = iterations.iter().collect();
    given.sort_by_key(|it| it.index);
    stored_its.sort_by_key(|it| it.index);
    let same = stored == *session
        && stored_its.len() == given.len()
        && stored_its.iter().zip(&given).all(|(a, b)| a == *b);
    Ok(Some(if same {
        Ok(Ingested::AlreadyStored)
    } else {
        Err(conflict(&session.id))
    }))
}

fn conflict(id: &str) -> AppError {
    AppError::Conflict(format!(
        "session {id} is stored already with other contents; nothing was changed \
         (delete it first to replace it)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{analyze, Options};
    use perfwatch_store::SqliteStore;
    use perfwatch_testkit::arbitrary_or_mangled;
    use proptest::prelude::*;

    const SEED: &[u8] = include_bytes!("../../../fuzz/seeds/ingest_document/two-variants.json");

    #[test]
    fn a_document_is_stored_once_and_a_different_one_under_its_id_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("h.db")).unwrap();
        let text = std::str::from_utf8(SEED).unwrap();
        let (session, iterations) = parse_for_store(text).unwrap();
        assert_eq!(
            store_document(&store, &session, &iterations).unwrap(),
            Ingested::Created
        );
        assert_eq!(
            store_document(&store, &session, &iterations).unwrap(),
            Ingested::AlreadyStored
        );
        let mut other = iterations.clone();
        other[0].wall_s += 1.0;
        assert!(matches!(
            store_document(&store, &session, &other),
            Err(AppError::Conflict(_))
        ));
        let (_, stored) = store.load_session(&session.id).unwrap();
        assert_eq!(stored.len(), iterations.len());
        assert_eq!(stored[0].wall_s, iterations[0].wall_s);
    }

    #[test]
    fn bad_documents_name_their_field() {
        let text = std::str::from_utf8(SEED).unwrap();
        let good: serde_json::Value = serde_json::from_str(text).unwrap();
        type Break = fn(&mut serde_json::Value);
        let cases: [(Break, &str); 3] = [
            (|d| d["session"]["id"] = "xyz".into(), "session.id"),
            (
                |d| d["variants"][1]["iterations"][0]["index"] = 0.into(),
                "variants[1].iterations[0].index",
            ),
            (
                |d| d["variants"][0]["iterations"][1]["sys_s"] = (-2.0).into(),
                "variants[0].iterations[1].sys_s",
            ),
        ];
        for (spoil, field) in cases {
            let mut doc = good.clone();
            spoil(&mut doc);
            let e = parse_for_store(&doc.to_string()).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{e}");
        }
    }

    proptest! {
        /// Any request body is refused with a message or accepted and
        /// analysed, never a panic.
        #[test]
        fn ingest_parser_never_panics_on_arbitrary_bytes(bytes in arbitrary_or_mangled(SEED)) {
            let text = String::from_utf8_lossy(&bytes);
            if let Ok((session, iterations)) = parse_for_store(&text) {
                let _ = analyze(session, iterations, None, &Options::default());
            }
        }
    }
}
