//! The attribute's arguments: `name = "…"`, `tier = Method`,
//! `component = "…"`.

use proc_macro2::Ident;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, ExprPath, Lit, LitStr};

/// The tiers, as the `perfwatch::Tier` variants.
const TIERS: [&str; 4] = ["System", "Component", "Method", "Operation"];

/// What `#[profile(…)]` says.
#[derive(Default)]
pub(crate) struct Options {
    /// Stage name (default: the function's).
    pub name: Option<LitStr>,
    /// A `perfwatch::Tier` variant.
    pub tier: Option<Ident>,
    /// Component.
    pub component: Option<LitStr>,
}

impl Options {
    /// Reads one `key = value`.
    pub(crate) fn parse(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        if meta.path.is_ident("name") {
            self.name = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("component") {
            self.component = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("tier") {
            let value: Expr = meta.value()?.parse()?;
            self.tier = Some(tier(&value)?);
        } else {
            return Err(meta.error("unknown argument; expected `name`, `tier` or `component`"));
        }
        Ok(())
    }
}

/// `Method`, `method` or `"method"` → `Method`.
fn tier(value: &Expr) -> syn::Result<Ident> {
    let (text, span) = match value {
        Expr::Path(ExprPath { path, .. }) if path.get_ident().is_some() => {
            let ident = path.get_ident().expect("checked above");
            (ident.to_string(), ident.span())
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => (s.value(), s.span()),
        other => {
            return Err(syn::Error::new_spanned(
                other,
                "expected a tier: System, Component, Method or Operation",
            ))
        }
    };
    TIERS
        .iter()
        .find(|t| t.eq_ignore_ascii_case(&text))
        .map(|t| Ident::new(t, span))
        .ok_or_else(|| {
            syn::Error::new(
                span,
                format!("unknown tier `{text}`; expected System, Component, Method or Operation"),
            )
        })
}
