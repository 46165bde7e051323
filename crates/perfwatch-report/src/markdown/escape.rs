//! Keeping user strings (benchmark, variant and stage names, commands) from
//! breaking GitHub-flavoured Markdown, or from carrying terminal escape
//! sequences and bidirectional controls into it (the rule of
//! [`crate::printable`]).

use crate::printable::printable;

/// Escapes `text` for Markdown inline text and table cells: ASCII
/// punctuation that Markdown (or GitHub's `$` math) would interpret gets a
/// backslash, `&` becomes `&amp;`, and line breaks become spaces (a line
/// break would end a table row). Other control characters (ESC, BEL, tabs,
/// DEL, C1) and bidirectional controls are written as [`printable`] shows
/// them (`\u{1b}`, `\u{202e}`), escaped in turn so that Markdown displays
/// the backslash and braces.
pub fn escape_markdown(text: &str) -> String {
    let text = one_line(text);
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '$' | '{' | '}' => {
                escaped.push('\\');
                escaped.push(ch);
            }
            '&' => escaped.push_str("&amp;"),
            '\r' | '\n' => escaped.push(' '),
            _ => escaped.push(ch),
        }
    }
    escaped
}

/// `text` as an inline code span, safe inside a table cell: the fence is
/// longer than any run of backticks inside, `|` is escaped (GitHub splits
/// cells on it even in code), line breaks become spaces, other control
/// characters and bidirectional controls are shown as [`printable`] shows
/// them (a code span displays its backslashes as they are).
pub fn code_span(text: &str) -> String {
    let content = one_line(text).replace('|', "\\|");
    let longest_run = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    // A space keeps a leading or trailing backtick from joining the fence.
    let pad = if content.starts_with('`') || content.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{content}{pad}{fence}")
}

/// `text` with line breaks as spaces, then every other control character
/// and bidirectional control escaped by [`printable`].
fn one_line(text: &str) -> String {
    printable(&text.replace(['\r', '\n'], " ")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_breaking_characters() {
        let cases = [
            ("plain name", "plain name"),
            ("a|b", "a\\|b"),
            ("load_csv", "load\\_csv"),
            ("*bold* `code`", "\\*bold\\* \\`code\\`"),
            ("[link](x)", "\\[link\\](x)"),
            ("<script>", "\\<script\\>"),
            ("# heading", "\\# heading"),
            ("a & b", "a &amp; b"),
            ("cost $5", "cost \\$5"),
            ("two\nlines\r\n", "two lines  "),
            ("back\\slash", "back\\\\slash"),
            ("~~strike~~", "\\~\\~strike\\~\\~"),
            ("é/ü · …", "é/ü · …"),
            ("a\x1b[2Jb", r"a\\u\{1b\}\[2Jb"),
            ("a\u{202e}b", r"a\\u\{202e\}b"),
            ("bell\u{7}\ttab", r"bell\\u\{7\}\\ttab"),
        ];
        for (input, want) in cases {
            assert_eq!(escape_markdown(input), want, "input {input:?}");
        }
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        let cases = [
            ("ls -l", "`ls -l`"),
            ("a | b", "`a \\| b`"),
            ("echo `date`", "`` echo `date` ``"),
            ("x``y", "```x``y```"),
            ("multi\nline", "`multi line`"),
            ("printf '\x1b[2J'", "`printf '\\u{1b}[2J'`"),
            ("echo a\u{202e}b", "`echo a\\u{202e}b`"),
        ];
        for (input, want) in cases {
            assert_eq!(code_span(input), want, "input {input:?}");
        }
    }
}
