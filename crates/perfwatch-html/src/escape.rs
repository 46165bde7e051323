//! Escaping for the two places data enters a page: HTML text and attribute
//! values, and the JSON data island.

use serde::Serialize;
use std::borrow::Cow;

/// Escape text for HTML element content and quoted attribute values:
/// `&`, `<`, `>`, `"` and `'` become character references.
pub fn escape_html(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Serialise `value` as JSON that is safe inside a `<script>` element.
///
/// `<`, `>` and `&` become `\u003c`, `\u003e` and `\u0026`, so that neither
/// `</script>` nor `<!--` can appear; U+2028 and U+2029 become `\u2028` and
/// `\u2029` for old JavaScript parsers. These characters can only occur
/// inside JSON strings, where the escapes mean the same text, so
/// `JSON.parse` returns exactly the original data.
pub fn json_for_script<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let json = serde_json::to_string(value)?;
    let mut out = String::with_capacity(json.len() + json.len() / 32);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_table() {
        for (input, want) in [
            ("plain", "plain"),
            ("a & b", "a &amp; b"),
            (
                "</script><script>alert(1)</script>",
                "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            ("\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"),
            ("&amp;", "&amp;amp;"),
            ("ünïcødé ✓", "ünïcødé ✓"),
            ("", ""),
        ] {
            assert_eq!(escape_html(input), want, "input {input:?}");
        }
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(escape_html("stage-1"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_escaping_table() {
        for (input, want) in [
            ("plain", r#""plain""#),
            (
                "</script><script>alert(1)</script>",
                r#""\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e""#,
            ),
            ("<!-- x -->", r#""\u003c!-- x --\u003e""#),
            ("a & b", r#""a \u0026 b""#),
            ("line\u{2028}para\u{2029}", r#""line\u2028para\u2029""#),
            ("quote \" back \\", r#""quote \" back \\""#),
        ] {
            assert_eq!(json_for_script(input).unwrap(), want, "input {input:?}");
        }
    }

    #[test]
    fn json_escaping_round_trips() {
        let names = vec![
            "</script><script>alert(1)</script>".to_string(),
            "<!--".to_string(),
            "a\u{2028}b\u{2029}c & d > e".to_string(),
            "\\u003c literal".to_string(),
        ];
        let json = json_for_script(&names).unwrap();
        for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!json.contains(bad), "{bad:?} left in {json}");
        }
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, names);
    }

    proptest::proptest! {
        #[test]
        fn any_text_survives_the_data_island(text in "\\PC*", raw in proptest::collection::vec(proptest::char::any(), 0..40)) {
            let raw: String = raw.into_iter().collect();
            for t in [text, raw] {
                let json = json_for_script(&t).unwrap();
                let clean = !json.contains(['<', '>', '&', '\u{2028}', '\u{2029}']);
                proptest::prop_assert!(clean, "unescaped character in {}", json);
                let back: String = serde_json::from_str(&json).unwrap();
                proptest::prop_assert_eq!(back, t.clone());
                let html = escape_html(&t);
                let clean = !html.contains(['<', '>', '"', '\'']);
                proptest::prop_assert!(clean, "unescaped character in {}", html);
                let unescaped = html
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&");
                proptest::prop_assert_eq!(unescaped, t);
            }
        }
    }
}
