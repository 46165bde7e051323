//! perfwatch-load against small loopback services written here.

mod support;

mod connection_refused;
mod coordinated_omission;
mod merge;
mod open_model;
mod request_mix;
mod status_classes;
mod timeouts;
