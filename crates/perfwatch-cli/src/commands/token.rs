//! `perfwatch token create|list|revoke`: the server's API tokens.

use crate::args::TokenCommand;
use crate::context::Context;
use comfy_table::{presets::NOTHING, Table};
use perfwatch_report::printable::printable;
use perfwatch_server::tokens::TokenError;
use perfwatch_store::TokenScope;
use std::io::Write;

/// `perfwatch token …`.
pub fn run(ctx: &Context, cmd: &TokenCommand) -> anyhow::Result<()> {
    let mut out = crate::stdout::stdout();
    match cmd {
        TokenCommand::Create { write, name, .. } => {
            let store = ctx.open_store()?;
            let scope = if *write {
                TokenScope::Write
            } else {
                TokenScope::Read
            };
            let name = match name {
                Some(n) => n.clone(),
                None => next_name(&*store, scope)?,
            };
            let (row, secret) =
                perfwatch_server::tokens::create(&*store, &name, scope).map_err(|e| match e {
                    // A name taken or invalid: the store's error decides
                    // the exit code (usage).
                    TokenError::Store(e) => anyhow::Error::from(e),
                    other => other.into(),
                })?;
            // The secret alone on standard output (`TOKEN=$(…)`); what it
            // is, on standard error.
            eprintln!(
                "created {} token `{}`; its secret is shown this once (only its SHA-256 is stored):",
                row.scope.key(),
                printable(&row.name)
            );
            writeln!(out, "{secret}")?;
        }
        TokenCommand::List => {
            let store = ctx.open_reading_store()?;
            let tokens = store.list_tokens()?;
            if tokens.is_empty() {
                writeln!(
                    out,
                    "no tokens (perfwatch token create --write --name NAME)"
                )?;
            } else {
                let mut t = Table::new();
                t.load_preset(NOTHING);
                t.set_header(["name", "scope", "created", "revoked"]);
                for tok in tokens {
                    t.add_row([
                        printable(&tok.name).into_owned(),
                        tok.scope.key().to_string(),
                        printable(&tok.created_at).into_owned(),
                        tok.revoked_at
                            .map(|r| printable(&r).into_owned())
                            .unwrap_or_else(|| "-".into()),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
        }
        TokenCommand::Revoke { name } => {
            let store = ctx.open_existing_store()?;
            let before = store
                .list_tokens()?
                .into_iter()
                .find(|t| &t.name == name)
                .and_then(|t| t.revoked_at);
            let row = store.revoke_token(name)?;
            match before {
                Some(at) => writeln!(
                    out,
                    "token `{}` was revoked already, at {}",
                    printable(&row.name),
                    printable(&at)
                )?,
                None => writeln!(
                    out,
                    "revoked token `{}`: the server refuses it from its next request",
                    printable(&row.name)
                )?,
            }
        }
    }
    Ok(out.flush()?)
}

/// `write-N` or `read-N`: the first such name not taken.
fn next_name(store: &dyn perfwatch_store::Store, scope: TokenScope) -> anyhow::Result<String> {
    let taken: Vec<String> = store.list_tokens()?.into_iter().map(|t| t.name).collect();
    Ok((1..)
        .map(|n| format!("{}-{n}", scope.key()))
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| scope.key().to_string()))
}
