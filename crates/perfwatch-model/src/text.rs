//! Small text rules every front end shares, so that one session reads the
//! same in the terminal, in files and in the browser.

/// How many characters of a session id are shown where the whole id is too
/// long to read.
pub const SHORT_ID_LEN: usize = 8;

/// The first [`SHORT_ID_LEN`] characters of a session id (all of a shorter
/// one). Never panics: ids are cut on character boundaries.
///
/// ```
/// use perfwatch_model::short_id;
/// assert_eq!(short_id("5b26d44f0a9e4c1d"), "5b26d44f");
/// assert_eq!(short_id("abcd"), "abcd");
/// assert_eq!(short_id("ééééééééé"), "éééééééé");
/// ```
pub fn short_id(id: &str) -> &str {
    match id.char_indices().nth(SHORT_ID_LEN) {
        Some((end, _)) => &id[..end],
        None => id,
    }
}
