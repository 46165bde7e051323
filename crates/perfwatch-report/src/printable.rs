//! The one rule for showing untrusted text (benchmark, variant and stage
//! names, commands, finding titles, CSV cells echoed back, error messages
//! that quote input) in a terminal or a Markdown file: control characters
//! and bidirectional-text controls are shown as Rust escapes (`\u{1b}`,
//! `\u{202e}`), so that a name cannot drive the terminal (clear the
//! screen, set its title), break a table, or display reordered text.

use std::borrow::Cow;

/// Whether `ch` is a bidirectional-text control: the embeddings and
/// overrides U+202A–U+202E, the isolates U+2066–U+2069, the marks U+200E,
/// U+200F and U+061C (Arabic letter mark). Shown in place, they reorder the
/// text around them (the "Trojan Source" trick).
pub fn is_bidi_control(ch: char) -> bool {
    matches!(
        ch,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Whether [`printable`] shows `ch` escaped: every C0 and C1 control
/// character (ESC, BEL, line breaks, tabs…), DEL, and the bidirectional
/// controls of [`is_bidi_control`].
pub fn is_unprintable(ch: char) -> bool {
    ch.is_control() || is_bidi_control(ch)
}

/// `text` on one line with control characters (line breaks, tabs, escape
/// sequences) and bidirectional controls shown as Rust escapes (`\n`,
/// `\u{1b}`, `\u{202e}`), so that a stage name reported by a program cannot
/// break a table, drive the terminal or reorder what is shown. Text without
/// any comes back borrowed.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unprintable)
}

/// [`printable`] for text of several lines (an error message with a
/// quoted source line): line breaks (`\n`) are kept, every other control
/// and bidirectional control is escaped.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |ch| ch != '\n' && is_unprintable(ch))
}

fn escape_where(text: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&escape) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if escape(ch) {
            shown.extend(ch.escape_default());
        } else {
            shown.push(ch);
        }
    }
    Cow::Owned(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        let cases = [
            ("plain · ü", "plain · ü"),
            ("two\nlines", "two\\nlines"),
            ("tab\there", "tab\\there"),
            ("cr\rhere", "cr\\rhere"),
            ("\x1b[2Jcleared", "\\u{1b}[2Jcleared"),
            ("bell\u{7}", "bell\\u{7}"),
            ("del\u{7f}", "del\\u{7f}"),
            ("csi\u{9b}2J", "csi\\u{9b}2J"),
            ("nul\0", "nul\\u{0}"),
        ];
        for (input, want) in cases {
            assert_eq!(printable(input), want, "input {input:?}");
        }
        assert!(matches!(printable("as is"), Cow::Borrowed(_)));
    }

    #[test]
    fn bidi_controls_are_shown_escaped() {
        let cases = [
            ("a\u{202e}b", "a\\u{202e}b"),
            (
                "\u{202a}\u{202b}\u{202c}\u{202d}",
                "\\u{202a}\\u{202b}\\u{202c}\\u{202d}",
            ),
            ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
            ("\u{2067}\u{2068}", "\\u{2067}\\u{2068}"),
            ("\u{200e}\u{200f}\u{61c}", "\\u{200e}\\u{200f}\\u{61c}"),
            // Right-to-left letters themselves are text, not controls.
            ("שלום", "שלום"),
        ];
        for (input, want) in cases {
            assert_eq!(printable(input), want, "input {input:?}");
        }
    }

    #[test]
    fn printable_lines_keeps_line_breaks_only() {
        let cases = [
            ("one\ntwo", "one\ntwo"),
            ("one\r\ntwo", "one\\r\ntwo"),
            ("`a\x1b[2Jb`\n  |", "`a\\u{1b}[2Jb`\n  |"),
            ("a\u{202e}b\tc", "a\\u{202e}b\\tc"),
        ];
        for (input, want) in cases {
            assert_eq!(printable_lines(input), want, "input {input:?}");
        }
    }
}
