//! `perfwatch push` and `run/ab --push`: queue sessions for a team server
//! and send them (the queueing and sending is the app layer's
//! [`perfwatch_app::push`]; this module picks the targets and says what
//! happened).

use crate::args::{OutputArgs, PushArgs};
use crate::context::Context;
use crate::exit::{usage, with_code};
use perfwatch_app::push::{
    self, status_text, Delivery, HttpTransport, Outcome, Sent, ServerSummary, ServerUrl, Target,
};
use perfwatch_model::{exit_codes, short_id};
use perfwatch_report::printable::printable;
use perfwatch_store::Store;
use std::io::Write;

/// The environment variable naming the default server.
const SERVER_ENV: &str = "PERFWATCH_SERVER";

/// The environment variable holding the token.
const TOKEN_ENV: &str = "PERFWATCH_TOKEN";

/// `perfwatch push`.
pub fn push(ctx: &Context, args: &PushArgs) -> anyhow::Result<()> {
    let server = match args.to.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(url) => Some(ServerUrl::parse(url).map_err(|e| usage(e.to_string()))?),
        None => None,
    };
    if args.forget {
        return forget(ctx, args, server.as_ref());
    }
    if args.force && args.sessions.is_empty() && !args.all {
        return Err(usage(
            "--force sends sessions again: name them (SESSION…) or give --all",
        ));
    }
    let store = ctx.open_existing_store()?;
    let mut out = crate::stdout::stdout();
    let targets = if !args.sessions.is_empty() || args.all {
        let Some(server) = &server else {
            return Err(usage(format!(
                "no server to push to: give --to URL or set {SERVER_ENV}"
            )));
        };
        if !args.all {
            let named = named_sessions(&*store, &args.sessions, server, args.force, &mut out)?;
            if named.is_empty() {
                // Each was pushed already, and said so.
                return Ok(out.flush()?);
            }
            named
        } else if args.force {
            every_session(&*store, server)?
        } else {
            push::queue_all(&*store, server)?;
            push::queued(&*store, Some(server))?
        }
    } else {
        push::queued(&*store, server.as_ref())?
    };
    if targets.is_empty() {
        match &server {
            Some(server) => writeln!(out, "nothing to push to {server}: no session is queued")?,
            None => writeln!(out, "nothing to push: no session is queued")?,
        }
        return Ok(out.flush()?);
    }
    let token = args.token.clone().filter(|t| !t.is_empty());
    let transport = HttpTransport::new(token.clone());
    let opts = crate::options::analysis_options(&ctx.config, None);
    let sent = push::send(
        &*store,
        &transport,
        token.as_deref(),
        targets,
        &opts,
        &mut |_| {},
    )?;
    let summaries = push::summarize(&*store, &sent)?;
    for summary in &summaries {
        writeln!(out, "{}", summary_line(summary))?;
    }
    out.flush()?;
    let mut failures = Vec::new();
    for summary in &summaries {
        failures.extend(failure_lines(summary, token.is_some()));
    }
    match failures.pop() {
        None => Ok(()),
        Some(last) => {
            for line in failures {
                eprintln!("error: {line}");
            }
            Err(with_code(exit_codes::ERROR, last))
        }
    }
}

/// `--forget`: drop queued entries, send nothing.
fn forget(ctx: &Context, args: &PushArgs, server: Option<&ServerUrl>) -> anyhow::Result<()> {
    let store = ctx.open_existing_store()?;
    let ids = args
        .sessions
        .iter()
        .map(|spec| store.resolve_session(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let ids = (!ids.is_empty()).then_some(ids);
    let n = store.forget_pushes(ids.as_deref(), server.map(ServerUrl::as_str))?;
    let whom = server.map_or_else(|| "any server".to_string(), |s| s.to_string());
    let mut out = crate::stdout::stdout();
    match n {
        0 => writeln!(out, "nothing queued for {whom} to forget")?,
        1 => writeln!(
            out,
            "forgot 1 queued push to {whom} (the session stays in the history)"
        )?,
        n => writeln!(
            out,
            "forgot {n} queued pushes to {whom} (the sessions stay in the history)"
        )?,
    }
    Ok(out.flush()?)
}

/// `--all --force`: every session, pushed or not, queued and a target
/// (oldest first).
fn every_session(store: &dyn Store, server: &ServerUrl) -> anyhow::Result<Vec<Target>> {
    push::queue_all(store, server)?;
    let mut rows = store.list_sessions(&Default::default())?;
    rows.reverse();
    Ok(rows
        .into_iter()
        .map(|r| Target {
            session_id: r.session.id,
            server: server.clone(),
        })
        .collect())
}

/// The named sessions, queued for `server`; one pushed there already is
/// skipped (and said so) unless `force`.
fn named_sessions(
    store: &dyn Store,
    specs: &[String],
    server: &ServerUrl,
    force: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Vec<Target>> {
    let mut targets: Vec<Target> = Vec::new();
    for spec in specs {
        let id = store.resolve_session(spec)?;
        if targets.iter().any(|t| t.session_id == id) {
            continue;
        }
        if !force && push::is_pushed(store, &id, server)? {
            writeln!(
                out,
                "session {} was pushed to {server} already (--force sends it again)",
                short_id(&id)
            )?;
            continue;
        }
        store.queue_push(&id, server.as_str())?;
        targets.push(Target {
            session_id: id,
            server: server.clone(),
        });
    }
    Ok(targets)
}

/// `pushed 3 sessions to http://…, 1 already there, 2 still queued (1 running)`.
fn summary_line(s: &ServerSummary) -> String {
    let mut line = format!(
        "pushed {} to {}",
        sessions(s.created),
        printable(s.server.as_str())
    );
    if s.already_there > 0 {
        line.push_str(&format!(", {} already there", s.already_there));
    }
    if s.still_queued > 0 {
        line.push_str(&format!(", {} still queued", s.still_queued));
        if s.running > 0 {
            line.push_str(&format!(" ({} still running)", s.running));
        }
    }
    line
}

fn sessions(n: usize) -> String {
    if n == 1 {
        "1 session".into()
    } else {
        format!("{n} sessions")
    }
}

/// What went wrong with one server, one line each: sessions refused, and
/// sessions left queued because the server could not take them.
fn failure_lines(s: &ServerSummary, has_token: bool) -> Vec<String> {
    let server = printable(s.server.as_str()).into_owned();
    let mut lines: Vec<String> = s
        .rejected
        .iter()
        .map(|(id, status, message)| rejected_line(&server, id, *status, message, has_token))
        .collect();
    if let Some(reason) = &s.deferred {
        lines.push(format!(
            "{} still queued for {server} ({}); run `perfwatch push` again later",
            sessions(s.still_queued),
            printable(reason)
        ));
    }
    lines
}

/// `http://… refused session abc123: 401 Unauthorized: invalid token (hint)`.
fn rejected_line(server: &str, id: &str, status: u16, message: &str, has_token: bool) -> String {
    let mut line = format!(
        "{server} refused session {}: {}",
        short_id(id),
        status_text(status)
    );
    if !message.is_empty() {
        line.push_str(&format!(": {}", printable(message)));
    }
    let hint = match status {
        401 if !has_token => Some(format!(
            "no token was sent: set {TOKEN_ENV} or give --token"
        )),
        401 => Some("check the token".to_string()),
        403 => Some("the token may only read: push needs a write token".to_string()),
        404 | 405 => Some("is this the base URL of a perfwatch server?".to_string()),
        _ => None,
    };
    if let Some(hint) = hint {
        line.push_str(&format!(" ({hint})"));
    }
    line
}

/// `--push[=URL]` of `run`/`ab`, checked before anything runs: the server
/// to push to, when asked.
pub fn push_target(args: &OutputArgs) -> anyhow::Result<Option<ServerUrl>> {
    let Some(url) = &args.push else {
        return Ok(None);
    };
    let url = if url.trim().is_empty() {
        match std::env::var(SERVER_ENV) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                return Err(usage(format!(
                    "--push without a URL pushes to {SERVER_ENV}, which is not set: \
                     give --push=URL or set {SERVER_ENV}"
                )))
            }
        }
    } else {
        url.clone()
    };
    ServerUrl::parse(&url)
        .map(Some)
        .map_err(|e| usage(e.to_string()))
}

/// The token `run --push` sends (`$PERFWATCH_TOKEN`), with the stored
/// session at the end and with the live snapshots while it runs.
pub fn push_token() -> Option<String> {
    std::env::var(TOKEN_ENV).ok().filter(|t| !t.is_empty())
}

/// Push the sessions a run stored to `server`: each is queued, then sent
/// unless `send` is false (an interrupted run), with one line each on
/// standard error. A server that cannot take them leaves them queued with a
/// note; a refusal is returned as an error (the run decides the exit code).
pub fn after_run(
    ctx: &Context,
    store: &dyn Store,
    server: &ServerUrl,
    ids: &[String],
    send: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    for id in ids {
        store.queue_push(id, server.as_str())?;
    }
    let server_shown = printable(server.as_str()).into_owned();
    let queued_note = |id: &str, why: &str| {
        eprintln!(
            "note: session {} queued for {server_shown}{why}; run `perfwatch push` to send it",
            short_id(id)
        );
    };
    if !send {
        for id in ids {
            queued_note(id, "");
        }
        return Ok(());
    }
    let token = push_token();
    let transport = HttpTransport::new(token.clone());
    let opts = crate::options::analysis_options(&ctx.config, None);
    let targets = ids
        .iter()
        .map(|id| Target {
            session_id: id.clone(),
            server: server.clone(),
        })
        .collect();
    let mut refused = Vec::new();
    push::send(
        store,
        &transport,
        token.as_deref(),
        targets,
        &opts,
        &mut |sent: &Sent| {
            let id = short_id(&sent.target.session_id);
            match &sent.outcome {
                Outcome::Sent(Delivery::Created) if !quiet => {
                    eprintln!("pushed session {id} to {server_shown}");
                }
                Outcome::Sent(Delivery::AlreadyThere) if !quiet => {
                    eprintln!("session {id} is on {server_shown} already");
                }
                Outcome::Sent(Delivery::Created | Delivery::AlreadyThere) => {}
                Outcome::Sent(Delivery::Deferred { reason, .. }) => {
                    queued_note(
                        &sent.target.session_id,
                        &format!(" ({})", printable(reason)),
                    );
                }
                Outcome::NotTried | Outcome::StillRunning => {
                    queued_note(&sent.target.session_id, "");
                }
                Outcome::Sent(Delivery::Rejected {
                    status, message, ..
                }) => refused.push(rejected_line(
                    &server_shown,
                    &sent.target.session_id,
                    *status,
                    message,
                    token.is_some(),
                )),
            }
        },
    )?;
    match refused.pop() {
        None => Ok(()),
        Some(last) => {
            for line in refused {
                eprintln!("error: {line}");
            }
            Err(with_code(
                exit_codes::ERROR,
                format!("{last}; the session stays queued for `perfwatch push`"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> ServerSummary {
        ServerSummary {
            server: ServerUrl::parse("http://perf.example.com:8427").unwrap(),
            created: 3,
            already_there: 1,
            still_queued: 2,
            running: 1,
            deferred: None,
            rejected: vec![],
        }
    }

    #[test]
    fn the_summary_line_says_only_what_happened() {
        assert_eq!(
            summary_line(&summary()),
            "pushed 3 sessions to http://perf.example.com:8427, 1 already there, \
             2 still queued (1 still running)"
        );
        let one = ServerSummary {
            created: 1,
            already_there: 0,
            still_queued: 0,
            running: 0,
            ..summary()
        };
        assert_eq!(
            summary_line(&one),
            "pushed 1 session to http://perf.example.com:8427"
        );
    }

    #[test]
    fn a_refusal_names_the_status_the_message_and_what_to_do() {
        let s = ServerSummary {
            rejected: vec![("abcdef0123456789".into(), 401, "invalid token".into())],
            deferred: Some("connection reset".into()),
            ..summary()
        };
        let lines = failure_lines(&s, false);
        assert_eq!(
            lines,
            [
                "http://perf.example.com:8427 refused session abcdef01: 401 Unauthorized: \
                 invalid token (no token was sent: set PERFWATCH_TOKEN or give --token)",
                "2 sessions still queued for http://perf.example.com:8427 (connection reset); \
                 run `perfwatch push` again later"
            ]
        );
    }
}
