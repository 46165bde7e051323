//! Keeping user strings (benchmark, variant and stage names, commands) from
//! breaking GitHub-flavoured Markdown.

/// Escapes `text` for Markdown inline text and table cells: ASCII
/// punctuation that Markdown (or GitHub's `$` math) would interpret gets a
/// backslash, `&` becomes `&amp;`, and line breaks become spaces (a line
/// break would end a table row).
pub fn escape_markdown(text: &str) -> String {
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
/// cells on it even in code), line breaks become spaces.
pub fn code_span(text: &str) -> String {
    let content = text.replace(['\r', '\n'], " ").replace('|', "\\|");
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
        ];
        for (input, want) in cases {
            assert_eq!(code_span(input), want, "input {input:?}");
        }
    }
}
