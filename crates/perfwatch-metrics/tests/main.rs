//! Integration tests of the Prometheus exposition: one binary, one module
//! per theme.

mod metrics;
