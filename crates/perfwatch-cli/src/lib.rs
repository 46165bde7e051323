//! perfwatch CLI library.
