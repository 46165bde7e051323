//! What `#[profile]` turns a function into.

use crate::options::Options;
use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::parse::Parser;
use syn::{ItemFn, ReturnType, Type};

/// Expands `#[profile(args)] item`.
pub(crate) fn profile(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut options = Options::default();
    syn::meta::parser(|meta| options.parse(meta)).parse2(args)?;
    let func: ItemFn = syn::parse2(item)?;
    if let Some(constness) = &func.sig.constness {
        return Err(syn::Error::new_spanned(
            constness,
            "#[profile] cannot time a `const fn`",
        ));
    }
    Ok(expand(options, func))
}

fn expand(options: Options, func: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let name = match options.name {
        Some(name) => name.into_token_stream(),
        None => sig.ident.to_string().into_token_stream(),
    };
    let tier = match options.tier {
        Some(tier) => quote!(::core::option::Option::Some(::perfwatch::Tier::#tier)),
        None => quote!(::core::option::Option::None),
    };
    let component = match options.component {
        Some(c) => quote!(::core::option::Option::Some(#c)),
        None => quote!(::core::option::Option::None),
    };
    let site = quote! {
        static __PERFWATCH_SITE: ::perfwatch::Site = ::perfwatch::Site::new(#name, #tier, #component);
    };
    // The declared return type, when it can be written inside the body.
    let ret = match &sig.output {
        ReturnType::Type(_, ty) if !mentions_impl(ty) => Some(ty.as_ref()),
        _ => None,
    };
    let checks_err = ret.is_some_and(is_result);
    let body = if sig.asyncness.is_some() {
        let wrap = if checks_err {
            quote!(instrument_result)
        } else {
            quote!(instrument)
        };
        // Annotating the block's value lets `?` inside it infer its error.
        let inner = match ret {
            Some(ty) => quote!(async move { let __perfwatch_ret: #ty = #block; __perfwatch_ret }),
            None => quote!(async move #block),
        };
        quote! {{
            #site
            ::perfwatch::#wrap(&__PERFWATCH_SITE, #inner).await
        }}
    } else if checks_err {
        let ty = ret.expect("checked by checks_err");
        // A closure sees every `return` and `?` of the body.
        quote! {{
            #site
            let __perfwatch_span = ::perfwatch::Span::enter(&__PERFWATCH_SITE);
            #[allow(clippy::redundant_closure_call)]
            let __perfwatch_ret: #ty = (move || -> #ty #block)();
            if ::perfwatch::__private::is_err(&__perfwatch_ret) {
                __perfwatch_span.fail();
            }
            __perfwatch_ret
        }}
    } else {
        quote! {{
            #site
            let __perfwatch_span = ::perfwatch::Span::enter(&__PERFWATCH_SITE);
            #block
        }}
    };
    quote! {
        #(#attrs)*
        #vis #sig #body
    }
}

/// A type whose path ends in `Result` (`Result<T, E>`, `io::Result<T>`,
/// `anyhow::Result<T>`).
fn is_result(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Result"),
        Type::Paren(p) => is_result(&p.elem),
        Type::Group(g) => is_result(&g.elem),
        _ => false,
    }
}

/// True when `impl Trait` appears anywhere in the type.
fn mentions_impl(ty: &Type) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            TokenTree::Ident(i) => i == "impl",
            TokenTree::Group(g) => walk(g.stream()),
            _ => false,
        })
    }
    walk(ty.to_token_stream())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(args: &str, item: &str) -> Result<String, String> {
        let args: TokenStream = args.parse().unwrap();
        let item: TokenStream = item.parse().unwrap();
        profile(args, item)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn expansions() {
        // (args, item, pieces the expansion must contain, pieces it must not)
        let cases: &[(&str, &str, &[&str], &[&str])] = &[
            (
                "",
                "fn parse(x: u32) -> u32 { x }",
                &["Site :: new (\"parse\" , :: core :: option :: Option :: None , :: core :: option :: Option :: None)", "Span :: enter"],
                &["is_err", "instrument"],
            ),
            (
                "tier = Method, component = \"dm\"",
                "pub fn download(&self) -> Result<u32, E> { Ok(1) }",
                &["Some (:: perfwatch :: Tier :: Method)", "Some (\"dm\")", "is_err", "move || -> Result < u32 , E >", "pub fn download"],
                &["instrument"],
            ),
            (
                "name = \"load\", tier = \"operation\"",
                "fn f() -> std::io::Result<()> { Ok(()) }",
                &["Site :: new (\"load\"", "Tier :: Operation", "is_err"],
                &[],
            ),
            (
                "",
                "fn iter() -> Result<impl Iterator<Item = u8>, E> { todo!() }",
                &["Span :: enter"],
                &["is_err"],
            ),
            (
                "",
                "async fn fetch() -> Result<u8, E> { Ok(1) }",
                &["instrument_result", "let __perfwatch_ret : Result < u8 , E >", ". await"],
                &["Span :: enter"],
            ),
            (
                "",
                "async fn tick() { }",
                &[":: perfwatch :: instrument (& __PERFWATCH_SITE , async move"],
                &["instrument_result"],
            ),
        ];
        for (args, item, has, lacks) in cases {
            let out = expand_str(args, item).unwrap();
            for piece in *has {
                assert!(out.contains(piece), "`{piece}` missing from {out}");
            }
            for piece in *lacks {
                assert!(!out.contains(piece), "`{piece}` present in {out}");
            }
        }
    }

    #[test]
    fn errors() {
        let cases = [
            ("level = 3", "fn f() {}", "unknown argument"),
            ("tier = Stage", "fn f() {}", "unknown tier `Stage`"),
            ("tier = 3", "fn f() {}", "expected a tier"),
            ("name = 3", "fn f() {}", "expected string literal"),
            ("", "const fn f() {}", "const fn"),
            ("", "struct S;", "expected"),
        ];
        for (args, item, message) in cases {
            let err = expand_str(args, item).unwrap_err();
            assert!(err.contains(message), "{args} / {item}: {err}");
        }
    }
}
