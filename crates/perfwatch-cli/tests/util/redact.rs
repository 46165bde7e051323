//! Redacting volatile parts of rendered output for snapshots.

use serde_json::Value;

/// Replace what changes from run to run in rendered text — the given
/// literal strings (ids, host names, paths), then every number with its
/// unit — and collapse runs of spaces and rules, so a snapshot pins the
/// shape of the output and not its figures.
pub fn redact(text: &str, literals: &[(&str, &str)]) -> String {
    let mut text = text.to_string();
    for (needle, replacement) in literals {
        if !needle.is_empty() {
            text = text.replace(needle, replacement);
        }
    }
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_number = c.is_ascii_digit()
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'));
        if starts_number {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            // A unit glued to the number or after one space: 12 ms, 3.4MiB, 5%.
            let mut k = j;
            if k < chars.len() && chars[k] == ' ' {
                k += 1;
            }
            let unit_start = k;
            while k < chars.len() && (chars[k].is_alphabetic() || chars[k] == '%') {
                k += 1;
            }
            let unit: String = chars[unit_start..k].iter().collect();
            if is_unit(&unit) {
                j = k;
            }
            out.push('#');
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    collapse(&out)
}

fn is_unit(word: &str) -> bool {
    matches!(
        word,
        "ns" | "µs"
            | "us"
            | "ms"
            | "s"
            | "m"
            | "h"
            | "B"
            | "KiB"
            | "MiB"
            | "GiB"
            | "kB"
            | "MB"
            | "GB"
            | "KB"
            | "%"
            | "x"
            | "×"
    )
}

/// Collapse runs of blanks and of table rule characters to one, and strip
/// trailing blanks, so that column widths driven by figures do not matter.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut prev: Option<char> = None;
        let mut buf = String::new();
        for c in line.chars() {
            let squeezable = c == ' ' || "─━═-".contains(c);
            if squeezable && prev == Some(c) {
                continue;
            }
            buf.push(c);
            prev = Some(c);
        }
        out.push_str(buf.trim_end());
        out.push('\n');
    }
    out
}

/// A JSON value with every leaf replaced by its type name and arrays cut to
/// their first element: the key structure of a document.
pub fn json_shape(value: &Value) -> Value {
    match value {
        Value::Null => Value::String("null".into()),
        Value::Bool(_) => Value::String("bool".into()),
        Value::Number(_) => Value::String("number".into()),
        Value::String(_) => Value::String("string".into()),
        Value::Array(items) => Value::Array(items.iter().take(1).map(json_shape).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), json_shape(v)))
                .collect(),
        ),
    }
}
