//! Queueing and sending: which sessions go where, in what order, and what
//! the store records of each answer.

use super::{Delivery, ServerUrl, Transport};
use crate::load::analyze_stored;
use crate::{AppError, Options};
use perfwatch_model::SessionStatus;
use perfwatch_store::{SessionFilter, Store};
use std::collections::{BTreeMap, HashSet};

/// A session to send to a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The session (a full id).
    pub session_id: String,
    /// The server.
    pub server: ServerUrl,
}

/// What happened to one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It was sent; the server answered this.
    Sent(Delivery),
    /// Not sent: the session is still running (it stays queued).
    StillRunning,
    /// Not tried: an earlier answer of the same server stopped its queue
    /// (it stays queued).
    NotTried,
}

/// One target and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The target.
    pub target: Target,
    /// What happened.
    pub outcome: Outcome,
}

/// The sessions waiting for `server` (for every server when `None`),
/// oldest first.
pub fn queued(store: &dyn Store, server: Option<&ServerUrl>) -> Result<Vec<Target>, AppError> {
    let entries = store.push_queue(server.map(ServerUrl::as_str), false)?;
    Ok(entries
        .into_iter()
        .map(|e| Target {
            server: ServerUrl::parse(&e.server).unwrap_or_else(|_| ServerUrl::stored(e.server)),
            session_id: e.session_id,
        })
        .collect())
}

/// Whether the session is marked pushed to `server`.
pub fn is_pushed(
    store: &dyn Store,
    session_id: &str,
    server: &ServerUrl,
) -> Result<bool, AppError> {
    Ok(store
        .push_queue(Some(server.as_str()), true)?
        .iter()
        .any(|e| e.session_id == session_id && e.pushed_at.is_some()))
}

/// Queue for `server` every session of the store that is neither queued
/// for it nor pushed to it, oldest first; returns how many were queued.
pub fn queue_all(store: &dyn Store, server: &ServerUrl) -> Result<usize, AppError> {
    let known: HashSet<String> = store
        .push_queue(Some(server.as_str()), true)?
        .into_iter()
        .map(|e| e.session_id)
        .collect();
    let mut rows = store.list_sessions(&SessionFilter::default())?;
    rows.reverse();
    let mut queued = 0;
    for row in rows {
        if !known.contains(&row.session.id) {
            store.queue_push(&row.session.id, server.as_str())?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// The document a server receives for a stored session: its analysis as
/// `perfwatch report ID --format json` writes it (`perfwatch.session.v1`).
pub fn document(store: &dyn Store, session_id: &str, opts: &Options) -> Result<Vec<u8>, AppError> {
    let analysis = analyze_stored(store, session_id, None, opts)?;
    serde_json::to_vec(&analysis)
        .map_err(|e| AppError::Record(format!("cannot encode session: {e}")))
}

/// Send `targets` in order through `transport`, marking each session the
/// server accepted as pushed; `token` (never shown) is cut out of the
/// servers' messages. A running session is left queued, and so is every
/// target of a server after an answer that stops its queue (unreachable,
/// overloaded, a refused token). `each` sees every outcome as it comes.
///
/// Targets are expected queued already; a store failure stops the sending
/// (what was sent before it stays marked).
pub fn send(
    store: &dyn Store,
    transport: &dyn Transport,
    token: Option<&str>,
    targets: Vec<Target>,
    opts: &Options,
    each: &mut dyn FnMut(&Sent),
) -> Result<Vec<Sent>, AppError> {
    let mut stopped: HashSet<ServerUrl> = HashSet::new();
    let mut all = Vec::with_capacity(targets.len());
    for target in targets {
        let outcome = if stopped.contains(&target.server) {
            Outcome::NotTried
        } else {
            let (session, _) = store.load_session(&target.session_id)?;
            if session.status == SessionStatus::Running {
                Outcome::StillRunning
            } else {
                let body = document(store, &target.session_id, opts)?;
                let delivery = Delivery::of(transport.post_session(&target.server, &body), token);
                if delivery.accepted() {
                    store.mark_pushed(&target.session_id, target.server.as_str())?;
                }
                if delivery.stops() {
                    stopped.insert(target.server.clone());
                }
                Outcome::Sent(delivery)
            }
        };
        let sent = Sent { target, outcome };
        each(&sent);
        all.push(sent);
    }
    Ok(all)
}

/// What one server got, for the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSummary {
    /// The server.
    pub server: ServerUrl,
    /// Sessions it stored now (201).
    pub created: usize,
    /// Sessions it held already (200).
    pub already_there: usize,
    /// Sessions still queued for it after sending (whatever the reason;
    /// also those not part of this push).
    pub still_queued: usize,
    /// Of those, sessions not sent because they are still running.
    pub running: usize,
    /// Why sending stopped or failed for later (unreachable, 5xx, 429),
    /// the first reason.
    pub deferred: Option<String>,
    /// Sessions the server refused: session id, status, message.
    pub rejected: Vec<(String, u16, String)>,
}

/// One summary per server of `sent`, in the order they first appear.
pub fn summarize(store: &dyn Store, sent: &[Sent]) -> Result<Vec<ServerSummary>, AppError> {
    let mut order: Vec<ServerUrl> = Vec::new();
    let mut by_server: BTreeMap<ServerUrl, ServerSummary> = BTreeMap::new();
    for s in sent {
        let server = &s.target.server;
        let summary = by_server.entry(server.clone()).or_insert_with(|| {
            order.push(server.clone());
            ServerSummary {
                server: server.clone(),
                created: 0,
                already_there: 0,
                still_queued: 0,
                running: 0,
                deferred: None,
                rejected: Vec::new(),
            }
        });
        match &s.outcome {
            Outcome::Sent(Delivery::Created) => summary.created += 1,
            Outcome::Sent(Delivery::AlreadyThere) => summary.already_there += 1,
            Outcome::Sent(Delivery::Deferred { reason, .. }) => {
                summary.deferred.get_or_insert_with(|| reason.clone());
            }
            Outcome::Sent(Delivery::Rejected {
                status, message, ..
            }) => summary
                .rejected
                .push((s.target.session_id.clone(), *status, message.clone())),
            Outcome::StillRunning => summary.running += 1,
            Outcome::NotTried => {}
        }
    }
    let mut out = Vec::with_capacity(order.len());
    for server in order {
        let mut summary = by_server.remove(&server).expect("listed above");
        summary.still_queued = store.push_queue(Some(server.as_str()), false)?.len();
        out.push(summary);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::Reply;
    use perfwatch_model::Iteration;
    use perfwatch_store::SqliteStore;
    use std::cell::RefCell;

    /// Answers from a script, one per post, and remembers what was posted.
    struct Scripted {
        answers: RefCell<Vec<Reply>>,
        posted: RefCell<Vec<(String, serde_json::Value)>>,
    }

    impl Scripted {
        fn new(mut answers: Vec<Reply>) -> Scripted {
            answers.reverse();
            Scripted {
                answers: RefCell::new(answers),
                posted: RefCell::new(Vec::new()),
            }
        }
    }

    impl Transport for Scripted {
        fn post_session(&self, server: &ServerUrl, body: &[u8]) -> Reply {
            let doc = serde_json::from_slice(body).expect("a JSON document");
            self.posted.borrow_mut().push((server.to_string(), doc));
            self.answers.borrow_mut().pop().expect("an answer left")
        }
    }

    fn status(code: u16) -> Reply {
        Reply::Status {
            code,
            body: String::new(),
        }
    }

    fn add_session(store: &SqliteStore, id: &str, day: u32, status: SessionStatus) {
        let session = perfwatch_testkit::synthetic::bare_session(
            id,
            "b",
            &format!("2026-01-{day:02}T00:00:00Z"),
            status,
        );
        let its: Vec<Iteration> = (0..3)
            .map(|index| Iteration {
                index,
                variant: "default".into(),
                exit_code: Some(0),
                wall_s: 0.1,
                ..Iteration::default()
            })
            .collect();
        store.insert_whole_session(&session, &its).unwrap();
    }

    #[test]
    fn an_unreachable_server_keeps_the_queue_and_a_later_send_empties_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("h.db")).unwrap();
        add_session(&store, "aaaa0001", 1, SessionStatus::Complete);
        add_session(&store, "bbbb0002", 2, SessionStatus::Complete);
        add_session(&store, "cccc0003", 3, SessionStatus::Running);
        let server = ServerUrl::parse("http://127.0.0.1:9/").unwrap();
        assert_eq!(queue_all(&store, &server).unwrap(), 3);
        let opts = Options::default();

        let down = Scripted::new(vec![Reply::Unreachable("connection refused".into())]);
        let sent = send(
            &store,
            &down,
            None,
            queued(&store, None).unwrap(),
            &opts,
            &mut |_| {},
        )
        .unwrap();
        let outcomes: Vec<&Outcome> = sent.iter().map(|s| &s.outcome).collect();
        assert!(matches!(
            outcomes[0],
            Outcome::Sent(Delivery::Deferred { .. })
        ));
        assert_eq!(outcomes[1], &Outcome::NotTried);
        assert_eq!(down.posted.borrow().len(), 1);
        let summary = summarize(&store, &sent).unwrap();
        assert_eq!(summary[0].still_queued, 3);
        assert_eq!(summary[0].deferred.as_deref(), Some("connection refused"));

        let up = Scripted::new(vec![status(201), status(200)]);
        let sent = send(
            &store,
            &up,
            None,
            queued(&store, None).unwrap(),
            &opts,
            &mut |_| {},
        )
        .unwrap();
        let summary = summarize(&store, &sent).unwrap();
        assert_eq!(
            (
                summary[0].created,
                summary[0].already_there,
                summary[0].running
            ),
            (1, 1, 1)
        );
        // Only the running session waits, and nothing is sent twice.
        assert_eq!(summary[0].still_queued, 1);
        let posted = up.posted.borrow();
        let ids: Vec<&str> = posted
            .iter()
            .map(|(_, doc)| doc["session"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["aaaa0001", "bbbb0002"]);
        assert_eq!(posted[0].1["schema"], "perfwatch.session.v1");
        assert!(is_pushed(&store, "aaaa0001", &server).unwrap());
        assert!(!is_pushed(&store, "cccc0003", &server).unwrap());
        assert_eq!(queue_all(&store, &server).unwrap(), 0);
    }

    #[test]
    fn a_server_error_defers_one_session_and_the_next_is_still_tried() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("h.db")).unwrap();
        add_session(&store, "aaaa0001", 1, SessionStatus::Complete);
        add_session(&store, "bbbb0002", 2, SessionStatus::Complete);
        let server = ServerUrl::parse("http://127.0.0.1:9").unwrap();
        queue_all(&store, &server).unwrap();
        let transport = Scripted::new(vec![status(500), status(201)]);
        let sent = send(
            &store,
            &transport,
            None,
            queued(&store, Some(&server)).unwrap(),
            &Options::default(),
            &mut |_| {},
        )
        .unwrap();
        let summary = summarize(&store, &sent).unwrap();
        assert_eq!((summary[0].created, summary[0].still_queued), (1, 1));
        assert_eq!(
            queued(&store, None).unwrap()[0].session_id,
            "aaaa0001".to_string()
        );
    }
}
