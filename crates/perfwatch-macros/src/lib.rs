//! The `#[profile]` attribute of the perfwatch probe. Use it as
//! `#[perfwatch::profile]`: the expansion refers to the `perfwatch` crate.

mod expand;
mod options;

use proc_macro::TokenStream;

/// Records a span around each call of the function (see
/// `perfwatch::profile` for the documentation).
#[proc_macro_attribute]
pub fn profile(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::profile(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
