//! Integration tests of the stores: one binary, one module per theme. The
//! contract tests run on both backends (`…::sqlite::…` and
//! `…::postgres::…`, see `store::support::contract!`).

mod store;
