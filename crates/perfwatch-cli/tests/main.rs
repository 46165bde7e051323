//! perfwatch CLI tests.
