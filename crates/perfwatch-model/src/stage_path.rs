//! Stage paths: the names from the root down to a stage, joined by `/`.
//!
//! Span names may contain `/` themselves (`GET /api/users` is a common
//! HTTP span name), so within a name `\` is written `\\` and `/` is
//! written `\/`. A path therefore names exactly one chain of names, and
//! [`split_path`] recovers it. Names without either character, the usual
//! case, appear unchanged: `job/track/fetch`.

/// The separator between names in a path.
pub const SEPARATOR: char = '/';

/// Joins names into a path, escaping `\` and `/` inside each name.
///
/// ```
/// use perfwatch_model::stage_path::join_path;
///
/// assert_eq!(join_path(["job", "track", "fetch"]), "job/track/fetch");
/// assert_eq!(join_path(["job", "GET /api"]), r"job/GET \/api");
/// ```
pub fn join_path<I, S>(names: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut path = String::new();
    for (i, name) in names.into_iter().enumerate() {
        if i > 0 {
            path.push(SEPARATOR);
        }
        push_escaped(&mut path, name.as_ref());
    }
    path
}

/// The path of a stage named `name` under the stage at `parent` (a root
/// when `parent` is `None`), escaping the name.
///
/// ```
/// use perfwatch_model::stage_path::child_path;
///
/// assert_eq!(child_path(Some("job"), "a/b"), r"job/a\/b");
/// assert_eq!(child_path(None, "job"), "job");
/// ```
pub fn child_path(parent: Option<&str>, name: &str) -> String {
    let mut path = parent.map(str::to_string).unwrap_or_default();
    if parent.is_some() {
        path.push(SEPARATOR);
    }
    push_escaped(&mut path, name);
    path
}

/// The path of the enclosing stage: `path` without its last name; `None`
/// for a root (a path of one name). Escaped separators inside a name are
/// not split on.
///
/// ```
/// use perfwatch_model::stage_path::parent_path;
///
/// assert_eq!(parent_path("job/track/fetch"), Some("job/track"));
/// assert_eq!(parent_path(r"job/GET \/api"), Some("job"));
/// assert_eq!(parent_path(r"GET \/api"), None);
/// ```
pub fn parent_path(path: &str) -> Option<&str> {
    let mut last = None;
    let mut escaped = false;
    for (i, c) in path.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            SEPARATOR => last = Some(i),
            _ => {}
        }
    }
    last.map(|i| &path[..i])
}

fn push_escaped(out: &mut String, name: &str) {
    for c in name.chars() {
        if c == '\\' || c == SEPARATOR {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Splits a path into its names, undoing the escapes of [`join_path`].
///
/// Lenient with paths not made by [`join_path`]: a trailing lone `\` is
/// kept as is, and `\` before any other character stands for itself.
pub fn split_path(path: &str) -> Vec<String> {
    let mut names = vec![String::new()];
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ ('\\' | SEPARATOR)) => push_char(&mut names, next),
                Some(other) => {
                    push_char(&mut names, '\\');
                    push_char(&mut names, other);
                }
                None => push_char(&mut names, '\\'),
            },
            SEPARATOR => names.push(String::new()),
            c => push_char(&mut names, c),
        }
    }
    names
}

fn push_char(names: &mut [String], c: char) {
    if let Some(last) = names.last_mut() {
        last.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn join_and_split() {
        let cases: [(&[&str], &str); 6] = [
            (&["job"], "job"),
            (&["job", "track", "fetch"], "job/track/fetch"),
            (&["job", "GET /api/users"], r"job/GET \/api\/users"),
            (&[r"a\b", "c"], r"a\\b/c"),
            (&["", "x"], "/x"),
            (&[r"end\"], r"end\\"),
        ];
        for (names, path) in cases {
            assert_eq!(join_path(names), path, "{names:?}");
            assert_eq!(split_path(path), names, "{path}");
        }
        assert_eq!(child_path(Some("job"), "a/b"), r"job/a\/b");
        assert_eq!(child_path(None, "job"), "job");
    }

    #[test]
    fn parent_path_drops_the_last_name() {
        assert_eq!(parent_path("a/b/c"), Some("a/b"));
        assert_eq!(parent_path(r"a\\/b"), Some(r"a\\"));
        assert_eq!(parent_path(r"a\/b/c\/d"), Some(r"a\/b"));
        assert_eq!(parent_path("a"), None);
        assert_eq!(parent_path("/x"), Some(""));
    }

    #[test]
    fn foreign_paths_split_leniently() {
        assert_eq!(split_path(r"a\x/b\"), [r"a\x", r"b\"]);
    }

    proptest! {
        #[test]
        fn split_undoes_join(names in prop::collection::vec("[a-z/\\\\ ]{0,6}", 1..5)) {
            prop_assert_eq!(split_path(&join_path(&names)), names);
        }

        #[test]
        fn parent_path_is_the_join_of_all_but_the_last_name(
            names in prop::collection::vec("[a-z/\\\\ ]{0,6}", 1..5),
        ) {
            let path = join_path(&names);
            let want = (names.len() > 1).then(|| join_path(&names[..names.len() - 1]));
            prop_assert_eq!(parent_path(&path).map(str::to_string), want);
        }
    }
}
